"""Which e-mails a return's new events owe, and to whom: a pure function of the return and its events.

The unit of work calls it on commit for the events new in that transaction, so the outbox rows are saved in
the same transaction as the change that causes them. Each message's key names the return, the kind and the
event's position in the trail (events are only ever appended): the same event never makes two messages.

| event | message |
| --- | --- |
| REQUESTED, decided at once (APPROVED next) | REQUEST_RECEIVED: the number, what happens next |
| PENDING_REVIEW | UNDER_REVIEW to the shopper, STAFF_REVIEW_NEEDED to each staff address |
| APPROVED after a review | APPROVED |
| REJECTED | REJECTED, with the staff note |
| LABEL_ISSUED (the label is printable) | LABEL_READY, the PDF attached |
| RECEIVED | PARCEL_RECEIVED |
| REFUND_SUCCEEDED that makes the return fully refunded | KEEP_ITEM_REFUNDED or REFUND_SENT |
| LABEL_EXPIRING (the worker's reminder) | LABEL_EXPIRING, once per label |
| REFUND_SUCCEEDED as above, through the store-credit gateway | STORE_CREDIT_ISSUED, the code and what it is worth |
| EXCHANGE_CREATED | EXCHANGE_CREATED, the replacement's number |
| EXCHANGE_FAILED | EXCHANGE_FAILED: out of stock, refunded instead (by the method chosen) |
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from .events import EventType, ReturnEvent
from .money import Money
from .outbox import Notification, NotificationKind
from .returns import Return

K = NotificationKind


def messages_owed(ret: Return, first_new: int, staff: Sequence[str], new_id: Callable[[], str]) -> list[Notification]:
    """The messages the events `ret.events[first_new:]` cause (in the order of the trail)."""
    out: list[Notification] = []
    events = ret.events
    last_refund = max((i for i in range(first_new, len(events)) if events[i].type is EventType.REFUND_SUCCEEDED),
                      default=None)
    for i in range(first_new, len(events)):
        for kind, facts, key in _owed(ret, i, last_refund):
            recipients = staff if kind.for_staff else ([ret.customer_email] if ret.customer_email else [])
            for to in recipients:
                suffix = f":{to.lower()}" if kind.for_staff else ""
                out.append(Notification(
                    id=new_id(), tenant=ret.tenant, return_id=ret.id, kind=kind, to=to,
                    dedupe_key=f"{ret.id}:{kind.value}:{key}{suffix}"[:255], created_at=events[i].at,
                    to_name=None if kind.for_staff else ret.customer_name,
                    language=None if kind.for_staff else ret.language_code, facts=facts,
                    next_attempt_at=events[i].at))
    return out


def _owed(ret: Return, i: int, last_refund: int | None) -> list[tuple[NotificationKind, dict[str, Any], str]]:
    e = ret.events[i]
    base: dict[str, Any] = {"resolution": ret.resolution.value if ret.resolution else None}
    t = e.type
    if t is EventType.REQUESTED and _next_is(ret.events, i, EventType.APPROVED):
        return [(K.REQUEST_RECEIVED, {**base, **_amount(ret, ret.refund_total.amount)}, str(i))]
    if t is EventType.PENDING_REVIEW:
        review = {**base, "review_codes": [c.value for c in ret.decision.review_codes],
                  "exception_requested": ret.exception_requested, **_amount(ret, ret.refund_total.amount)}
        return [(K.UNDER_REVIEW, review, str(i)), (K.STAFF_REVIEW_NEEDED, review, str(i))]
    if t is EventType.APPROVED and any(p.type is EventType.PENDING_REVIEW for p in ret.events[:i]):
        return [(K.APPROVED, {**base, **_amount(ret, ret.refund_total.amount)}, str(i))]
    if t is EventType.REJECTED:
        return [(K.REJECTED, {**base, "note": e.note}, str(i))]
    if t is EventType.LABEL_ISSUED and (label := ret.active_label) is not None:
        return [(K.LABEL_READY, {**base, **_label(ret, e), "label_id": label.id}, str(i))]
    if t is EventType.RECEIVED:
        return [(K.PARCEL_RECEIVED, {**base, "refunded": ret.refunded >= ret.refund_total,
                                     **_amount(ret, ret.refund_total.amount)}, str(i))]
    if t is EventType.REFUND_SUCCEEDED and i == last_refund and ret.refund_total.amount > 0 \
            and ret.refunded >= ret.refund_total:
        if ret.refund_gateway is not None:  # store credit: the code, worth the refund plus the bonus
            return [(K.STORE_CREDIT_ISSUED, {**base, **_credit(ret)}, str(i))]
        kind = K.KEEP_ITEM_REFUNDED if ret.keeps_items else K.REFUND_SENT
        return [(kind, {**base, **_amount(ret, ret.refunded.amount)}, str(i))]
    if t is EventType.EXCHANGE_CREATED:
        items = [{"product": f"{ln.product_name} → {x.variant_name}", "quantity": ln.quantity} for ln, x in ret.swaps]
        return [(K.EXCHANGE_CREATED, {**base, "replacement_number": ret.exchange_order_number,
                                      "replacement_items": items}, str(i))]
    if t is EventType.EXCHANGE_FAILED:
        return [(K.EXCHANGE_FAILED, {**base, **_amount(ret, ret.refund_total.amount),
                                     "store_credit": ret.refund_gateway is not None}, str(i))]
    if t is EventType.LABEL_EXPIRING and (label := ret.active_label) is not None:
        expires = label.expires_at.isoformat() if label.expires_at else None
        return [(K.LABEL_EXPIRING, {**base, **_label(ret, e), "label_id": label.id, "expires_at": expires},
                 label.id)]
    return []


def _credit(ret: Return) -> dict[str, Any]:
    credited = [r for r in ret.refunds if r.gateway == ret.refund_gateway and r.psp_reference]
    base = sum((r.amount.amount for r in credited), Decimal(0))
    bonus = Money(base * (ret.credit_bonus_percent or Decimal(0)) / Decimal(100), ret.currency)
    return {**_amount(ret, (Money(base, ret.currency) + bonus).amount), "bonus": str(bonus.amount),
            "code": ", ".join(r.psp_reference or "" for r in credited)}


def _next_is(events: list[ReturnEvent], i: int, type_: EventType) -> bool:
    return i + 1 < len(events) and events[i + 1].type is type_


def _amount(ret: Return, amount: Any) -> dict[str, Any]:
    return {"amount": str(amount), "currency": ret.currency}


def _label(ret: Return, e: ReturnEvent) -> dict[str, Any]:
    """The label's facts: carrier, tracking number, and the ship-by moment the label itself prints."""
    label = ret.active_label
    assert label is not None
    return {"carrier": label.carrier, "tracking_number": label.tracking_number,
            "ship_by": _ship_by(ret, e.at, label.expires_at)}


def _ship_by(ret: Return, at: datetime, expires_at: datetime | None) -> str | None:
    """The one deadline while it is ahead; past it (grace, exceptions), the label's own expiry."""
    for moment in (ret.deadline, ret.grace_deadline):
        if moment is not None and moment > at:
            return moment.isoformat()
    return expires_at.isoformat() if expires_at else None
