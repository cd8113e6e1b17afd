"""Rows ↔ domain objects: the one place that knows how a return is laid out in tables."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from ...domain.actors import Actor
from ...domain.codes import EligibilityCode
from ...domain.decision_record import DecisionRecord, RefusedLine, ReviewCode, RuleVerdict
from ...domain.events import EventType, ReturnEvent
from ...domain.exchanges import RefundMethod
from ...domain.labels import Label, LabelErrorCode, LabelStatus, VoidStatus
from ...domain.lifecycle import Resolution, ReturnStatus
from ...domain.money import Money
from ...domain.policy import RefundTiming
from ...domain.refunds import Refund, RefundStatus
from ...domain.return_exchange import ExchangeStatus, LineExchange
from ...domain.returns import Return, ReturnLine
from .snapshot_json import snapshot_from_json, snapshot_to_json


# --- the decision record (a JSON column) ----------------------------------------------------------
def decision_to_json(d: DecisionRecord) -> dict[str, Any]:
    return {
        "trace": [{"rule": t.rule, "verdict": t.verdict, "detail": t.detail} for t in d.trace],
        "review_codes": [c.value for c in d.review_codes],
        "flags": [f.value for f in d.flags],
        "refused": [{"orderLineId": r.order_line_id, "quantity": r.quantity, "codes": [c.value for c in r.codes]}
                    for r in d.refused],
        "refund_timing": d.refund_timing.value,
        "restocking_fee": str(d.restocking_fee),
        "capped": d.capped,
    }


def decision_from_json(raw: dict[str, Any] | None) -> DecisionRecord:
    raw = raw or {}
    return DecisionRecord(
        trace=tuple(RuleVerdict(t["rule"], t["verdict"], t["detail"]) for t in raw.get("trace", ())),
        review_codes=tuple(_review(c) for c in raw.get("review_codes", ())),
        flags=tuple(EligibilityCode(f) for f in raw.get("flags", ()) if f in EligibilityCode.__members__),
        refused=tuple(RefusedLine(r["orderLineId"], int(r["quantity"]),
                                  tuple(EligibilityCode(c) for c in r.get("codes", ())))
                      for r in raw.get("refused", ())),
        refund_timing=RefundTiming(raw.get("refund_timing") or RefundTiming.ON_RECEIPT.value),
        restocking_fee=Decimal(str(raw.get("restocking_fee") or "0")),
        capped=bool(raw.get("capped", False)))


def _review(code: str) -> ReviewCode:
    return ReviewCode(code) if code in ReviewCode.__members__ else ReviewCode.EXCEPTION_REQUESTED


# --- rows → domain ------------------------------------------------------------------------------
def return_from_row(row: Any, lines: Sequence[Any], refunds: Sequence[Any], labels: Sequence[Any],
                    events: Sequence[Any]) -> Return:
    """A return from its row and its children's rows (Core rows or ORM objects: read by attribute)."""
    cur = row.currency
    return Return(
        id=row.id, number=row.number, tenant=row.tenant, order_id=row.order_id, order_number=row.order_number,
        channel=row.channel, timezone=row.timezone, customer_email=row.customer_email, customer_id=row.customer_id,
        status=ReturnStatus(row.status), resolution=Resolution(row.resolution) if row.resolution else None,
        refund_total=Money(row.refund_total, cur), shipping_deduction=Money(row.shipping_deduction, cur),
        shipping_refund=Money(row.shipping_refund, cur), policy_version=row.policy_version,
        decision=decision_from_json(row.decision), created_at=row.created_at, updated_at=row.updated_at,
        out_of_policy=row.out_of_policy, exception_requested=row.exception_requested, deadline=row.deadline,
        grace_deadline=row.grace_deadline, note=row.note,
        lines=[ReturnLine(ln.order_line_id, ln.product_name, ln.sku, ln.quantity, ln.reason, ln.comment,
                          Money(ln.refund_amount, cur), _line_exchange(ln, cur)) for ln in lines],
        refunds=[refund_from_row(r) for r in refunds],
        labels=[label_from_row(lb) for lb in labels],
        events=[ReturnEvent(e.at, Actor.from_label(e.actor), EventType.parse(e.type), e.note, e.id, e.type)
                for e in events],
        refund_due_at=row.refund_due_at, record_due_at=row.record_due_at, language_code=row.language_code,
        customer_name=row.customer_name, seen=snapshot_from_json(row.decision_seen),
        refund_method=RefundMethod(row.refund_method or RefundMethod.ORIGINAL_PAYMENT.value),
        credit_bonus_percent=row.credit_bonus_percent,
        exchange_status=ExchangeStatus(row.exchange_status) if row.exchange_status else None,
        exchange_order_id=row.exchange_order_id, exchange_order_number=row.exchange_order_number,
        exchange_note=row.exchange_note, exchange_due_at=row.exchange_due_at,
        instant_exchange=bool(row.instant_exchange), version=row.version)


def _line_exchange(ln: Any, currency: str) -> LineExchange | None:
    if ln.exchange_variant_id is None:
        return None
    full = ln.exchange_full_refund if ln.exchange_full_refund is not None else ln.refund_amount
    return LineExchange(ln.exchange_variant_id, ln.exchange_variant_name or ln.exchange_variant_id, ln.exchange_sku,
                        Money(full, currency))


def refund_from_row(r: Any) -> Refund:
    return Refund(id=r.id, payment_id=r.payment_id, payment_reference=r.payment_reference, gateway=r.gateway,
                  amount=Money(r.amount, r.currency), created_at=r.created_at, status=RefundStatus(r.status),
                  idempotency_key=r.idempotency_key, psp_reference=r.psp_reference, failure_code=r.failure_code,
                  failure_message=r.failure_message, attempts=r.attempts, next_attempt_at=r.next_attempt_at,
                  updated_at=r.updated_at, provider_updated_at=r.provider_updated_at,
                  retrying_since=r.retrying_since)


def label_from_row(lb: Any) -> Label:
    cost = Money(lb.cost, lb.currency) if lb.cost is not None and lb.currency else None
    return Label(id=lb.id, carrier=lb.carrier, created_at=lb.created_at, status=LabelStatus(lb.status),
                 purchase_key=lb.purchase_key, tracking_number=lb.tracking_number,
                 carrier_reference=lb.carrier_reference, cost=cost, expires_at=lb.expires_at,
                 label_format=lb.label_format, qr_code_url=lb.qr_code_url, attempts=lb.attempts,
                 next_attempt_at=lb.next_attempt_at, error_code=LabelErrorCode.parse(lb.error_code),
                 error_message=lb.error_message, voided_at=lb.voided_at,
                 void_status=VoidStatus(lb.void_status) if lb.void_status else None,
                 void_attempts=lb.void_attempts, carrier_voided_at=lb.carrier_voided_at,
                 first_scan_at=lb.first_scan_at, delivered_at=lb.delivered_at,
                 expiry_reminded_at=lb.expiry_reminded_at)


# --- domain → rows (column values, written by adapters/db/returns.py) -----------------------------
def return_insert_values(ret: Return) -> dict[str, Any]:
    """A new return's row; its number is set from the sequence once the insert gave it."""
    return {"id": ret.id, "number": ret.number or f"~{ret.id.replace('-', '')[:24]}", "tenant": ret.tenant,
            "order_id": ret.order_id, "order_number": ret.order_number, "channel": ret.channel,
            "timezone": ret.timezone, "customer_email": ret.customer_email, "customer_id": ret.customer_id,
            "currency": ret.currency, "policy_version": ret.policy_version, "created_at": ret.created_at,
            "exception_requested": ret.exception_requested, "language_code": ret.language_code,
            "customer_name": ret.customer_name,
            "decision_seen": snapshot_to_json(ret.seen) if ret.seen is not None else None,
            "refund_method": ret.refund_method.value, "credit_bonus_percent": ret.credit_bonus_percent,
            "instant_exchange": ret.instant_exchange, "version": ret.version, **return_values(ret)}


def return_values(ret: Return) -> dict[str, Any]:
    """What may change on a return's row."""
    return {"status": ret.status.value, "resolution": ret.resolution.value if ret.resolution else None,
            "refund_total": ret.refund_total.amount, "shipping_deduction": ret.shipping_deduction.amount,
            "shipping_refund": ret.shipping_refund.amount, "out_of_policy": ret.out_of_policy,
            "deadline": ret.deadline, "grace_deadline": ret.grace_deadline, "updated_at": ret.updated_at,
            "refund_due_at": ret.refund_due_at, "record_due_at": ret.record_due_at, "note": ret.note,
            "exchange_status": ret.exchange_status.value if ret.exchange_status else None,
            "exchange_order_id": ret.exchange_order_id, "exchange_order_number": ret.exchange_order_number,
            "exchange_note": ret.exchange_note, "exchange_due_at": ret.exchange_due_at,
            "decision": decision_to_json(ret.decision)}


def line_insert_values(return_seq: int, ln: ReturnLine) -> dict[str, Any]:
    return {"return_seq": return_seq, "order_line_id": ln.order_line_id, "product_name": ln.product_name,
            "sku": ln.sku, "quantity": ln.quantity, "reason": ln.reason, "comment": ln.comment,
            **line_values(ln)}


def line_values(ln: ReturnLine) -> dict[str, Any]:
    """What may change on a line (a replacement out of stock turns its line into a plain refund)."""
    x = ln.exchange
    return {"refund_amount": ln.refund.amount, "exchange_variant_id": x.variant_id if x else None,
            "exchange_variant_name": x.variant_name if x else None, "exchange_sku": x.sku if x else None,
            "exchange_full_refund": x.full_refund.amount if x else None}


def refund_insert_values(return_seq: int, ret: Return, r: Refund) -> dict[str, Any]:
    return {"id": r.id, "return_seq": return_seq, "tenant": ret.tenant, "order_id": ret.order_id,
            "payment_id": r.payment_id, "payment_reference": r.payment_reference, "gateway": r.gateway,
            "amount": r.amount.amount, "currency": r.amount.currency, "idempotency_key": r.idempotency_key,
            "created_at": r.created_at, **refund_values(r)}


def refund_values(r: Refund) -> dict[str, Any]:
    """What may change on a refund."""
    return {"status": r.status.value, "psp_reference": r.psp_reference, "failure_code": r.failure_code,
            "failure_message": r.failure_message, "attempts": r.attempts, "next_attempt_at": r.next_attempt_at,
            "updated_at": r.updated_at or r.created_at, "provider_updated_at": r.provider_updated_at,
            "retrying_since": r.retrying_since}


def label_insert_values(return_seq: int, lb: Label) -> dict[str, Any]:
    return {"id": lb.id, "return_seq": return_seq, "carrier": lb.carrier, "created_at": lb.created_at,
            "pdf": lb.pdf or b"", **label_values(lb)}


def label_values(lb: Label) -> dict[str, Any]:
    """What may change on a label (its PDF apart: only a label issued in this unit of work carries it)."""
    return {"status": lb.status.value, "purchase_key": lb.purchase_key, "tracking_number": lb.tracking_number,
            "carrier_reference": lb.carrier_reference, "cost": lb.cost.amount if lb.cost else None,
            "currency": lb.cost.currency if lb.cost else None, "expires_at": lb.expires_at,
            "label_format": lb.label_format, "qr_code_url": lb.qr_code_url, "attempts": lb.attempts,
            "next_attempt_at": lb.next_attempt_at, "error_code": lb.error_code.value if lb.error_code else None,
            "error_message": lb.error_message, "voided_at": lb.voided_at,
            "void_status": lb.void_status.value if lb.void_status else None, "void_attempts": lb.void_attempts,
            "carrier_voided_at": lb.carrier_voided_at, "first_scan_at": lb.first_scan_at,
            "delivered_at": lb.delivered_at, "expiry_reminded_at": lb.expiry_reminded_at}


def event_values(return_seq: int, e: ReturnEvent) -> dict[str, Any]:
    """One new line of a return's trail, as inserted (in bulk: the trail is only appended to)."""
    return {"return_seq": return_seq, "at": e.at, "actor": e.actor.label[:320], "type": e.type_name, "note": e.note}
