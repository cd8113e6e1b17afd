"""Request bodies larger than RETURNS_MAX_BODY_BYTES are refused with HTTP 413, while they are read.

A declared Content-Length over the limit is refused before a byte of the body is read; a body sent without
one (chunked) is counted as it arrives and refused at the first chunk past the limit, so no more of it is
read or kept. Every route is covered: /graphql, the webhooks, the Saleor App endpoints.

It is also where an address that keeps being refused is turned away before its body is read
(web/offenders.py): every 413, and every 400 or 429 of /graphql, counts against the client's address.
"""
from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .offenders import Offenders, client_address, turn_away

REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"


class BodyTooLarge(Exception):
    """Raised from `receive` once a body passes the limit; BodyLimit turns it into the 413."""


def too_large_body(limit: int) -> bytes:
    """The 413's body: a GraphQL-shaped error, so GraphQL clients read the code like any other."""
    return json.dumps({"errors": [{"message": f"The request body is larger than {limit} bytes.",
                                   "extensions": {"code": REQUEST_TOO_LARGE, "limit": "body_bytes",
                                                  "max": limit}}]}).encode()


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, per_path: dict[str, int] | None = None,
                 offenders: Offenders | None = None) -> None:
        self.app = app
        self.default = max_bytes
        self.per_path = per_path or {}  # routes with a bound of their own (Saleor's webhooks may be larger)
        self.offenders = offenders

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        if self.offenders is not None:
            wait = await self.offenders.wait(address)
            if wait is not None:
                await turn_away(send, wait)
                return
        limit = self.per_path.get(scope["path"], self.default)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(send, limit, address)
            return
        seen = 0
        started = False
        graphql = scope["path"].startswith("/graphql")

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge
            return message

        async def tracked(message: MutableMapping[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if graphql and message["status"] in (400, 413, 429) and self.offenders is not None:
                    await self.offenders.note(address)
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if not started:
                await self._refuse(send, limit, address)

    async def _refuse(self, send: Send, limit: int, address: str) -> None:
        if self.offenders is not None:
            await self.offenders.note(address)
        await _too_large(send, limit)


async def _too_large(send: Send, limit: int) -> None:
    body = too_large_body(limit)
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
