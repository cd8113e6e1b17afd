"""The app manifest Saleor reads at install (GET /api/manifest): camelCase JSON, absolute URLs.

Mounts and targets are written in upper case: Saleor 3.20-3.22 accept only the enum names, 3.23+
stores any spelling lower-cased. Extension URLs are relative (APP_PAGE requires it on 3.20): the Dashboard
frames urlJoin(appUrl, url), so "/" opens appUrl itself (the console), and it adds the order's id as `orderId`
for the order-details action (`id` is the app's own id).
"""
from __future__ import annotations

from typing import Any

from ... import __version__
from .documents import webhook_query

PERMISSIONS = ["MANAGE_ORDERS", "HANDLE_PAYMENTS", "MANAGE_GIFT_CARD"]  # gift cards: store credit (exchanges)
REFUND_EVENTS = ["ORDER_REFUNDED", "ORDER_FULLY_REFUNDED", "ORDER_UPDATED"]
APP_PATH = "/console"
EXTENSION_URL = "/"  # relative to appUrl: the console itself
REGISTER_PATH = "/api/register"
WEBHOOK_PATH = "/api/webhooks/saleor"


def manifest(base_url: str, app_id: str) -> dict[str, Any]:
    """The manifest, with every URL under `base_url` (the address Saleor fetched the manifest from)."""
    base = base_url.rstrip("/")
    return {
        "id": app_id,
        "name": "Returns",
        "version": __version__,
        "about": "Self-service returns: a policy engine that decides at once, keep-the-item refunds, prepaid "
                 "labels, refunds through the store's own payment app, and a review queue for staff.",
        "author": "saleor-returns",
        "permissions": PERMISSIONS,
        "appUrl": base + APP_PATH,
        "tokenTargetUrl": base + REGISTER_PATH,
        "homepageUrl": base + "/",
        "requiredSaleorVersion": ">=3.20",
        "webhooks": [
            {"name": "saleor-returns: refunds", "targetUrl": base + WEBHOOK_PATH, "isActive": True,
             "asyncEvents": REFUND_EVENTS, "query": webhook_query("OrderRefundsChanged")},
            {"name": "saleor-returns: app deleted", "targetUrl": base + WEBHOOK_PATH, "isActive": True,
             "asyncEvents": ["APP_DELETED"], "query": webhook_query("AppDeleted")},
        ],
        "extensions": [
            {"label": "Returns", "mount": "NAVIGATION_ORDERS", "target": "APP_PAGE",
             "url": EXTENSION_URL, "permissions": ["MANAGE_ORDERS"]},
            {"label": "Returns of this order", "mount": "ORDER_DETAILS_MORE_ACTIONS", "target": "APP_PAGE",
             "url": EXTENSION_URL, "permissions": ["MANAGE_ORDERS"]},
        ],
    }
