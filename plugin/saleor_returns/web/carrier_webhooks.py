"""POST /webhooks/easypost (X-Hmac-Signature verified) and POST /webhooks/shippo (?token= verified):
tracking updates from the carriers, turned into TrackingUpdate and applied once (services/tracking.py)."""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import unicodedata
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..services.context import Deps
from ..services.tracking import ParcelStatus, TrackingUpdate, apply_tracking
from ..settings import settings_of

log = logging.getLogger(__name__)
MAX_BODY = 1_000_000

EASYPOST_STATUS = {"pre_transit": ParcelStatus.PRE_TRANSIT, "in_transit": ParcelStatus.IN_TRANSIT,
                   "out_for_delivery": ParcelStatus.OUT_FOR_DELIVERY, "delivered": ParcelStatus.DELIVERED,
                   "available_for_pickup": ParcelStatus.OUT_FOR_DELIVERY,
                   "return_to_sender": ParcelStatus.RETURNED, "failure": ParcelStatus.FAILURE,
                   "error": ParcelStatus.FAILURE, "cancelled": ParcelStatus.FAILURE}
SHIPPO_STATUS = {"PRE_TRANSIT": ParcelStatus.PRE_TRANSIT, "TRANSIT": ParcelStatus.IN_TRANSIT,
                 "DELIVERED": ParcelStatus.DELIVERED, "RETURNED": ParcelStatus.RETURNED,
                 "FAILURE": ParcelStatus.FAILURE}


def carrier_webhook_routes(deps: Deps) -> list[Route]:
    """The two webhook routes, bound to `deps`."""
    async def easypost(request: Request) -> Response:
        return await easypost_webhook(deps, request)

    async def shippo(request: Request) -> Response:
        return await shippo_webhook(deps, request)

    return [Route("/webhooks/easypost", easypost, methods=["POST"]),
            Route("/webhooks/shippo", shippo, methods=["POST"])]


def _problem(status: int, code: str, message: str) -> Response:
    return JSONResponse({"code": code, "message": message}, status_code=status)


def easypost_signature_ok(body: bytes, header: str | None, secret: str) -> bool:
    """EasyPost's check (easypost.util.validate_webhook): HMAC-SHA256 of the raw body with the NFKD-normalised
    secret, sent as "hmac-sha256-hex=<hex>"; compared in constant time."""
    if not header or not secret:
        return False
    digest = hmac.new(unicodedata.normalize("NFKD", secret).encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(("hmac-sha256-hex=" + digest).encode(), header.strip().encode())


async def easypost_webhook(deps: Deps, request: Request) -> Response:
    secret = settings_of(deps).carriers.easypost_webhook_secret
    if not secret:
        return _problem(404, "NOT_CONFIGURED", "EasyPost webhooks are not set up (EASYPOST_WEBHOOK_SECRET).")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _problem(413, "TOO_LARGE", "The body is too large.")
    if not easypost_signature_ok(body, request.headers.get("x-hmac-signature"), secret):
        log.warning("easypost webhook with a bad signature")
        return _problem(401, "BAD_SIGNATURE", "The X-Hmac-Signature does not match.")
    try:
        update = _easypost_update(json.loads(body))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return _problem(400, "BAD_PAYLOAD", f"Not an EasyPost tracker event: {exc}")
    return await _apply(deps, update)


def _easypost_update(event: dict[str, Any]) -> TrackingUpdate | None:
    if event.get("object") != "Event" or not str(event.get("description", "")).startswith("tracker."):
        return None
    tracker = event["result"]
    status = EASYPOST_STATUS.get(str(tracker.get("status")), ParcelStatus.UNKNOWN)
    details = tracker.get("tracking_details") or []
    last = details[-1] if details else {}
    return TrackingUpdate(carrier="easypost", event_id=str(event["id"]), tracking_number=str(tracker["tracking_code"]),
                          status=status, detail=last.get("message") or tracker.get("status_detail"),
                          occurred_at=_when(last.get("datetime")))


async def shippo_webhook(deps: Deps, request: Request) -> Response:
    token = settings_of(deps).carriers.shippo_webhook_token
    if not token:
        return _problem(404, "NOT_CONFIGURED", "Shippo webhooks are not set up (SHIPPO_WEBHOOK_TOKEN).")
    given = request.query_params.get("token", "")
    if not hmac.compare_digest(given.encode(), token.encode()):
        log.warning("shippo webhook with a bad token")
        return _problem(401, "BAD_TOKEN", "The token in the webhook URL does not match.")
    body = await request.body()
    if len(body) > MAX_BODY:
        return _problem(413, "TOO_LARGE", "The body is too large.")
    try:
        update = _shippo_update(json.loads(body))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return _problem(400, "BAD_PAYLOAD", f"Not a Shippo track_updated event: {exc}")
    return await _apply(deps, update)


def _shippo_update(payload: dict[str, Any]) -> TrackingUpdate | None:
    if payload.get("event") != "track_updated":
        return None
    data = payload["data"]
    tracking = str(data["tracking_number"])
    status_obj = data.get("tracking_status") or {}
    raw = str(status_obj.get("status", "UNKNOWN"))
    # track_updated is not idempotent and carries no event id: the status object's id, or what it says
    event_id = status_obj.get("object_id") or hashlib.sha256(
        f"{tracking}|{raw}|{status_obj.get('status_date')}|{status_obj.get('status_details')}".encode()).hexdigest()
    return TrackingUpdate(carrier="shippo", event_id=str(event_id), tracking_number=tracking,
                          status=SHIPPO_STATUS.get(raw, ParcelStatus.UNKNOWN), detail=status_obj.get("status_details"),
                          occurred_at=_when(status_obj.get("status_date")))


async def _apply(deps: Deps, update: TrackingUpdate | None) -> Response:
    if update is None:
        return JSONResponse({"status": "ignored"})
    applied = await apply_tracking(deps, update)
    log.info("carrier webhook", extra={"carrier": update.carrier, "tracking": update.tracking_number,
                                       "parcel_status": update.status.value, "applied": applied.value})
    return JSONResponse({"status": applied.value})


def _when(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None
