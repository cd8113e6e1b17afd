"""What the order notes in Saleor say about a return's money: the refund's real state when the return's note
is written (pending, failed, refunded; never "refunded" before it is), and one note per later outcome.

A refund paid outside Saleor's payment apps (RETURNS_REFUND_GATEWAY=stripe) is booked by its note and the
return's summary in the order's private metadata only: nothing Saleor could send to a payment app (a
granted refund could be, from the Dashboard), so the same money cannot go out twice from there.
"""
from __future__ import annotations

from ...domain.refunds import RefundStatus
from ...ports import RecordedRefund, ReturnRecord

NOTED = frozenset({RefundStatus.SUCCEEDED.value, RefundStatus.FAILED.value, RefundStatus.CANCELED.value})
SALEOR = "saleor"


def refund_step(refund: RecordedRefund) -> str:
    """The marker step that remembers which outcome of this refund the notes told."""
    return f"refund:{refund.refund_id}"


def refund_tag(refund: RecordedRefund) -> str:
    """The last words of a refund's outcome note: how it is found again after a crash."""
    return f"(saleor-returns refund {refund.refund_id[:8]} {refund.status.lower()})"


def refund_state(record: ReturnRecord) -> str:
    """The refund sentence of the return's own note, as things stand."""
    total = record.refund_total
    if not record.refunds:
        return f"Refund {total} to follow."
    parts = [_state_of(r) for r in record.refunds]
    return " ".join(parts)


def _state_of(refund: RecordedRefund) -> str:
    if refund.status == RefundStatus.SUCCEEDED.value:
        return f"Refunded {refund.amount} ({_how(refund)})."
    if refund.status in NOTED:
        return (f"Refund of {refund.amount} FAILED ({refund.failure or refund.status.lower()}): nothing was paid; "
                f"staff can retry it in the returns console.")
    waiting = "asked the store's payment app" if refund.gateway == SALEOR else f"waiting for {refund.gateway}"
    return f"Refund of {refund.amount} pending ({waiting}); its outcome will be noted here."


def refund_note(record: ReturnRecord, refund: RecordedRefund) -> str:
    """The note of one refund's outcome (success or failure), ending with its tag."""
    head = f"Return {record.number}:"
    if refund.status == RefundStatus.SUCCEEDED.value:
        text = f"{head} refund of {refund.amount} succeeded ({_how(refund)})."
    else:
        text = (f"{head} refund of {refund.amount} failed ({refund.failure or refund.status.lower()}). "
                f"Nothing was paid; staff can retry it in the returns console.")
    return f"{text} {refund_tag(refund)}"


def _how(refund: RecordedRefund) -> str:
    if refund.gateway == SALEOR:
        return f"by the store's payment app, granted refund {refund.reference or '?'}"
    return (f"paid through {refund.gateway}, {refund.reference or 'no reference'}; already paid to the shopper: "
            f"do not refund it again from the Dashboard")


def marker_refunds(record: ReturnRecord) -> list[dict[str, str]]:
    """The refunds as the return's summary in Saleor keeps them."""
    return [{"id": r.refund_id, "gateway": r.gateway, "status": r.status, "amount": str(r.amount.amount),
             "currency": r.amount.currency, "payment": r.payment_id, "reference": r.reference or ""}
            for r in record.refunds]
