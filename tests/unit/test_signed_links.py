"""Signed download links: only the holder of the secret can mint one, and only until it expires."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from saleor_returns.web.signed_links import sign_path, verify

SECRET = "s3cret-for-tests"
PATH = "/labels/UmV0dXJuOjEwMDQy.pdf"
NOW = datetime(2026, 11, 13, 15, 0, tzinfo=UTC)
EXPIRES_AT = NOW + timedelta(days=30)


def signed(path: str = PATH, secret: str = SECRET) -> tuple[str, str, str]:
    """(path, expires, signature) as a request handler would parse them from the link."""
    link = urlsplit(sign_path(secret, path, EXPIRES_AT))
    query = parse_qs(link.query)
    return link.path, query["expires"][0], query["signature"][0]


def test_link_has_the_documented_shape() -> None:
    link = sign_path(SECRET, PATH, EXPIRES_AT)
    assert link.startswith(f"{PATH}?expires={int(EXPIRES_AT.timestamp())}&signature=")
    assert len(link.rsplit("=", 1)[1]) == 64


def test_valid_link_verifies_until_it_expires() -> None:
    path, expires, signature = signed()
    assert path == PATH
    assert verify(SECRET, path, expires, signature, NOW)
    assert verify(SECRET, path, expires, signature, EXPIRES_AT - timedelta(seconds=1))


@pytest.mark.parametrize("moment", [EXPIRES_AT, EXPIRES_AT + timedelta(seconds=1), EXPIRES_AT + timedelta(days=365)])
def test_expired_link_fails(moment: datetime) -> None:
    path, expires, signature = signed()
    assert not verify(SECRET, path, expires, signature, moment)


def test_tampered_link_fails() -> None:
    path, expires, signature = signed()
    flipped = ("0" if signature[0] != "0" else "1") + signature[1:]
    assert not verify(SECRET, "/labels/OTHER.pdf", expires, signature, NOW)
    assert not verify(SECRET, path, str(int(expires) + 3600), signature, NOW)
    assert not verify(SECRET, path, expires, flipped, NOW)
    assert not verify("another-secret", path, expires, signature, NOW)


@pytest.mark.parametrize(
    "expires, signature",
    [
        ("", "ab" * 32),
        ("soon", "ab" * 32),
        ("-1", "ab" * 32),
        ("1.5", "ab" * 32),
        ("١٢٣", "ab" * 32),  # non-ASCII digits
        ("9" * 40, "ab" * 32),
        ("1795000000", ""),
        ("1795000000", "zz" * 32),
        ("1795000000", "ab" * 31),
        ("1795000000", "é" * 64),
        (None, "ab" * 32),
        ("1795000000", None),
    ],
)
def test_malformed_input_is_false_not_an_error(expires: object, signature: object) -> None:
    assert verify(SECRET, PATH, expires, signature, NOW) is False  # type: ignore[arg-type]


def test_malformed_secret_path_or_clock_is_false() -> None:
    path, expires, signature = signed()
    assert verify("", path, expires, signature, NOW) is False
    assert verify(SECRET, "\ud800", expires, signature, NOW) is False  # unencodable surrogate
    assert verify(SECRET, path, expires, signature, None) is False  # type: ignore[arg-type]


def test_signing_refuses_an_empty_secret_or_a_query_string() -> None:
    with pytest.raises(ValueError):
        sign_path("", PATH, EXPIRES_AT)
    with pytest.raises(ValueError):
        sign_path(SECRET, PATH + "?download=1", EXPIRES_AT)
