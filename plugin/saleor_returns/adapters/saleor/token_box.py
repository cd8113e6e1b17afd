"""App tokens encrypted at rest (Fernet: AES-128-CBC + HMAC-SHA256, from the `cryptography` package).

The key comes from RETURNS_ENCRYPTION_KEY (one or more, comma-separated: the first encrypts, all decrypt,
so keys can be rotated) or, when that is not set, is derived from RETURNS_SECRET_KEY.
"""
from __future__ import annotations

import base64
import binascii

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

_INFO = b"saleor-returns app tokens v1"


class TokenBoxError(Exception):
    """A stored token cannot be decrypted with the configured keys (the key changed: reinstall the app)."""


def fernet_key(secret: str) -> bytes:
    """A Fernet key as given, or one derived from any other secret with HKDF-SHA256."""
    try:
        if len(base64.urlsafe_b64decode(secret.encode())) == 32:
            return secret.encode()
    except (binascii.Error, ValueError):
        pass
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode())
    return base64.urlsafe_b64encode(derived)


class TokenBox:
    def __init__(self, secrets: tuple[str, ...] | list[str]) -> None:
        if not secrets:
            raise ValueError("at least one key is needed")
        self._fernet = MultiFernet([Fernet(fernet_key(s)) for s in secrets])

    def seal(self, token: str) -> str:
        """The token, encrypted (and authenticated) for storage."""
        return self._fernet.encrypt(token.encode()).decode()

    def rotate(self, sealed: str) -> str:
        """The same token sealed again under the first key, whichever configured key opens it now
        (TokenBoxError when none does)."""
        try:
            return self._fernet.rotate(sealed.encode()).decode()
        except (InvalidToken, ValueError) as exc:
            raise TokenBoxError("the stored app token cannot be decrypted with the configured keys") from exc

    def open(self, sealed: str) -> str:
        """The token back. Raises TokenBoxError when no configured key opens it."""
        try:
            return self._fernet.decrypt(sealed.encode()).decode()
        except (InvalidToken, ValueError) as exc:
            raise TokenBoxError("the stored app token cannot be decrypted with the configured keys") from exc
