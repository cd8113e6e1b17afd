"""The ASGI app: /graphql, the federation subgraph /graphql/federated, /healthz, label downloads, a start page."""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, MutableMapping
from typing import Any

from cross_web import HTTPException
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry import Schema
from strawberry.asgi import GraphQL

from ..graphql.context import Context, resolve_context
from ..graphql.federated_schema import federated_schema
from ..graphql.schema import schema
from ..services.context import Deps
from ..services.worker import run_worker
from ..settings import settings_of
from .carrier_webhooks import carrier_webhook_routes
from .labels import download_label
from .pages import GRAPHIQL_HEADERS, page_routes, render
from .saleor_app import saleor_routes
from .start_page import start_page
from .stripe_webhooks import stripe_webhook_route

log = logging.getLogger("saleor_returns.http")


class ReturnsGraphQL(GraphQL):
    def __init__(self, deps: Deps, served: Schema = schema, **kwargs: Any) -> None:
        super().__init__(served, **kwargs)
        self.deps = deps

    async def render_graphql_ide(self, request: Any) -> Response:  # type: ignore[override]
        """GraphiQL from our own static files (strawberry's page loads it from a public CDN): works offline."""
        return HTMLResponse(render("graphiql", request), headers=GRAPHIQL_HEADERS)

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        return await resolve_context(self.deps, request)  # the standalone store, or an installed Saleor

    def decode_json(self, data: str | bytes) -> object:
        """A 400 with a message for bodies that are not JSON objects (strawberry answers some with a 500)."""
        try:
            value = json.loads(data)
        except (UnicodeDecodeError, ValueError) as exc:
            raise HTTPException(400, "Unable to parse request body as JSON") from exc
        if not isinstance(value, dict | list):
            raise HTTPException(400, "The request body must be a JSON object")
        return value


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


def create_app(deps: Deps, *, graphiql: bool = True, background_work: bool = False) -> Starlette:
    """The ASGI app. `background_work`: run the worker in this process too (the demo: one process does it all,
    so a demo killed and restarted finishes what it left half done)."""
    async def healthz(_: Request) -> Response:
        try:
            async with deps.uow(readonly=True) as tx:
                if await tx.schema_version() is None:  # up and migrated
                    raise RuntimeError("not migrated")
        except Exception as exc:  # the database is down or not migrated: say so, do not crash
            log.warning("health check failed", extra={"error": str(exc)})
            return JSONResponse({"status": "unavailable", "error": "database"}, status_code=503)
        return JSONResponse({"status": "ok"})

    async def label(request: Request) -> Response:
        return await download_label(deps, request)

    async def index(request: Request) -> Response:
        return HTMLResponse(start_page(deps, str(request.base_url).rstrip("/")))

    gql = ReturnsGraphQL(deps, graphql_ide="graphiql" if graphiql else None)
    # the same API as a federation subgraph, for a gateway in front of Saleor and us (docs/storefront.md)
    federated = ReturnsGraphQL(deps, federated_schema, graphql_ide="graphiql" if graphiql else None)
    routes = [
        Route("/", index),
        Route("/healthz", healthz),
        Route("/labels/{label_id}.pdf", label),
        *carrier_webhook_routes(deps),
        Route("/graphql", gql, methods=["GET", "POST"]),
        Route("/graphql/federated", federated, methods=["GET", "POST"]),
        Mount("/graphql/", gql),
        stripe_webhook_route(deps),
        *page_routes(),
        *saleor_routes(deps),  # the Saleor App: manifest, register, webhooks (web/saleor_app.py)
    ]
    middleware = [Middleware(AccessLog)]
    if settings_of(deps).cors_origins:  # storefronts calling /graphql from their own pages (docs/storefront.md)
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(settings_of(deps).cors_origins),
                                     allow_methods=["GET", "POST"],
                                     allow_headers=["authorization", "content-type", "saleor-api-url"],
                                     max_age=600))
    lifespan = _worker_in_process(deps) if background_work else None
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.deps = deps
    return app


def _worker_in_process(deps: Deps) -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(run_worker(deps, interval=2.0, stop=stop))
        try:
            yield
        finally:
            stop.set()
            await task

    return lifespan
