"""The Saleor GraphQL client: one instance per store (API URL + app token), httpx underneath.

Every document comes from graphql/saleor/ by name. Queries are retried on network errors, 429 and 5xx;
mutations only when the request cannot have reached Saleor (connection refused, 429), because a
mutation that may have run must not run twice: callers look before they write instead.
"""
from __future__ import annotations

import asyncio
import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from .documents import Document, document
from .errors import (
    AUTH_EXCEPTIONS,
    SaleorAuthError,
    SaleorError,
    SaleorRequestError,
    SaleorUnavailable,
    mutation_error,
)

log = logging.getLogger(__name__)
USER_AGENT = "saleor-returns"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


def new_http(timeout: float | httpx.Timeout = DEFAULT_TIMEOUT) -> httpx.AsyncClient:
    """The shared connection pool for every store (no redirects: Saleor answers where it is asked)."""
    return httpx.AsyncClient(timeout=timeout, follow_redirects=False, headers={"user-agent": USER_AGENT})


class SaleorClient:
    """Talks to one Saleor instance as our app (or with no token, for the install check's JWKS)."""

    def __init__(self, api_url: str, token: str | None, http: httpx.AsyncClient, *, retries: int = 2,
                 backoff: float = 0.25, documents: Path | None = None) -> None:
        self.api_url = api_url
        self._token = token
        self.http = http
        self.retries = retries
        self.backoff = backoff
        self._documents = documents

    async def execute(self, name: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """Run operation `name` and return its `data`. Raises a SaleorError subclass (errors.py)."""
        doc = document(name, self._documents)
        body = json.dumps({"query": doc.text, "operationName": doc.name, "variables": variables or {}},
                          default=_json_default)
        response = await self._send(doc, body)
        return _data_of(doc, response)

    async def mutate(self, name: str, variables: dict[str, Any], field: str) -> dict[str, Any]:
        """Run a mutation and return its payload `field`; its own `errors` list raises SaleorMutationError."""
        data = await self.execute(name, variables)
        payload = data.get(field) or {}
        if payload.get("errors"):
            raise mutation_error(name, payload["errors"])
        return payload

    async def _send(self, doc: Document, body: str) -> httpx.Response:
        headers = {"content-type": "application/json"}
        if self._token:
            headers["authorization"] = f"Bearer {self._token}"
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                response = await self.http.post(self.api_url, content=body, headers=headers)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                error: SaleorError = SaleorUnavailable(f"{doc.name}: cannot reach Saleor ({exc.__class__.__name__})",
                                                       operation=doc.name)
            except httpx.TransportError as exc:  # it may have reached Saleor: a mutation is not sent again
                error = SaleorUnavailable(f"{doc.name}: no answer from Saleor ({exc.__class__.__name__})",
                                          operation=doc.name)
                if doc.is_mutation:
                    raise error from exc
            else:
                if response.status_code == 429 or (response.status_code >= 500 and not doc.is_mutation):
                    error = SaleorUnavailable(f"{doc.name}: Saleor answered {response.status_code}", operation=doc.name)
                elif response.status_code >= 500:
                    raise SaleorUnavailable(f"{doc.name}: Saleor answered {response.status_code}", operation=doc.name)
                else:
                    return response
            log.warning("saleor call failed", extra={"operation": doc.name, "attempt": attempt + 1,
                                                     "api_url": self.api_url, "error": str(error)})
            if last:
                raise error
            await asyncio.sleep(self.backoff * (4 ** attempt))
        raise AssertionError("unreachable")


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)  # Saleor's Decimal scalar takes strings: no float rounding on the way
    raise TypeError(f"cannot send {type(value).__name__} to Saleor")


def _data_of(doc: Document, response: httpx.Response) -> dict[str, Any]:
    """The `data` of a response, or the error it stands for."""
    if response.status_code in (401, 403):
        raise SaleorAuthError(f"{doc.name}: Saleor refused the app token ({response.status_code})", operation=doc.name)
    try:
        body = json.loads(response.content, parse_float=Decimal)  # amounts stay exact
    except ValueError as exc:
        raise SaleorUnavailable(f"{doc.name}: Saleor answered {response.status_code} without JSON",
                                operation=doc.name) from exc
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors:
        raise _top_level_error(doc, errors)
    if response.status_code >= 400 or not isinstance(body.get("data"), dict):
        raise SaleorRequestError(f"{doc.name}: Saleor answered {response.status_code}", operation=doc.name)
    return body["data"]


def _top_level_error(doc: Document, errors: list[dict[str, Any]]) -> SaleorError:
    codes = tuple(str(((e.get("extensions") or {}).get("exception") or {}).get("code") or "") for e in errors)
    message = f"{doc.name}: " + "; ".join(str(e.get("message")) for e in errors)
    if any(code in AUTH_EXCEPTIONS for code in codes):
        return SaleorAuthError(message, operation=doc.name, saleor_codes=codes)
    return SaleorRequestError(message, operation=doc.name, saleor_codes=codes)
