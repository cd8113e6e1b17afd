"""The message catalogs of the portal and the console (web/static/shared/locales/*.json): every language has
every key (with the plural forms its language needs), every key the pages use exists, and placeholders match."""
from __future__ import annotations

import json
import re

import pytest
from babel import Locale

from saleor_returns.web.pages import LANGUAGES, LOCALES_DIR, STATIC_DIR

PLURAL = re.compile(r"^(.*)_(zero|one|two|few|many|other)$")
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def flat(node: dict, prefix: str = "") -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in node.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat(value, f"{path}."))
        else:
            assert isinstance(value, str) and value.strip(), f"{path} is empty or not text"
            out[path] = value
    return out


def catalog(lang: str) -> dict[str, str]:
    return flat(json.loads((LOCALES_DIR / f"{lang}.json").read_text(encoding="utf-8")))


def split(keys: dict[str, str]) -> tuple[set[str], set[str]]:
    """(plain keys, plural base keys)"""
    plain, plural = set(), set()
    for key in keys:
        m = PLURAL.match(key)
        (plural.add(m.group(1)) if m else plain.add(key))
    return plain, plural


def plural_forms(lang: str) -> set[str]:
    return set(Locale.parse(lang).plural_form.tags) | {"other"}


ENGLISH = catalog("en")


def test_there_is_a_catalog_for_every_language_the_pages_offer():
    assert sorted(p.stem for p in LOCALES_DIR.glob("*.json")) == sorted(LANGUAGES)
    js = (STATIC_DIR / "shared" / "i18n.js").read_text()
    assert re.search(r'LANGUAGES = \["en", "de", "fr", "es", "ja"\]', js)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_catalog_misses_a_key_or_has_one_too_many(lang):
    keys = catalog(lang)
    plain_en, plural_en = split(ENGLISH)
    plain, plural = split(keys)
    assert sorted(plain_en - plain) == [], f"{lang} misses keys"
    assert sorted(plain - plain_en) == [], f"{lang} has keys English does not"
    assert plural == plural_en
    for base in plural_en:
        forms = {PLURAL.match(k).group(2) for k in keys if PLURAL.match(k) and PLURAL.match(k).group(1) == base}
        assert forms == plural_forms(lang), f"{lang}: {base} needs the plural forms {sorted(plural_forms(lang))}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_translations_keep_the_placeholders(lang):
    keys = catalog(lang)
    for key, text in ENGLISH.items():
        m = PLURAL.match(key)
        variants = [k for k in keys if (PLURAL.match(k) or [None, None])[1] == m.group(1)] if m else [key]
        for variant in variants:
            assert set(PLACEHOLDER.findall(keys[variant])) <= set(PLACEHOLDER.findall(text)) | {"count"}, \
                f"{lang}:{variant} uses a placeholder English does not"
            if not m:
                assert set(PLACEHOLDER.findall(keys[variant])) == set(PLACEHOLDER.findall(text)), \
                    f"{lang}:{variant} drops a placeholder"


def used_keys() -> tuple[set[str], set[str]]:
    """Keys the pages name literally (t("a.b"), %%T:a.b%%, data-i18n) and key prefixes they build (t(`a.${x}`))."""
    literal, prefixes = set(), set()
    for path in list(STATIC_DIR.glob("*/*.js")) + list(STATIC_DIR.glob("*/*.html")):
        if "vendor" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        literal |= set(re.findall(r'\bt\("([\w.]+)"', text))
        literal |= set(re.findall(r"%%T:([\w.]+)%%", text))
        literal |= set(re.findall(r'data-i18n="([\w.]+)"', text))
        prefixes |= set(re.findall(r"\bt\(`([\w.]+)\.\$\{", text))
    return literal, prefixes


def test_every_key_the_pages_use_is_in_the_catalogs():
    literal, prefixes = used_keys()
    plain, plural = split(ENGLISH)
    assert len(literal) > 300
    assert sorted(k for k in literal if k not in plain and k not in plural) == []
    for prefix in prefixes:
        assert any(k.startswith(f"{prefix}.") for k in plain), f"no keys under {prefix}"
