"""Stripe's JSON (refund objects and webhook events) read into our words. Pure mapping, no I/O."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from ...domain.money import Money, UnknownCurrency
from ...domain.refunds import RefundOutcome, RefundStatus
from ...ports import ProviderEvent, ProviderRefund
from .stripe_units import UnrepresentableAmount, from_minor

PROVIDER = "stripe"
STATUS = {
    "pending": RefundStatus.PENDING,
    "requires_action": RefundStatus.REQUIRES_ACTION,
    "succeeded": RefundStatus.SUCCEEDED,
    "failed": RefundStatus.FAILED,
    "canceled": RefundStatus.CANCELED,
}
# Refund.failure_reason (Stripe's documented values) → what staff read next to the code
FAILURE_REASONS = {
    "lost_or_stolen_card": "the card was reported lost or stolen; the money is back in the Stripe balance",
    "expired_or_canceled_card": "the card has expired or was cancelled; the money is back in the Stripe balance",
    "charge_for_pending_refund_disputed": "the shopper disputed the charge while the refund was pending",
    "insufficient_funds": "the Stripe balance could not cover the refund",
    "declined": "the card issuer declined the refund",
    "merchant_request": "the refund was cancelled at the store's request",
    "unknown": "Stripe gave no reason",
}
# webhook event types that carry a Refund object as data.object
REFUND_EVENTS = frozenset({"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"})


def refund_status(raw: str | None) -> RefundStatus:
    """Stripe's refund status; anything new or missing counts as still pending (never as final)."""
    return STATUS.get(raw or "", RefundStatus.PENDING)


def _failure(refund: Mapping[str, Any], status: RefundStatus) -> tuple[str | None, str | None]:
    if status is RefundStatus.FAILED:
        reason = refund.get("failure_reason") or "unknown"
        return reason, FAILURE_REASONS.get(reason, f"Stripe says: {reason}")
    if status is RefundStatus.CANCELED:
        return "canceled", "the refund was cancelled in Stripe"
    if status is RefundStatus.REQUIRES_ACTION:
        return "requires_action", "Stripe needs the shopper to act (e.g. give bank details) before it pays out"
    return None, None


def outcome_of(refund: Mapping[str, Any]) -> RefundOutcome:
    """What a created or retrieved refund means for us. `pending` and `requires_action` stay as they are."""
    status = refund_status(refund.get("status"))
    code, message = _failure(refund, status)
    return RefundOutcome(status, psp_reference=refund.get("id"), failure_code=code, failure_message=message)


def _amount(refund: Mapping[str, Any]) -> Money | None:
    try:
        return from_minor(int(refund["amount"]), str(refund["currency"]).upper())
    except (KeyError, TypeError, ValueError, UnrepresentableAmount, UnknownCurrency):
        return None


def _payment(refund: Mapping[str, Any]) -> str | None:
    for key in ("payment_intent", "charge"):
        value = refund.get(key)
        if isinstance(value, Mapping):  # expanded
            value = value.get("id")
        if value:
            return str(value)
    return None


def provider_refund(refund: Mapping[str, Any]) -> ProviderRefund:
    """A Stripe Refund object (as a dict) as the provider's view of one refund."""
    status = refund_status(refund.get("status"))
    code, message = _failure(refund, status)
    metadata = refund.get("metadata") or {}
    return ProviderRefund(provider_id=str(refund["id"]), payment_reference=_payment(refund), amount=_amount(refund),
                          status=status, refund_id=metadata.get("refund_id"), failure_code=code,
                          failure_message=message)


class NotAnEvent(ValueError):
    """The body is JSON but not a Stripe event."""


def provider_event(event: Mapping[str, Any]) -> ProviderEvent:
    """A verified Stripe event; `refund` is set for the refund event types, None for every other type."""
    try:
        event_id, type_, created = str(event["id"]), str(event["type"]), int(event["created"])
        obj = event["data"]["object"]
    except (KeyError, TypeError, ValueError) as exc:
        raise NotAnEvent(f"not a Stripe event: {exc}") from exc
    refund = None
    if type_ in REFUND_EVENTS and isinstance(obj, Mapping) and obj.get("object") == "refund" and obj.get("id"):
        refund = provider_refund(obj)
    return ProviderEvent(provider=PROVIDER, event_id=event_id, type=type_,
                         created=datetime.fromtimestamp(created, UTC), refund=refund)
