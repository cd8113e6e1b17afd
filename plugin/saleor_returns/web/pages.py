"""The shopper's return portal (/portal) and the staff console (/console): static pages, no build step.

The pages are plain HTML + CSS + JavaScript modules from web/static/, installed with the package. They
talk to /graphql like any other client; nothing here reads the database.
"""
from __future__ import annotations

from functools import cache
from html import escape
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent / "static"

# Framed by storefronts (portal) and by the Saleor Dashboard (console): any ancestor may embed them.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "frame-ancestors *; base-uri 'none'; form-action 'self'; object-src 'none'")
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache", "Referrer-Policy": "same-origin",
                "X-Content-Type-Options": "nosniff"}


@cache
def _template(name: str) -> str:
    return (STATIC_DIR / name / "index.html").read_text(encoding="utf-8")


def render(name: str, request: Request) -> str:
    """The page with its base path filled in, so it works under a path prefix too."""
    base = escape(request.scope.get("root_path", "").rstrip("/"), quote=True)
    return _template(name).replace("%%BASE%%", base)


async def portal(request: Request) -> Response:
    return HTMLResponse(render("portal", request), headers=PAGE_HEADERS)


async def console(request: Request) -> Response:
    return HTMLResponse(render("console", request), headers=PAGE_HEADERS)


class Assets(StaticFiles):
    """The pages' CSS and JavaScript; revalidated on every load so an upgrade shows at once."""

    def file_response(self, full_path, stat_result, scope: Scope, status_code: int = 200) -> Response:  # type: ignore[no-untyped-def]
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def page_routes() -> list[BaseRoute]:
    """Routes for web/app.py: the two pages (with deep links) and their assets."""
    return [
        Route("/portal", portal),
        Route("/portal/returns/{return_id}", portal),
        Route("/console", console),
        Mount("/static", Assets(directory=STATIC_DIR), name="static"),
    ]
