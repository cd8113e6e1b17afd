"""The page at / : what this server is and where to go next."""
from __future__ import annotations

from html import escape

from ..services.context import Deps


def start_page(deps: Deps, base: str) -> str:
    b = escape(base)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>saleor-returns</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;color:#222}}
code{{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}}</style></head>
<body><h1>saleor-returns</h1>
<p>Self-service returns for Saleor stores. Tenant <code>{escape(deps.tenant)}</code>.</p>
<ul>
<li><a href="{b}/portal">Return portal</a> (shoppers: order number + e-mail)</li>
<li><a href="{b}/console">Returns console</a> (staff: the admin token, or inside the Saleor Dashboard)</li>
<li><a href="{b}/graphql">GraphQL API</a> (GraphiQL in the browser, <code>POST</code> for clients)</li>
<li><a href="{b}/healthz">Health</a></li>
</ul>
<p>Staff operations need <code>Authorization: Bearer &lt;admin token&gt;</code>; the demo prints it at start.</p>
</body></html>"""
