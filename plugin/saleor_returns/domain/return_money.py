"""The return's money: refund intents planned under the order lock, the provider's outcomes, retries.

Exactly once: an intent (a PENDING refund with its own idempotency key) is saved before any gateway
call; the outcome is saved after; a crash in between leaves it PENDING for the worker, which calls
again with the same key.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

from .actors import SYSTEM as _SYSTEM
from .actors import Actor
from .codes import ReturnError, ReturnErrorCode
from .events import EventType
from .lifecycle import RETRY_BACK_TO, Resolution, ReturnStatus, can_move
from .money import Money
from .order import Order
from .refund_math import left_per_payment, split_over_payments
from .refunds import GAVE_UP, PROVIDER_POLL, ProviderWord, Refund, RefundOutcome, RefundStatus, provider_may_move

if TYPE_CHECKING:
    from .events import ReturnEvent
    from .labels import Label


class ProviderVerdict(str, Enum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"  # our refund already says this, or knows better (a later or final word)
    CONFLICT = "conflict"  # the provider holds a second refund for one of ours: reconcile shows it


class MoneyMoves:
    """Part of Return (domain/returns.py): everything about its refunds."""

    if TYPE_CHECKING:
        status: ReturnStatus
        resolution: Resolution | None
        refund_total: Money
        refunds: list[Refund]
        labels: list[Label]
        events: list[ReturnEvent]
        refund_due_at: datetime | None
        record_due_at: datetime | None
        updated_at: datetime

        @property
        def currency(self) -> str: ...
        @property
        def keeps_items(self) -> bool: ...
        @property
        def received(self) -> bool: ...
        @property
        def record_due(self) -> bool: ...
        def log(self, at: datetime, actor: Actor, type_: EventType, note: str | None = None) -> None: ...
        def owe_books(self, now: datetime) -> None: ...
        @property
        def exchange_waits(self) -> bool: ...
        @property
        def refund_gateway(self) -> str | None: ...

    # --- what it is ----------------------------------------------------------------------------
    @property
    def money_on_its_way(self) -> bool:
        """A refund succeeded, is pending or waits for the shopper: it can't be undone by us."""
        return any(r.committed for r in self.refunds)

    @property
    def refunded_or_pending(self) -> Money:
        return Money(sum((r.amount.amount for r in self.refunds if r.committed), Decimal(0)), self.currency)

    @property
    def refunded(self) -> Money:
        return Money(sum((r.amount.amount for r in self.refunds if r.status is RefundStatus.SUCCEEDED),
                         Decimal(0)), self.currency)

    @property
    def owed(self) -> Money:
        """What the return still has to get back beyond what is refunded or on its way."""
        return (self.refund_total - self.refunded_or_pending).max(Money.zero(self.currency))

    @property
    def pending_refunds(self) -> list[Refund]:
        return [r for r in self.refunds if r.status is RefundStatus.PENDING]

    @property
    def refund_earned(self) -> bool:
        """The refund should have started: a keep-item approval, or a parcel received."""
        keep = self.keeps_items and self.status is ReturnStatus.APPROVED
        return self.refund_total.amount > 0 and (keep or self.status is ReturnStatus.RECEIVED)

    def refund(self, refund_id: str) -> Refund:
        for r in self.refunds:
            if r.id == refund_id:
                return r
        raise KeyError(refund_id)

    # --- intents -------------------------------------------------------------------------------
    def plan_refunds(self, order: Order, committed: dict[str, Decimal], *, gateway: str,
                     new_id: Callable[[], str], now: datetime, lease: timedelta) -> list[Refund]:
        """Under the order lock: refund intents for what is still owed, split over the order's payments and
        never above what each has left (`committed`: what this app refunds per payment, on every return of
        the order). A shortfall (refunded elsewhere) is taken off the refund total, in the trail. While a
        replacement is being sent the refund stays due: out of stock, the whole line is refunded instead.
        Store credit goes through its own gateway, whatever the store's default."""
        if self.exchange_waits:
            self.refund_due_at = self.refund_due_at or now
            return []
        gateway = self.refund_gateway or gateway
        self.refund_due_at = None
        owed = self.owed
        if owed.amount <= 0:
            self.finish_if_refunded(now, _SYSTEM)  # nothing (more) to pay: a kept free item is done now
            return []
        payments = {p.id: p for p in order.payments}
        planned = []
        for payment_id, amount in split_over_payments(owed, left_per_payment(order, committed)):
            refund = Refund(id=new_id(), payment_id=payment_id, payment_reference=payments[payment_id].psp_reference,
                            gateway=gateway, amount=amount, created_at=now, updated_at=now,
                            next_attempt_at=now + lease)  # the worker leaves the caller's call alone this long
            self.refunds.append(refund)
            planned.append(refund)
        total = Money(sum((r.amount.amount for r in planned), Decimal(0)), self.currency)
        if planned:
            to = "as store credit" if self.refund_gateway else "to the original payment"
            self.log(now, _SYSTEM, EventType.REFUND_REQUESTED, f"{total} {to}")
        if total < owed:
            short = owed - total
            self.refund_total = self.refund_total - short
            self.log(now, _SYSTEM, EventType.REFUND_CAPPED,
                     f"{short} less: only what is left to refund on the order goes back")
            self.finish_if_refunded(now, _SYSTEM)
        return planned

    # --- outcomes ------------------------------------------------------------------------------
    def record_refund_outcome(self, refund_id: str, outcome: RefundOutcome, actor: Actor,
                              now: datetime) -> RefundStatus:
        """What the gateway said about a PENDING refund; a refund already settled is left as it is."""
        refund = self.refund(refund_id)
        if refund.status is not RefundStatus.PENDING:
            return refund.status
        if refund.record(outcome, now):
            self._settled(refund, now, actor)
        else:
            self.log(now, actor, EventType.REFUND_DELAYED,
                     f"{outcome.failure_message or 'the payment provider did not answer'}; will retry")
        return refund.status

    def provider_says(self, refund_id: str, word: ProviderWord, actor: Actor, now: datetime) -> ProviderVerdict:
        """The provider's own word on a refund (a webhook), in whatever order words arrive: final states never
        move back, except SUCCEEDED → FAILED (re-opens the return for staff) and a give-up of ours."""
        refund = self.refund(refund_id)
        if refund.psp_reference and refund.psp_reference != word.provider_id:
            return ProviderVerdict.CONFLICT
        newer = refund.provider_updated_at is None or word.at >= refund.provider_updated_at
        if not provider_may_move(refund.status, word.status, newer=newer, our_guess=refund.failure_code == GAVE_UP):
            refund.psp_reference = refund.psp_reference or word.provider_id  # later look-ups go by their id
            return ProviderVerdict.UNCHANGED
        was = refund.status
        refund.status, refund.psp_reference = word.status, word.provider_id
        refund.failure_code, refund.failure_message = word.failure_code, word.failure_message
        refund.provider_updated_at = max(word.at, refund.provider_updated_at or word.at)
        refund.next_attempt_at = now + PROVIDER_POLL if word.status is RefundStatus.PENDING else None
        refund.updated_at = now
        if was is RefundStatus.SUCCEEDED:
            self.log(now, actor, EventType.REFUND_REVERSED,
                     f"{refund.amount} came back to the store ({refund.psp_reference})")
        if word.status is not RefundStatus.PENDING:
            self._settled(refund, now, actor)
        return ProviderVerdict.APPLIED

    def _settled(self, refund: Refund, now: datetime, actor: Actor) -> None:
        """The return after one of its refunds reached a final (or action-needed) state."""
        if refund.status is RefundStatus.SUCCEEDED:
            self.log(now, actor, EventType.REFUND_SUCCEEDED,
                     f"{refund.amount} refunded ({refund.psp_reference or 'no reference'})")
            self.finish_if_refunded(now, actor)
        elif refund.status in (RefundStatus.FAILED, RefundStatus.CANCELED):
            self.log(now, actor, EventType.REFUND_FAILED,
                     f"{refund.failure_code or refund.status.value}: {refund.failure_message or 'refund failed'}")
            if can_move(self.status, ReturnStatus.REFUND_FAILED):
                self.status = ReturnStatus.REFUND_FAILED
                self.updated_at = now
        elif refund.status is RefundStatus.REQUIRES_ACTION:
            self.log(now, actor, EventType.REFUND_REQUIRES_ACTION, refund.failure_message)
        if self.record_due:
            self.owe_books(now)  # the store's books follow the money's real outcome

    def finish_if_refunded(self, now: datetime, actor: Actor) -> None:
        """KEEP_ITEM returns are done when the money is back; shipped ones once the parcel is received too; and
        neither while its replacement is still to be sent (out of stock, more money is owed)."""
        if self.refunded < self.refund_total or self.exchange_waits:
            return
        done = self.keeps_items or self.status in (ReturnStatus.RECEIVED, ReturnStatus.REFUND_FAILED)
        if done and can_move(self.status, ReturnStatus.REFUNDED):
            self.status = ReturnStatus.REFUNDED
            self.updated_at = now
            self.log(now, actor, EventType.REFUNDED)

    def refund_waiting(self, why: str, now: datetime) -> None:
        """A refund is due but cannot be planned now (the store is down); it stays due for the worker."""
        self.log(now, _SYSTEM, EventType.REFUND_WAITING, why)

    def postpone_refund(self, until: datetime) -> None:
        """The due refund cannot be planned yet (the store is still down): look again then."""
        if self.refund_due_at is not None:
            self.refund_due_at = until

    # --- staff retry ---------------------------------------------------------------------------
    def retry_refunds(self, actor: Actor, now: datetime, lease: timedelta) -> None:
        """retryRefund: a waiting refund is tried again with its own key; a return whose refund failed goes
        back to where it was (refunds given up on start again with their own key, the rest is planned anew);
        a refund that never started, or waits for the store (it was down when the refund was due), is due now."""
        if self.pending_refunds:
            return
        if self.status is ReturnStatus.REFUND_FAILED:
            back = self._before_failure()
            assert back in RETRY_BACK_TO
            self.status, self.updated_at = back, now
            self.log(now, actor, EventType.REFUND_RETRIED, f"back to {back.value}")
            for refund in self.refunds:
                if refund.status is RefundStatus.FAILED and refund.failure_code == GAVE_UP:
                    refund.reopen(now, lease)
            self.refund_due_at = now
            return
        if self.refund_due_at is not None or (not self.refunds and self.refund_earned):
            self.refund_due_at = now  # waiting for the store (or never started): due now
            return
        raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                          f"a return that is {self.status.value} has no refund to retry")

    def _before_failure(self) -> ReturnStatus:
        if self.keeps_items:
            return ReturnStatus.APPROVED
        if self.received:
            return ReturnStatus.RECEIVED
        if any(e.type is EventType.IN_TRANSIT for e in self.events):
            return ReturnStatus.IN_TRANSIT
        if any(lb.printable for lb in self.labels):
            return ReturnStatus.LABEL_ISSUED
        return ReturnStatus.APPROVED


def give_up(last: RefundOutcome, waited: timedelta) -> RefundOutcome:
    """The outcome the worker records when the provider never answered for too long."""
    hours = round(waited.total_seconds() / 3600, 1)
    return RefundOutcome(RefundStatus.FAILED, failure_code=GAVE_UP,
                         failure_message=f"no answer from the payment provider for {hours} h "
                                         f"(last: {last.failure_code}: {last.failure_message}); retry to try again")

