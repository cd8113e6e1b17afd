"""A store's public keys (JWKS at <origin>/.well-known/jwks.json) and the checks made with them.

Saleor signs webhooks with a JWS (RS256) whose payload is detached (header `b64: false`, `crit: ["b64"]`),
and customer / Dashboard tokens as RS256 JWTs; `kid` is the key's RFC 7638 thumbprint.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
import jwt
from jwt import PyJWK
from jwt.exceptions import InvalidKeyError, PyJWKError, PyJWTError

from .errors import SaleorRequestError, SaleorUnavailable

ALGORITHMS = ["RS256"]
MAX_JWKS_BYTES = 64 * 1024


class SignatureRejected(Exception):
    """A webhook signature is missing, malformed, or not made by the store's key."""


def jwks_url(api_url: str) -> str:
    """https://shop.example/graphql/ → https://shop.example/.well-known/jwks.json"""
    parts = urlsplit(api_url)
    return f"{parts.scheme}://{parts.netloc}/.well-known/jwks.json"


async def fetch_jwks(http: httpx.AsyncClient, api_url: str) -> dict[str, Any]:
    """GET the store's JWKS. Raises SaleorUnavailable (network, 5xx) or SaleorRequestError (not a JWKS)."""
    url = jwks_url(api_url)
    try:
        response = await http.get(url)
    except httpx.TransportError as exc:
        raise SaleorUnavailable(f"cannot fetch {url} ({exc.__class__.__name__})", operation="jwks") from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise SaleorUnavailable(f"{url} answered {response.status_code}", operation="jwks")
    if response.status_code != 200 or len(response.content) > MAX_JWKS_BYTES:
        raise SaleorRequestError(f"{url} answered {response.status_code}", operation="jwks")
    try:
        data = json.loads(response.content)
        KeySet(data)
    except (ValueError, TypeError) as exc:
        raise SaleorRequestError(f"{url} is not a JWKS", operation="jwks") from exc
    return data


class KeySet:
    """The RS256 signing keys of one JWKS, by key id."""

    def __init__(self, jwks: dict[str, Any]) -> None:
        if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list):
            raise ValueError("a JWKS has a `keys` list")
        self.keys: dict[str | None, PyJWK] = {}
        for raw in jwks["keys"]:
            if not isinstance(raw, dict) or raw.get("kty") != "RSA" or raw.get("use", "sig") != "sig":
                continue
            try:
                self.keys[raw.get("kid")] = PyJWK(raw, algorithm="RS256")
            except (PyJWKError, InvalidKeyError):
                continue  # a key we cannot use is as good as absent

    def get(self, kid: str | None) -> PyJWK | None:
        if kid is None and len(self.keys) == 1:
            return next(iter(self.keys.values()))
        return self.keys.get(kid)


def unverified_header(compact: str) -> dict[str, Any]:
    """The JOSE header of a JWS/JWT, before any check (to pick the key). Raises SignatureRejected."""
    try:
        header = jwt.get_unverified_header(compact)
    except PyJWTError as exc:
        raise SignatureRejected(f"malformed: {exc}") from exc
    if header.get("alg") not in ALGORITHMS:
        raise SignatureRejected(f"algorithm {header.get('alg')!r} is not accepted")
    return header


def verify_detached(signature: str, body: bytes, key: PyJWK) -> None:
    """Check a detached-payload JWS over the raw body. Raises SignatureRejected."""
    parts = signature.split(".")
    if len(parts) != 3 or parts[1] != "":
        raise SignatureRejected("not a detached JWS (header..signature)")
    header = unverified_header(signature)
    if header.get("b64") is not False:
        raise SignatureRejected("the payload is not detached (b64 must be false)")
    try:
        jwt.api_jws.decode_complete(signature, key, algorithms=ALGORITHMS, detached_payload=body)
    except PyJWTError as exc:
        raise SignatureRejected(f"signature does not match: {exc}") from exc
