"""Expiring download links: an HMAC-SHA256 over the path and the expiry, checked in constant time."""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import datetime

_EXPIRES = re.compile(r"[0-9]{1,12}")  # unix seconds, ASCII digits only
_SIGNATURE = re.compile(r"[0-9a-f]{64}")  # hex sha256


def _signature(secret: str, path: str, expires: int) -> str:
    return hmac.new(secret.encode(), f"{path}|{expires}".encode(), hashlib.sha256).hexdigest()


def sign_path(secret: str, path: str, expires_at: datetime) -> str:
    """`path?expires=<unix>&signature=<hex>`; `path` must carry no query string or fragment."""
    if not secret:
        raise ValueError("an empty secret would make links forgeable")
    if "?" in path or "#" in path:
        raise ValueError("sign the bare path, without a query string or fragment")
    expires = int(expires_at.timestamp())
    return f"{path}?expires={expires}&signature={_signature(secret, path, expires)}"


def verify(secret: str, path: str, expires: str, signature: str, now: datetime) -> bool:
    """True when `signature` was made by `secret` for `path` and `expires`, and `now` is before `expires`.
    Never raises: malformed input is simply not valid."""
    try:
        if not secret or not _EXPIRES.fullmatch(expires) or not _SIGNATURE.fullmatch(signature):
            return False
        expected = _signature(secret, path, int(expires))
        signed = hmac.compare_digest(expected.encode(), signature.encode())
        return signed and now.timestamp() < int(expires)
    except (TypeError, ValueError, AttributeError, UnicodeError, OverflowError):
        return False
