"""Who a Saleor token says the caller is: a customer (access token) or a staff member in the Dashboard
(the app token the Dashboard hands our embedded page: type "thirdparty", our app id, MANAGE_ORDERS).

The signature, expiry, issuer (the store's API URL) and owner are checked here; the key comes from the
store's JWKS (adapters/saleor/tenants.py fetches and caches it). A refused token says why, never who.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jwt
from jwt import PyJWK
from jwt.exceptions import ExpiredSignatureError, InvalidIssuerError, PyJWTError

from .jwks import ALGORITHMS, SignatureRejected, unverified_header

CUSTOMER = "access"
DASHBOARD = "thirdparty"
STAFF_PERMISSION = "MANAGE_ORDERS"
LEEWAY_SECONDS = 10


class TokenRejected(Exception):
    """The token may not be used here; the message says why (expired, another app, ...)."""


@dataclass(frozen=True, slots=True)
class SaleorIdentity:
    kind: str  # CUSTOMER or DASHBOARD
    email: str
    user_id: str | None
    permissions: tuple[str, ...] = ()  # Dashboard tokens: what this user may do through our app
    user_permissions: tuple[str, ...] = ()

    @property
    def is_staff(self) -> bool:
        return self.kind == DASHBOARD


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and all(token.split("."))


def unverified_claims(token: str) -> dict[str, Any]:
    """The claims before any check, only to find the store (`iss`) whose keys must verify them."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except PyJWTError as exc:
        raise TokenRejected("the token is malformed") from exc
    return claims if isinstance(claims, dict) else {}


def token_key_id(token: str) -> str | None:
    try:
        return unverified_header(token).get("kid")
    except SignatureRejected as exc:
        raise TokenRejected(f"the token is not accepted: {exc}") from exc


def verify_token(token: str, key: PyJWK, *, issuer: str, app_id: str) -> SaleorIdentity:
    """A verified identity, or TokenRejected. `issuer` is the store's API URL, `app_id` our app there."""
    try:
        claims = jwt.decode(token, key, algorithms=ALGORITHMS, issuer=issuer, leeway=LEEWAY_SECONDS,
                            options={"require": ["exp", "iss"], "verify_aud": False})
    except ExpiredSignatureError as exc:
        raise TokenRejected("the token has expired") from exc
    except InvalidIssuerError as exc:
        raise TokenRejected("the token was issued by another store") from exc
    except PyJWTError as exc:
        raise TokenRejected("the token is not signed by this store") from exc
    if claims.get("owner", "saleor") != "saleor":
        raise TokenRejected("the token was not issued by Saleor itself")
    email = str(claims.get("email") or "").strip().lower()
    user_id = str(claims["user_id"]) if claims.get("user_id") else None
    kind = claims.get("type")
    if kind == CUSTOMER:
        if not email and not user_id:
            raise TokenRejected("the token names no customer")
        return SaleorIdentity(CUSTOMER, email, user_id)
    if kind == DASHBOARD:
        return _dashboard(claims, email, user_id, app_id)
    raise TokenRejected(f"a {kind!r} token cannot be used here")


def _dashboard(claims: dict[str, Any], email: str, user_id: str | None, app_id: str) -> SaleorIdentity:
    if claims.get("app") != app_id:
        raise TokenRejected("the token was issued for another app")
    permissions = tuple(str(p) for p in claims.get("permissions") or ())
    if STAFF_PERMISSION not in permissions:
        raise TokenRejected(f"the staff member may not manage orders ({STAFF_PERMISSION} missing)")
    user_permissions = tuple(str(p) for p in claims.get("user_permissions") or ())
    return SaleorIdentity(DASHBOARD, email, user_id, permissions, user_permissions)
