"""The shopper's return portal (/portal) and the staff console (/console): static pages, no build step.

The pages are plain HTML + CSS + JavaScript modules from web/static/, installed with the package. They
talk to /graphql like any other client; nothing here reads the database.
"""
from __future__ import annotations

import json
import re
from functools import cache
from html import escape
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent / "static"

# Framed by storefronts (portal) and by the Saleor Dashboard (console): any ancestor may embed them.
# Logos of the store look may live on the shop's own host (https only).
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; connect-src 'self'; "
       "frame-ancestors *; base-uri 'none'; form-action 'self'; object-src 'none'")
# GraphiQL (our copy, web/static/graphiql): its editor sets inline styles; every script and request stays here.
GRAPHIQL_HEADERS = {"Content-Security-Policy": "default-src 'self'; script-src 'self'; "
                                               "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                                               "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
                                               "base-uri 'none'; object-src 'none'",
                    "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
PAGE_HEADERS = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache", "Referrer-Policy": "same-origin",
                "X-Content-Type-Options": "nosniff"}


@cache
def _template(name: str) -> str:
    return (STATIC_DIR / name / "index.html").read_text(encoding="utf-8")


LANGUAGES = ("en", "de", "fr", "es", "ja")  # the catalogs in static/shared/locales/
LOCALES_DIR = STATIC_DIR / "shared" / "locales"
_TEXT = re.compile(r"%%T:([a-zA-Z0-9_.]+)%%")


@cache
def catalog(lang: str) -> dict[str, Any]:
    """The message catalog of `lang` (the same JSON the pages load)."""
    return json.loads((LOCALES_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def lookup(lang: str, key: str) -> str:
    """A catalog entry ("portal.pageTitle"), falling back to English."""
    for source in (catalog(lang), catalog("en")):
        node: Any = source
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, str):
            return node
    return key


def page_language(request: Request) -> str:
    """The page's language before any script runs: ?locale=, else the browser's Accept-Language, else English.
    (The script then decides the same way, and also knows the order's language.)"""
    asked = [request.query_params.get("locale") or ""]
    for part in request.headers.get("accept-language", "").split(","):
        asked.append(part.split(";")[0].strip())
    for tag in asked:
        lang = tag.lower().split("-")[0]
        if lang in LANGUAGES:
            return lang
    return "en"


def render(name: str, request: Request) -> str:
    """The page with its base path filled in (so it works under a path prefix too), its language set, and the
    words it shows before the script runs (the noscript notice) taken from the catalogs."""
    base = escape(request.scope.get("root_path", "").rstrip("/"), quote=True)
    lang = page_language(request)
    page = _template(name).replace("%%BASE%%", base).replace("%%LANG%%", lang)
    return _TEXT.sub(lambda m: escape(lookup(lang, m.group(1))), page)


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
