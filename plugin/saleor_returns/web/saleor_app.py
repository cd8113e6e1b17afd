"""The Saleor App endpoints: GET /api/manifest, POST /api/register, POST /api/webhooks/saleor."""
from __future__ import annotations

import json
import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..adapters.saleor.install import InstallRefused, register
from ..adapters.saleor.manifest import REGISTER_PATH, WEBHOOK_PATH, manifest
from ..adapters.saleor.webhooks import WebhookRefused, receive
from ..services.context import Deps
from ..settings import settings_of

log = logging.getLogger(__name__)
MAX_REGISTER_BODY = 16 * 1024
MAX_WEBHOOK_BODY = 5 * 1024 * 1024


def saleor_routes(deps: Deps) -> list[BaseRoute]:
    """Routes for web/app.py (none when the app runs without the Saleor tenants wired in)."""
    if deps.saleor is None:
        return []

    async def manifest_endpoint(request: Request) -> Response:
        # Saleor fetches the manifest with a Host header that drops the port (requests-hardened): the
        # configured public URL wins over the request's own
        base = settings_of(deps).saleor.public_url or str(request.base_url)
        return JSONResponse(manifest(base, settings_of(deps).saleor.app_id))

    async def register_endpoint(request: Request) -> Response:
        body = await _body(request, MAX_REGISTER_BODY)
        if body is None:
            return _error("TOO_LARGE", "the request body is too large", 413)
        try:
            data: Any = json.loads(body or b"{}")
            installed = await register(deps, api_url=request.headers.get("saleor-api-url"),
                                       auth_token=data.get("auth_token") if isinstance(data, dict) else None,
                                       domain=request.headers.get("saleor-domain"),
                                       schema_version=request.headers.get("saleor-schema-version"))
        except ValueError:
            return _error("INVALID_BODY", "the body must be JSON: {\"auth_token\": \"...\"}", 400)
        except InstallRefused as exc:
            log.warning("install refused", extra={"code": exc.code, "reason": exc.message})
            return _error(exc.code, exc.message, exc.status)
        return JSONResponse({"success": True, "appId": installed.app_id})

    async def webhook_endpoint(request: Request) -> Response:
        body = await _body(request, MAX_WEBHOOK_BODY)
        if body is None:
            return _error("TOO_LARGE", "the request body is too large", 413)
        try:
            result = await receive(deps, request.headers, body)
        except WebhookRefused as exc:
            return _error(exc.code, exc.message, exc.status)
        return JSONResponse(result.as_json())

    return [
        Route("/api/manifest", manifest_endpoint, methods=["GET"]),
        Route(REGISTER_PATH, register_endpoint, methods=["POST"]),
        Route(WEBHOOK_PATH, webhook_endpoint, methods=["POST"]),
    ]


async def _body(request: Request, limit: int) -> bytes | None:
    """The raw body (signatures cover the exact bytes), or None beyond `limit` bytes."""
    if int(request.headers.get("content-length") or 0) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _error(code: str, message: str, status: int) -> JSONResponse:
    """Saleor shows `error.message` to whoever installs the app."""
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)
