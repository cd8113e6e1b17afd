"""In front of /graphql: every limit is checked before strawberry (or anything else) does any work.

For each request, in this order, each refusal a GraphQL-shaped error with a code in `extensions`:
the body size (413 REQUEST_TOO_LARGE, web/body_limit.py, while it is read), the JSON body's nesting and list
lengths (400 INPUT_TOO_LARGE), the document's length, tokens, depth, aliases and fields (400 QUERY_TOO_COMPLEX,
graphql/document_limits.py), then the rate limits (429 RATE_LIMITED with Retry-After, web/rate_limits.py).
Only then is the request handed on, with its body, to strawberry. Bodies that are not JSON, and documents
that do not parse, are handed on as they are: strawberry answers them as it always has.
"""
from __future__ import annotations

from typing import Any

from graphql import DocumentNode
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..graphql.document_limits import LimitExceeded, checked_document
from ..settings import Settings
from .json_limits import NotJson, decode_bounded
from .rate_limits import RATE_LIMITED, RateLimited, RequestRateLimiter, hits_for


def error_response(status: int, message: str, extensions: dict[str, object],
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message, "extensions": extensions}]}, status_code=status,
                        headers=headers)


class GraphQLGuard:
    def __init__(self, app: ASGIApp, settings: Settings, limiter: RequestRateLimiter) -> None:
        self.app = app
        self.settings = settings
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        body = await request.body() if scope["method"] == "POST" else b""
        try:
            await self.check(request, body)
        except LimitExceeded as exc:
            await error_response(exc.status, exc.message, exc.extensions())(scope, receive, send)
            return
        except RateLimited as exc:
            await error_response(429, str(exc), {"code": RATE_LIMITED, "retryAfter": exc.retry_after},
                                 {"retry-after": str(exc.retry_after)})(scope, receive, send)
            return
        await self.app(scope, _replay(body, receive), send)

    async def check(self, request: Request, body: bytes) -> None:
        """Raise LimitExceeded or RateLimited; return quietly for anything strawberry should answer itself."""
        limits = self.settings.limits
        try:
            if request.method == "GET":
                payload: Any = {k: v for k, v in request.query_params.items()}
                for key in ("variables", "extensions"):
                    if payload.get(key):
                        payload[key] = decode_bounded(payload[key], limits.max_json_depth, limits.max_list_length)
            elif "json" in request.headers.get("content-type", ""):
                payload = decode_bounded(body, limits.max_json_depth, limits.max_list_length)
            else:
                return
        except NotJson:
            return
        for item in payload if isinstance(payload, list) else [payload]:
            if not isinstance(item, dict) or not isinstance(item.get("query"), str):
                continue
            document = checked_document(item["query"], limits.document)
            variables: dict[str, Any] = item["variables"] if isinstance(item.get("variables"), dict) else {}
            operation = item.get("operationName") if isinstance(item.get("operationName"), str) else None
            if document is not None:
                await self.count(request, document, operation, variables)

    async def count(self, request: Request, document: DocumentNode, operation: str | None,
                    variables: dict[str, Any]) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
        client = request.client.host if request.client else "unknown"
        store = request.headers.get("saleor-api-url", "").strip().lower()
        hits = hits_for(document, operation, variables, client=client, token=bearer, store=store,
                        settings=self.settings)
        await self.limiter.check(hits)


def _replay(body: bytes, receive: Receive) -> Receive:
    """`receive` for the app behind: the body already read, then whatever the connection says next."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay

