"""POST /webhooks/stripe: Stripe's refund events, signature-checked, then applied once.

Answers 200 for every verified event (also the ones we ignore, so Stripe stops resending them),
400 with a JSON `code` for a missing or wrong signature, a stale timestamp or a body that is not
an event (nothing is changed), 503 when no signing secret is configured, and 500 when saving
failed (Stripe resends; the event id makes the resend harmless).
"""
from __future__ import annotations

import json
import logging

import stripe
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..adapters.refunds.stripe_objects import NotAnEvent, provider_event
from ..services.context import Deps
from ..services.refund_events import apply_provider_event
from ..settings import settings_of

log = logging.getLogger(__name__)
TOLERANCE_SECONDS = 300  # Stripe's default: older signed timestamps are replays


def _refuse(code: str, message: str, status: int = 400) -> Response:
    log.warning("stripe webhook refused", extra={"code": code, "detail": message})
    return JSONResponse({"code": code, "message": message}, status_code=status)


def _only_too_old(payload: bytes, header: str | None, secret: str) -> bool:
    """Whether the signature is Stripe's and only its timestamp is past the tolerance (a replay)."""
    try:
        stripe.WebhookSignature.verify_header(payload, header, secret, tolerance=None)
    except stripe.SignatureVerificationError:
        return False
    return True


async def stripe_webhook(deps: Deps, request: Request) -> Response:
    """Verify the Stripe-Signature of the raw body, then apply the event to our refund (once)."""
    secret = settings_of(deps).stripe_webhook_secret
    if not secret:
        return _refuse("WEBHOOK_NOT_CONFIGURED", "set STRIPE_WEBHOOK_SECRET to receive Stripe events", 503)
    payload = await request.body()
    header = request.headers.get("stripe-signature")
    try:
        event = stripe.Webhook.construct_event(payload, header, secret, tolerance=TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as err:
        if _only_too_old(payload, header, secret):
            return _refuse("STALE_TIMESTAMP", f"the signed timestamp is older than {TOLERANCE_SECONDS} s")
        return _refuse("BAD_SIGNATURE", str(err.user_message or "the Stripe-Signature header does not match"))
    except (ValueError, TypeError, AttributeError) as err:  # signed, yet not a JSON event
        return _refuse("BAD_PAYLOAD", f"not a Stripe event: {err}")
    try:
        parsed = provider_event(event.to_dict())
    except NotAnEvent as err:
        return _refuse("BAD_PAYLOAD", str(err))
    result = await apply_provider_event(deps, parsed)
    return Response(json.dumps({"received": True, "result": result.value}), media_type="application/json")


def stripe_webhook_route(deps: Deps) -> Route:
    """The route web/app.py mounts: POST /webhooks/stripe."""
    async def endpoint(request: Request) -> Response:
        return await stripe_webhook(deps, request)

    return Route("/webhooks/stripe", endpoint, methods=["POST"])
