"""How the Saleor Dashboard (3.20 to 3.23, src/extensions/urls.ts and hooks/useExtensions.ts) builds the URL
of the frame it opens for an app's APP_PAGE extension, so tests ask our app for exactly that URL.

The Dashboard navigates to /extensions/app/<app id><extension url>?<params> (params: e.g. `orderId` for
ORDER_DETAILS_MORE_ACTIONS), then frames urlJoin(appUrl, <that sub path>) with its own query appended:
`domain`, `saleorApiUrl`, `id` (the app's id), `theme`, after the page's own query. `url_join` is npm's
url-join (v5), which the Dashboard uses for both steps.
"""
from __future__ import annotations

import re
from urllib.parse import quote, urlencode, urlsplit


def url_join(*parts: str) -> str:
    """npm url-join 5: one slash between parts, no slash before `?`/`#`, later `?` become `&`."""
    items = list(parts)
    if re.match(r"^[^/:]+:/*$", items[0]) and len(items) > 1:
        items[1] = items.pop(0) + items[0]
    items[0] = re.sub(r"^([^/:]+):/*", r"\1://", items[0])
    out = []
    for i, part in enumerate(items):
        if part == "":
            continue
        if i > 0:
            part = re.sub(r"^/+", "", part)
        part = re.sub(r"/+$", "", part) if i < len(items) - 1 else re.sub(r"/+$", "/", part)
        out.append(part)
    joined = re.sub(r"/(\?|&|#[^!])", r"\1", "/".join(out))
    head, *rest = joined.split("?")
    return head + ("?" if rest else "") + "&".join(rest)


def extension_frame_url(*, app_url: str, extension_url: str, app_id: str, api_url: str | None,
                        params: dict[str, str] | None = None, theme: str = "light") -> str:
    """The iframe `src` the Dashboard opens when staff click an APP_PAGE extension of this app (`api_url` None:
    a stand-in Dashboard without a Saleor behind it, for the console of the standalone store)."""
    section = "/extensions/app/" + quote(app_id, safe="")
    dashboard = url_join(section, extension_url) + "?" + urlencode(params or {})  # resolveAppDeepUrl
    path, _, search = dashboard.partition("?")
    sub_path = path.replace(section, "", 1)  # resolveAppCompleteUrlFromDashboardUrl
    complete = url_join(app_url, sub_path)
    store = {"domain": urlsplit(api_url).netloc, "saleorApiUrl": api_url} if api_url else {}
    context = urlencode({**store, "id": app_id, "theme": theme})
    return url_join(complete, f"?{search}" if search else "", f"?{context}")  # resolveAppIframeUrl
