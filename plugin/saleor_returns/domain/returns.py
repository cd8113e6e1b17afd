"""The return (RMA) as an aggregate: its lines, refunds, labels and audit trail, and every move the
lifecycle of DOMAIN.md allows. Services ask it to change and persist what it became; nothing else
edits a return. Money moves live in return_money.py, labels and parcels in return_parcel.py.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from .actors import SYSTEM, Actor
from .codes import ReturnError, ReturnErrorCode
from .decision import Decision
from .decision_record import DecisionRecord, RefusedLine
from .decision_snapshot import DecisionSnapshot
from .eligibility import LineEligibility
from .events import EventType, ReturnEvent
from .exchanges import ExchangeChoice, RefundMethod
from .goodwill import Budget
from .labels import Label
from .lifecycle import RECEIVABLE, Resolution, ReturnStatus, ensure_shopper_can_cancel, ensure_transition
from .money import Money
from .order import Order
from .policy import RefundTiming
from .refunds import Refund, RefundStatus
from .return_exchange import ExchangeMoves, ExchangeStatus, LineExchange
from .return_money import MoneyMoves
from .return_parcel import ParcelMoves

# a refund's outcome the store's books tell (success, failure)
SETTLED_REFUND = frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED, RefundStatus.CANCELED})
# a keep-item return is written into the store's books once approved; a shipped one once received
RECORDED_KEEP_ITEM = frozenset({ReturnStatus.APPROVED, ReturnStatus.REFUNDED, ReturnStatus.CLOSED,
                                ReturnStatus.REFUND_FAILED})


@dataclass(frozen=True, slots=True)
class ReturnLine:
    order_line_id: str
    product_name: str
    sku: str | None
    quantity: int
    reason: str
    comment: str | None
    refund: Money  # an exchanged line: the price difference (paid minus the new variant's price)
    exchange: LineExchange | None = None  # the variant sent instead (exchanges.md)

    def refunded_instead(self) -> "ReturnLine":
        """The line refunded in full, its replacement given up (out of stock)."""
        return replace(self, refund=self.exchange.full_refund, exchange=None) if self.exchange else self


@dataclass(frozen=True, slots=True)
class Choices:
    """What the shopper chose besides a plain refund: the refund method, and per line a variant to swap to."""

    refund_method: RefundMethod = RefundMethod.ORIGINAL_PAYMENT
    bonus_percent: Decimal | None = None  # the policy's store credit bonus when the return was decided
    exchanges: Mapping[str, ExchangeChoice] = field(default_factory=dict)
    instant_exchange: bool = False


@dataclass(eq=False)
class Return(MoneyMoves, ParcelMoves, ExchangeMoves):
    id: str
    tenant: str
    order_id: str
    order_number: str
    channel: str
    timezone: str
    customer_email: str
    customer_id: str | None
    status: ReturnStatus
    resolution: Resolution | None
    refund_total: Money
    shipping_deduction: Money
    shipping_refund: Money
    policy_version: int
    decision: DecisionRecord
    created_at: datetime
    updated_at: datetime
    number: str = ""  # "R-10042": given by the repository when the return is first saved
    out_of_policy: bool = False  # approving it spends goodwill
    exception_requested: bool = False
    deadline: datetime | None = None
    grace_deadline: datetime | None = None
    note: str | None = None
    lines: list[ReturnLine] = field(default_factory=list)
    refunds: list[Refund] = field(default_factory=list)
    labels: list[Label] = field(default_factory=list)
    events: list[ReturnEvent] = field(default_factory=list)
    # durable work, picked up by the worker when the caller that set it did not finish it
    refund_due_at: datetime | None = None  # refunds are owed and not planned yet
    record_due_at: datetime | None = None  # the store's own books must hear about it
    # whether the store keeps books of its own to write returns into (Saleor); the standalone store has none,
    # so nothing is ever owed to them. Not stored: the service acting for the store says so when it loads.
    books: bool = True
    # who the e-mails are written for (from the order; None: unknown)
    language_code: str | None = None  # the order's language, e.g. "de" or "pt_BR"
    customer_name: str | None = None
    seen: DecisionSnapshot | None = None  # what its decision saw (None: decided before snapshots were kept)
    # exchanges and store credit (domain/return_exchange.py)
    refund_method: RefundMethod = RefundMethod.ORIGINAL_PAYMENT
    credit_bonus_percent: Decimal | None = None  # the store credit bonus promised (STORE_CREDIT only)
    exchange_status: ExchangeStatus | None = None  # None: no line is swapped
    exchange_order_id: str | None = None
    exchange_order_number: str | None = None
    exchange_note: str | None = None  # why the replacement failed or waits (for staff)
    exchange_due_at: datetime | None = None  # the replacement is to be sent now (durable work)
    instant_exchange: bool = False
    # how many times it was saved: given by the repository, which reads a return again only when the stored one
    # has moved on from the copy in hand (optimistic concurrency; every write also holds the order's lock)
    version: int = 0

    # --- creation ----------------------------------------------------------------------------
    @classmethod
    def open(cls, *, return_id: str, tenant: str, order: Order, decision: Decision,
             eligibility: Mapping[str, LineEligibility], refund_timing: RefundTiming, actor: Actor,
             note: str | None, exception_requested: bool, carrier: str, now: datetime,
             books: bool = True, seen: DecisionSnapshot | None = None, choices: Choices | None = None) -> "Return":
        """A new return from an accepted decision (APPROVED or PENDING_REVIEW); an approved one is set in
        motion at once: a keep-item refund is due, or a label is requested (in the same transaction)."""
        refund = decision.refund
        if refund is None or decision.status is ReturnStatus.REJECTED:
            raise ValueError("a refused decision opens no return")
        deadlines = [d for r in decision.accepted if (d := eligibility[r.line_id].deadline) is not None]
        choices = choices or Choices()
        lines, swapped = [], Decimal(0)
        for r in decision.accepted:
            line = order.line(r.line_id)
            assert line is not None
            full = refund.lines.get(r.line_id, Money.zero(order.currency))
            chosen = choices.exchanges.get(r.line_id)
            if chosen is None:
                lines.append(ReturnLine(r.line_id, line.product_name, line.sku, r.quantity, r.reason, r.comment, full))
                continue
            difference = min(chosen.price_difference, full)  # never more than the line would have refunded
            swapped += full.amount - difference.amount
            lines.append(ReturnLine(r.line_id, line.product_name, line.sku, r.quantity, r.reason, r.comment,
                                    difference, LineExchange(chosen.variant.id, chosen.variant.name,
                                                             chosen.variant.sku, full)))
        ret = cls(
            id=return_id, tenant=tenant, order_id=order.id, order_number=order.number, channel=order.channel.slug,
            timezone=order.channel.timezone, customer_email=order.user_email.lower(), customer_id=order.user_id,
            status=decision.status, resolution=decision.resolution,
            refund_total=(refund.total - Money(swapped, order.currency)).max(Money.zero(order.currency)),
            shipping_deduction=refund.shipping_deduction, shipping_refund=refund.shipping_refund,
            policy_version=decision.policy_version, decision=_record(decision, refund_timing),
            created_at=now, updated_at=now, out_of_policy=decision.out_of_policy,
            exception_requested=exception_requested,
            deadline=max((d.deadline for d in deadlines), default=None),
            grace_deadline=max((d.grace_deadline for d in deadlines), default=None), note=note, lines=lines,
            language_code=order.language_code,
            customer_name=order.shipping_address.name if order.shipping_address else None, books=books,
            seen=seen, refund_method=choices.refund_method,
            credit_bonus_percent=choices.bonus_percent if choices.refund_method is RefundMethod.STORE_CREDIT else None,
            exchange_status=ExchangeStatus.PENDING if choices.exchanges else None,
            instant_exchange=choices.instant_exchange)
        ret.log(now, actor, EventType.REQUESTED, note)
        ret.log(now, SYSTEM, EventType(decision.status.value), _decided(decision))
        if decision.status is ReturnStatus.APPROVED:
            ret._set_in_motion(now, carrier)
        return ret

    # --- what it is ----------------------------------------------------------------------------
    @property
    def currency(self) -> str:
        return self.refund_total.currency

    @property
    def keeps_items(self) -> bool:
        return self.resolution is Resolution.KEEP_ITEM

    @property
    def refund_timing(self) -> RefundTiming:
        return self.decision.refund_timing

    @property
    def received(self) -> bool:
        """A shipped-back parcel arrived (staff marked it received at some point)."""
        return any(e.type is EventType.RECEIVED for e in self.events)

    def owned_by(self, email: str | None, user_id: str | None) -> bool:
        if user_id and self.customer_id and user_id == self.customer_id:
            return True
        return email is not None and email.strip().lower() == self.customer_email.lower() != ""

    def log(self, at: datetime, actor: Actor, type_: EventType, note: str | None = None) -> None:
        """One line of the audit trail."""
        self.events.append(ReturnEvent(at, actor, type_, note))

    def _move(self, target: ReturnStatus, now: datetime, actor: Actor, note: str | None = None,
              event: EventType | None = None) -> None:
        ensure_transition(self.status, target)
        self.status = target
        self.updated_at = now
        self.log(now, actor, event or EventType(target.value), note)

    # --- staff and shopper moves ---------------------------------------------------------------
    def approval_spend(self, resolution: Resolution | None) -> Money:
        """Goodwill an approval as `resolution` books: the refund when the return is out of policy or converted
        to keep-item (a conversion also refunds the shipping deduction, since nothing comes back); else zero.
        The console shows it before staff approve; approve() books the same."""
        converting = resolution is Resolution.KEEP_ITEM and not self.keeps_items
        if not (self.out_of_policy or converting):
            return Money.zero(self.currency)
        return self.refund_total + self.shipping_deduction if converting else self.refund_total

    def goodwill_needed(self, resolution: Resolution | None) -> Money | None:
        """What approving (maybe as keep-item) would spend from the approver's goodwill; None: in policy."""
        self._ensure_reviewable()
        spend = self.approval_spend(resolution)
        return None if spend.is_zero else spend

    def spend_goodwill(self, actor: Actor, amount: Money, budget: Budget, now: datetime) -> None:
        """The spending, in the trail (the budget itself is checked by goodwill.check_spend)."""
        self.log(now, actor, EventType.GOODWILL_SPENT, f"{amount} of {budget.daily} today")

    def approve(self, actor: Actor, resolution: Resolution | None, note: str | None, now: datetime, *,
                carrier: str) -> None:
        """PENDING_REVIEW → APPROVED, as keep-item or ship-back; then it is set in motion."""
        self._ensure_reviewable()
        if resolution is Resolution.KEEP_ITEM and not self.keeps_items:
            self.refund_total = self.refund_total + self.shipping_deduction  # no parcel: no shipping to deduct
            self.shipping_deduction = Money.zero(self.currency)
        if resolution is not None:
            self.resolution = resolution
        chosen = self.resolution.value if self.resolution else None
        self._move(ReturnStatus.APPROVED, now, actor, _join(f"as {chosen}", note))
        self._set_in_motion(now, carrier)

    def _ensure_reviewable(self) -> None:
        ensure_transition(self.status, ReturnStatus.APPROVED)
        if self.status is not ReturnStatus.PENDING_REVIEW:
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                              f"a return that is {self.status.value} needs no approval")

    def _set_in_motion(self, now: datetime, carrier: str) -> None:
        if self.keeps_items or self.instant_exchange:  # nothing to wait for, or the store trusts the shopper
            self.exchange_due(now)
        if self.keeps_items:
            self.refund_due_at = now
            self.owe_books(now)
            return
        self.request_label(carrier, now)
        if self.refund_timing is RefundTiming.ON_APPROVAL:
            self.refund_due_at = now

    def reject(self, actor: Actor, note: str, now: datetime) -> None:
        if not note or not note.strip():
            raise ReturnError(ReturnErrorCode.INVALID_INPUT, "Say why the return is rejected; the shopper sees it.",
                              "note")
        if self.money_on_its_way:
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION, "money has already gone back for this return")
        self._move(ReturnStatus.REJECTED, now, actor, note.strip())

    def cancel(self, actor: Actor, now: datetime) -> list[str]:
        """The shopper until the parcel is scanned, staff any time before money goes back. Returns the ids of
        the labels whose carrier must be asked to void them (the intents are saved with the cancellation)."""
        if self.money_on_its_way:
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                              "This return has already been refunded (or the refund is on its way); "
                              "it can no longer be cancelled.")
        if not actor.is_staff:
            ensure_shopper_can_cancel(self.status)
        self._move(ReturnStatus.CANCELLED, now, actor)
        self.refund_due_at = None
        self.cancel_exchange()
        return self.void_labels(now)

    def receive(self, actor: Actor, note: str | None, now: datetime) -> None:
        """The parcel is at the warehouse: refunds that wait for it are due; the store hears about it."""
        if self.status not in RECEIVABLE:
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                              f"a return that is {self.status.value} cannot be marked received")
        if self.keeps_items:
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                              "the shopper keeps the item: there is no parcel to receive")
        self._move(ReturnStatus.RECEIVED, now, actor, note)
        self.exchange_due(now)
        self.finish_if_refunded(now, actor)  # refunded on approval (or first scan): done now
        if self.status is not ReturnStatus.REFUNDED:
            self.refund_due_at = now
        self.owe_books(now)

    def close(self, actor: Actor, note: str | None, now: datetime) -> None:
        """REFUNDED or REFUND_FAILED → CLOSED: nothing more will happen to it."""
        self._move(ReturnStatus.CLOSED, now, actor, note)
        self.refund_due_at = None

    # --- the store's own books ------------------------------------------------------------------
    @property
    def record_due(self) -> bool:
        """Whether the store (Saleor) should know about this return by now: a keep-item approval, a parcel
        received, or money that reached an outcome (a refund on approval or on the first scan)."""
        settled = any(r.status in SETTLED_REFUND for r in self.refunds)
        return (self.keeps_items and self.status in RECORDED_KEEP_ITEM) or self.received or settled

    def owe_books(self, now: datetime) -> None:
        """The store's books must hear about the return now (nothing, for a store without books)."""
        if self.books:
            self.record_due_at = now

    def recorded(self, steps: list[str], now: datetime) -> None:
        self.record_due_at = None
        if steps:
            self.log(now, SYSTEM, EventType.RECORDED_IN_STORE, ", ".join(steps))

    def record_failed(self, error: str, now: datetime, retry_at: datetime | None) -> None:
        self.record_due_at = retry_at
        when = f"; retrying at {retry_at.isoformat()}" if retry_at else ""
        self.log(now, SYSTEM, EventType.STORE_RECORD_FAILED, f"{error}{when}"[:2000])


def _record(decision: Decision, timing: RefundTiming) -> DecisionRecord:
    refund = decision.refund
    return DecisionRecord(
        trace=decision.trace, review_codes=decision.review_codes, flags=decision.flags,
        refused=tuple(RefusedLine(r.line_id, r.quantity, codes) for r, codes in decision.refused),
        refund_timing=timing, restocking_fee=refund.restocking_fee.amount if refund else Decimal(0),
        capped=refund.capped_by is not None if refund else False)


def _decided(decision: Decision) -> str | None:
    """The note of the decision event: why staff must look, else the resolution."""
    if decision.review_codes:
        return ", ".join(code.value for code in decision.review_codes)
    return decision.resolution.value if decision.resolution else None


def _join(a: str | None, b: str | None) -> str | None:
    parts = [p for p in (a, b) if p]
    return "; ".join(parts) if parts else None

