"""No English left in the pages' scripts: every word people read in the portal and the console comes from the
message catalogs (test_catalogs.py checks those). This reads the scripts' string literals (comments and regular
expressions skipped, `${…}` inside template literals read as code) and fails on any that reads like words for
people: a capitalised word ("Insights", "Not sent") or two lowercase words ("no change", "on every channel").

What it cannot see: a lone lowercase word ("return", " to "), words built from codes (humanize), and words the
server sends (rule traces, errors' messages for developers). CSS classes (`class: "card stack"`), GraphQL
documents (UPPER_CASE constants), what a value is compared with (=== "not checked") and a few arguments that are
never shown (selectors, attribute names) are not words and are left out."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from saleor_returns.web.pages import STATIC_DIR

HOLE = "\x00"  # where a template literal's ${…} stood
WORDY = re.compile(r"\b[A-Z][a-z]+\b|\b[a-z]{2,} [a-z]{2,}\b")
NOT_SHOWN = re.compile(
    r"\bclass:\s*$"  # CSS classes
    r"|\b(?:startsWith|querySelector|querySelectorAll|getElementById|matchMedia|getPropertyValue|addEventListener)"
    r"\(\s*$"
    r'|setAttribute\("(?!aria-|title|placeholder|alt)[\w-]+",\s*$'  # rel="noopener noreferrer" and the like
    r"|\bheaders\.\w+\s*=\s*$"  # "Bearer …"
    r"|[!=]==\s*$")  # compared with what the server sends ("not checked"), not shown
REGEX_MAY_FOLLOW = set("(,=:[!&|?{};+") | {""}


class Literals:
    """The string literals of a script: (offset, text), texts of template literals with HOLE for each ${…}."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.found: list[tuple[int, str]] = []
        end = self.code(0, nested=False)
        assert end == len(src)

    def code(self, i: int, *, nested: bool) -> int:
        """Read code from i; inside ${…} (nested) stop at its closing brace and return the index after it."""
        src, depth, last = self.src, 0, ""
        while i < len(src):
            c = src[i]
            if src.startswith("//", i):
                j = src.find("\n", i)
                i = len(src) if j < 0 else j
            elif src.startswith("/*", i):
                i = src.index("*/", i + 2) + 2
            elif c in "\"'":
                j = i + 1
                while src[j] != c:
                    j += 2 if src[j] == "\\" else 1
                self.found.append((i, src[i + 1:j]))
                i, last = j + 1, c
            elif c == "`":
                i, last = self.template(i), c
            elif c == "/" and (last in REGEX_MAY_FOLLOW or re.search(r"\breturn\s*$", src[max(0, i - 10):i])):
                j, in_class = i + 1, False
                while src[j] != "/" or in_class:
                    if src[j] == "\\":
                        j += 1
                    elif src[j] == "[":
                        in_class = True
                    elif src[j] == "]":
                        in_class = False
                    j += 1
                i, last = j + 1, "/regex"
            else:
                if c == "{":
                    depth += 1
                elif c == "}":
                    if nested and depth == 0:
                        return i + 1
                    depth -= 1
                if not c.isspace():
                    last = c
                i += 1
        assert not nested, "a ${ without its }"
        return i

    def template(self, start: int) -> int:
        src, i, text = self.src, start + 1, []
        while src[i] != "`":
            if src[i] == "\\":
                text.append(src[i:i + 2])
                i += 2
            elif src.startswith("${", i):
                text.append(HOLE)
                i = self.code(i + 2, nested=True)
            else:
                text.append(src[i])
                i += 1
        self.found.append((start, "".join(text)))
        return i + 1


def words_in(path: Path) -> list[str]:
    """Literals of `path` that read like words for people, as "line: text"."""
    src = path.read_text(encoding="utf-8")
    constants = [(m.start(), src.index(";", m.end())) for m in re.finditer(r"\bconst [A-Z][A-Z0-9_]*\s*=", src)]
    out = []
    for at, text in Literals(src).found:
        if any(a <= at <= b for a, b in constants) or NOT_SHOWN.search(src[max(0, at - 60):at]):
            continue
        if WORDY.search(text.replace(HOLE, " ")):
            out.append(f"{src.count(chr(10), 0, at) + 1}: {text.replace(HOLE, '${…}')!r}")
    return out


SCRIPTS = sorted(p for folder in ("console", "portal", "shared") for p in (STATIC_DIR / folder).glob("*.js"))


def test_the_scripts_are_found():
    names = {f"{p.parent.name}/{p.name}" for p in SCRIPTS}
    assert {"console/insights.js", "console/preview.js", "console/messages.js", "console/charts.js",
            "shared/messages.js", "portal/order.js"} <= names


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_script_has_words_of_its_own(path):
    assert words_in(path) == [], f"{path.name}: move these into the catalogs (shared/locales/*.json) and use t()"


def test_the_reading_finds_english_where_there_is_some(tmp_path):
    script = tmp_path / "old.js"
    script.write_text("""// A comment with "Words In Quotes" is not code
const QUERY = `query One { a b }`;
const pattern = /"Not a string"/g;
export function view(days, channel) {
  const title = h("h1", { class: "view title" }, "Insights");
  toast("error", "Not sent", "");
  const note = `${channel ? ` on ${channel}` : " on every channel"}; days in ${days}.`;
  el.setAttribute("aria-label", "The e-mail as HTML");
  el.setAttribute("rel", "noopener noreferrer");
  if (verdict === "not checked") return t("policyPreview.why.notChecked");
  return d === 0 ? "no change" : t("policyPreview.noChange");
}
""", encoding="utf-8")
    found = [line.split(": ", 1)[1] for line in words_in(script)]
    assert found == ["'Insights'", "'Not sent'", "' on every channel'", "'${…}; days in ${…}.'",
                     "'The e-mail as HTML'", "'no change'"]
