"""Saleor tells us something (POST /api/webhooks/saleor, a signed subscription payload).

Refused, with nothing changed: an unknown or removed store, a missing or wrong signature (JWS RS256,
detached payload, checked against the store's JWKS, re-fetched once for an unknown key), a body that
is not an event of ours, and one issued too long ago. A body already applied (Saleor delivers again when our
answer was late or lost; a replay is the same bytes) is acknowledged and not applied again. Handlers are
idempotent too: a refund only moves from PENDING, an installation is only deactivated once.
"""
from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ...ports import RefundWord
from ...services.context import Deps
from ...services.saleor_refunds import confirm_grants
from ...settings import settings_of
from ..refunds.saleor_gateway import outcome_of
from .jwks import SignatureRejected, unverified_header, verify_detached
from .markers import recorded_only, refund_id_in
from .order_mapping import parse_datetime

log = logging.getLogger(__name__)
REFUND_EVENTS = frozenset({"OrderRefunded", "OrderFullyRefunded", "OrderUpdated"})
FUTURE_SKEW = timedelta(minutes=5)


class WebhookRefused(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class WebhookResult:
    event: str
    refunds_confirmed: int = 0
    uninstalled: bool = False
    recorded: list[str] = field(default_factory=list)
    duplicate: bool = False  # applied before: acknowledged, nothing done

    def as_json(self) -> dict[str, Any]:
        return {"status": "ok", "event": self.event, "refundsConfirmed": self.refunds_confirmed,
                "uninstalled": self.uninstalled, "duplicate": self.duplicate}


def wall_clock() -> datetime:
    """Signatures and token expiry are about real time, whatever clock the business rules use."""
    return datetime.now(UTC)


async def receive(base: Deps, headers: Mapping[str, str], body: bytes, now: datetime | None = None) -> WebhookResult:
    """Verify one delivery and apply it once (a repeat is acknowledged as a duplicate). Raises WebhookRefused
    (nothing changed)."""
    tenants = base.saleor
    installation = await tenants.installation(headers.get("saleor-api-url"))
    if installation is None:
        raise WebhookRefused("UNKNOWN_SALEOR", "this Saleor has not installed the app", 401)
    await _verify(tenants, installation, headers.get("saleor-signature"), body)
    payload = _payload(body)
    issued = _issued_at(payload, now or wall_clock(), settings_of(base).saleor.webhook_max_age)
    digest = hashlib.sha256(body).hexdigest()
    async with base.uow(readonly=True) as tx:
        if await tx.installations.delivery_seen(installation.api_url, digest):
            log.info("saleor webhook delivered again: already applied", extra={
                "api_url": installation.api_url, "event": payload["__typename"]})
            return WebhookResult(str(payload["__typename"]), duplicate=True)
    deps = await tenants.deps_for(base, installation.api_url) or base.for_tenant(installation.api_url, base.orders)
    result = await _apply(deps, installation, payload)
    async with base.uow() as tx:
        keep = settings_of(base).saleor.webhook_max_age + FUTURE_SKEW + timedelta(days=1)
        await tx.installations.record_delivery(installation.api_url, digest, result.event, issued, base.clock.now(),
                                               keep)
        await tx.commit()
    log.info("saleor webhook", extra={"api_url": installation.api_url, "event": result.event,
                                      "refunds_confirmed": result.refunds_confirmed, "uninstalled": result.uninstalled})
    return result


async def _verify(tenants: Any, installation: Any, signature: str | None, body: bytes) -> None:
    if not signature:
        raise WebhookRefused("UNSIGNED", "the Saleor-Signature header is missing", 401)
    try:
        kid = unverified_header(signature).get("kid")
        key = await tenants.signing_key(installation, kid)
        if key is None:
            raise SignatureRejected(f"no key {kid!r} in the store's JWKS")
        verify_detached(signature, body, key)
    except SignatureRejected as exc:
        log.warning("saleor webhook signature refused", extra={"api_url": installation.api_url, "reason": str(exc)})
        raise WebhookRefused("BAD_SIGNATURE", f"the signature does not verify: {exc}", 401) from exc


def _payload(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except ValueError as exc:
        raise WebhookRefused("MALFORMED", "the body is not JSON", 400) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("__typename"), str):
        raise WebhookRefused("MALFORMED", "the body is not a subscription event of this app", 400)
    return payload


def _issued_at(payload: dict[str, Any], now: datetime, max_age: timedelta) -> datetime:
    try:
        issued = parse_datetime(str(payload["issuedAt"]))
    except (KeyError, ValueError) as exc:
        raise WebhookRefused("MALFORMED", "the event has no issuedAt", 400) from exc
    if issued < now - max_age or issued > now + FUTURE_SKEW:
        raise WebhookRefused("STALE", f"the event was issued at {issued.isoformat()}, outside the accepted window",
                             400)
    return issued


async def _apply(deps: Deps, installation: Any, payload: dict[str, Any]) -> WebhookResult:
    kind = payload["__typename"]
    result = WebhookResult(kind)
    if kind == "AppDeleted":
        if (payload.get("app") or {}).get("id") == installation.app_id:
            async with deps.uow() as tx:
                result.uninstalled = await tx.installations.deactivate(installation.api_url, installation.app_id,
                                                                       deps.clock.now())
                await tx.commit()
            deps.saleor.forget(installation.api_url)
            log.info("saleor app uninstalled", extra={"api_url": installation.api_url})
    elif kind in REFUND_EVENTS and payload.get("order"):
        order = payload["order"]
        changed = await confirm_grants(deps, str(order.get("id")), words_of(list(order.get("grantedRefunds") or ())))
        result.refunds_confirmed = len(changed)  # the store's books follow each outcome (record_outcome)
    return result


def words_of(grants: list[dict[str, Any]]) -> list[RefundWord]:
    """Our granted refunds' statuses (grants that only book a refund paid elsewhere are left out)."""
    words = []
    for grant in grants:
        refund_id = refund_id_in(grant.get("reason"))
        if refund_id is not None and not recorded_only(grant.get("reason")):
            words.append(RefundWord(refund_id, outcome_of(grant)))
    return words
