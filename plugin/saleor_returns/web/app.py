"""The ASGI app: /graphql, /healthz, label downloads, and a start page."""
from __future__ import annotations

import logging
import time
from collections.abc import MutableMapping
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.asgi import GraphQL

from ..graphql.context import Context, build_context
from ..graphql.schema import schema
from ..services.context import Deps
from .labels import download_label
from .start_page import start_page

log = logging.getLogger("saleor_returns.http")


class ReturnsGraphQL(GraphQL):
    def __init__(self, deps: Deps, **kwargs: Any) -> None:
        super().__init__(schema, **kwargs)
        self.deps = deps

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        return build_context(self.deps, request)


class AccessLog:
    """One structured log line per request: method, path, status, duration."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start, status = time.perf_counter(), 500

        async def _send(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            log.info("request", extra={"method": scope["method"], "path": scope["path"], "status": status,
                                       "duration_ms": round((time.perf_counter() - start) * 1000, 2)})


def create_app(deps: Deps, *, graphiql: bool = True) -> Starlette:
    async def healthz(_: Request) -> Response:
        try:
            async with deps.uow(readonly=True) as tx:
                await tx.session.execute(text("SELECT 1"))
        except Exception as exc:  # the database is down: say so, do not crash
            log.warning("health check failed", extra={"error": str(exc)})
            return JSONResponse({"status": "unavailable", "error": "database"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def label(request: Request) -> Response:
        return await download_label(deps, request)

    async def index(request: Request) -> Response:
        return HTMLResponse(start_page(deps, str(request.base_url).rstrip("/")))

    gql = ReturnsGraphQL(deps, graphql_ide="graphiql" if graphiql else None)
    routes = [
        Route("/", index),
        Route("/healthz", healthz),
        Route("/labels/{label_id}.pdf", label),
        Route("/graphql", gql, methods=["GET", "POST"]),
        Mount("/graphql/", gql),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(AccessLog)])
    app.state.deps = deps
    return app
