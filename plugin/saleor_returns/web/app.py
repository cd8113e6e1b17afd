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
from .body_limit import BodyLimit
from .carrier_webhooks import carrier_webhook_routes
from .graphql_guard import GraphQLGuard
from .labels import download_label
from .offenders import Offenders
from .pages import GRAPHIQL_HEADERS, page_routes, render
from .rate_limits import RequestRateLimiter
from .saleor_app import MAX_REGISTER_BODY, MAX_WEBHOOK_BODY, saleor_routes
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
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # GraphQLGuard refuses deep ones first
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


def rate_limiter(deps: Deps) -> RequestRateLimiter:
    """Counters in the database (every replica counts together) or in this process (RETURNS_RATE_LIMIT_STORAGE)."""
    settings = settings_of(deps)
    if settings.rate_limits.storage_for(settings.database_url) == "database":
        from ..adapters.ratelimit.sql_storage import SqlCounterStorage

        return RequestRateLimiter(settings.rate_limits, SqlCounterStorage(deps.uow))  # type: ignore[arg-type]
    return RequestRateLimiter(settings.rate_limits)


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

    limiter = rate_limiter(deps)
    settings = settings_of(deps)
    gql = GraphQLGuard(ReturnsGraphQL(deps, graphql_ide="graphiql" if graphiql else None), settings,
                       limiter)  # limits before any work: web/graphql_guard.py
    # the same API as a federation subgraph, for a gateway in front of Saleor and us (docs/storefront.md)
    federated = GraphQLGuard(ReturnsGraphQL(deps, federated_schema, graphql_ide="graphiql" if graphiql else None),
                             settings, limiter)
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
                                     expose_headers=["retry-after"], max_age=600))
    # inside CORS, so a browser can read the 413; every route, webhooks included
    middleware.append(Middleware(BodyLimit, max_bytes=settings.limits.max_body_bytes, per_path={
        "/api/webhooks/saleor": MAX_WEBHOOK_BODY, "/api/register": MAX_REGISTER_BODY},
        offenders=Offenders(settings.rate_limits.refused_per_address)))
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
