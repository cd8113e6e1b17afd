"""Returns built by hand for the persistence contract tests: every field set, so a round trip through a
repository shows what it keeps. Nothing here decides anything; the domain's moves are tested elsewhere."""
from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from saleor_returns.domain.actors import SYSTEM, Actor
from saleor_returns.domain.codes import EligibilityCode
from saleor_returns.domain.decision_record import DecisionRecord, RefusedLine, ReviewCode, RuleVerdict
from saleor_returns.domain.events import EventType, ReturnEvent
from saleor_returns.domain.labels import Label, LabelErrorCode, LabelStatus, VoidStatus
from saleor_returns.domain.lifecycle import Resolution, ReturnStatus
from saleor_returns.domain.money import Money
from saleor_returns.domain.policy import RefundTiming
from saleor_returns.domain.refunds import Refund, RefundStatus
from saleor_returns.domain.returns import Return, ReturnLine

T0 = datetime(2026, 11, 25, 17, 0, 0, 250_000, tzinfo=UTC)  # microseconds on purpose: they must survive
TENANT = "demo"
OTHER_TENANT = "https://other.saleor.example/graphql/"


def at(minutes: float = 0, *, days: float = 0) -> datetime:
    return T0 + timedelta(minutes=minutes, days=days)


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def a_line(line_id: str = "L-1", quantity: int = 1, amount: str = "19.99", *, reason: str = "DOES_NOT_FIT",
           comment: str | None = None, sku: str | None = "SKU-1", name: str = "Laptop cover") -> ReturnLine:
    return ReturnLine(line_id, name, sku, quantity, reason, comment, usd(amount))


def a_return(*, tenant: str = TENANT, order_id: str = "ORD-1", order_number: str = "1001",
             status: ReturnStatus = ReturnStatus.APPROVED, resolution: Resolution | None = Resolution.SHIP_BACK,
             email: str = "ada@example.com", channel: str = "default-channel", total: str = "19.99",
             currency: str = "USD", created_at: datetime = T0, lines: list[ReturnLine] | None = None,
             **changes: object) -> Return:
    """A plain return: one line, no refunds, labels or events (add them with `changes`)."""
    ret = Return(
        id=str(uuid.uuid4()), tenant=tenant, order_id=order_id, order_number=order_number, channel=channel,
        timezone="America/New_York", customer_email=email, customer_id=None, status=status, resolution=resolution,
        refund_total=Money.of(total, currency), shipping_deduction=Money.zero(currency),
        shipping_refund=Money.zero(currency), policy_version=1, decision=DecisionRecord(),
        created_at=created_at, updated_at=created_at,
        lines=lines if lines is not None else [a_line(amount=total)])
    for name, value in changes.items():
        setattr(ret, name, value)
    return ret


def a_refund(amount: str = "19.99", *, payment: str = "pay-1", reference: str = "pi_1", gateway: str = "simulated",
             status: RefundStatus = RefundStatus.PENDING, created_at: datetime = T0, **changes: object) -> Refund:
    refund = Refund(id=str(uuid.uuid4()), payment_id=payment, payment_reference=reference, gateway=gateway,
                    amount=usd(amount), created_at=created_at, status=status, updated_at=created_at)
    return replace(refund, **changes) if changes else refund


def a_label(*, status: LabelStatus = LabelStatus.ISSUED, carrier: str = "easypost", tracking: str = "",
            created_at: datetime = T0, **changes: object) -> Label:
    label_id = str(uuid.uuid4())
    label = Label(id=label_id, carrier=carrier, created_at=created_at, status=status,
                  tracking_number=tracking or ("TRK" + label_id[:8].upper() if status is LabelStatus.ISSUED else ""))
    for name, value in changes.items():
        setattr(label, name, value)
    return label


def a_full_return(**changes: object) -> Return:
    """A return with every part filled in: two lines, refunds in two states, a printable label with its PDF,
    a failed attempt, a typed trail by three kinds of actor, a full decision record and durable work due."""
    ret = a_return(
        status=ReturnStatus.LABEL_ISSUED, total="59.97", customer_id="VXNlcjox", out_of_policy=True,
        exception_requested=True, deadline=at(days=14), grace_deadline=at(days=17), note="box is damaged",
        shipping_deduction=usd("5.00"), shipping_refund=usd("0.00"), policy_version=3,
        refund_due_at=at(5), record_due_at=at(6), updated_at=at(3),
        lines=[a_line("L-1", 2, "39.98", reason="DAMAGED", comment="cracked screen", sku=None),
               a_line("L-2", 1, "19.99", name="USB-C cable (1 m)")],
        decision=DecisionRecord(
            trace=(RuleVerdict("window", "PASS", "within 30 days"), RuleVerdict("grace", "FLAG", "in grace")),
            review_codes=(ReviewCode.EXCEPTION_REQUESTED, ReviewCode.ABOVE_REVIEW_THRESHOLD),
            flags=(EligibilityCode.IN_GRACE,),
            refused=(RefusedLine("L-3", 1, (EligibilityCode.FINAL_SALE, EligibilityCode.WINDOW_EXPIRED)),),
            refund_timing=RefundTiming.ON_FIRST_SCAN, restocking_fee=Decimal("2.50"), capped=True),
        refunds=[
            a_refund("40.00", status=RefundStatus.SUCCEEDED, psp_reference="re_1", attempts=1,
                     provider_updated_at=at(2), updated_at=at(2)),
            a_refund("19.97", payment="pay-2", reference="pi_2", created_at=at(1), failure_code="network",
                     failure_message="no answer", attempts=2, next_attempt_at=at(30), retrying_since=at(1)),
        ],
        labels=[
            a_label(status=LabelStatus.FAILED, created_at=at(0), purchase_key="key-1", attempts=1,
                    error_code=LabelErrorCode.CARRIER_TIMEOUT, error_message="timed out", voided_at=at(1),
                    void_status=VoidStatus.NOT_NEEDED),
            a_label(created_at=at(1), purchase_key="key-2", carrier_reference="shp_1", cost=usd("6.40"),
                    expires_at=at(days=30), label_format="PDF_4x6", qr_code_url="https://carrier.example/qr.png",
                    attempts=1, first_scan_at=at(10), pdf=b"%PDF-1.4 the label"),
        ],
        events=[
            ReturnEvent(at(0), Actor.guest("Ada@Example.com"), EventType.REQUESTED, "box is damaged"),
            ReturnEvent(at(0), SYSTEM, EventType.PENDING_REVIEW, "EXCEPTION_REQUESTED"),
            ReturnEvent(at(1), Actor.staff("alice"), EventType.APPROVED, "as SHIP_BACK"),
            ReturnEvent(at(2), Actor.system("webhook:easypost"), EventType.IN_TRANSIT, None),
            ReturnEvent(at(3), Actor.system("worker"), EventType.OTHER, "written by a newer version",
                        raw_type="EXCHANGED"),
        ])
    for name, value in changes.items():
        setattr(ret, name, value)
    return ret
