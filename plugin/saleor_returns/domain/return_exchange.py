"""The return's exchange and store credit (exchanges.md): the replacement promised for swapped lines, sent
exactly once (intent with the return, the desk called with a key, the outcome saved after), the fallback
to a refund when the replacement is out of stock, and the refund method.

Store credit is a refund through the "store-credit" gateway (adapters/exchanges/store_credit.py): the same
intents, retries and outcomes as any refund; the gateway issues credit worth the refund plus the bonus.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING

from .actors import SYSTEM, Actor
from .events import EventType
from .exchanges import RefundMethod
from .money import Money

if TYPE_CHECKING:
    from .decision_record import DecisionRecord
    from .events import ReturnEvent
    from .lifecycle import ReturnStatus
    from .refunds import Refund
    from .returns import ReturnLine

STORE_CREDIT_GATEWAY = "store-credit"
RETRY_AFTER = timedelta(minutes=1)  # a replacement the store did not answer about is asked for again then


class ExchangeStatus(str, Enum):
    PENDING = "PENDING"  # promised; sent when due (approval for keep-item or instant exchange, else receipt)
    CREATED = "CREATED"  # the replacement exists (a shipment in the standalone store, an order in Saleor)
    FAILED = "FAILED"  # out of stock by then: the lines were refunded instead
    CANCELLED = "CANCELLED"  # the return was cancelled before it was sent


@dataclass(frozen=True, slots=True)
class LineExchange:
    """On a return line: the variant sent instead, and the line's refund had it not been swapped."""

    variant_id: str
    variant_name: str
    sku: str | None
    full_refund: Money  # what goes back if the replacement cannot be sent


@dataclass(frozen=True, slots=True)
class ReplacementOutcome:
    """What the desk said about a replacement: created (with its order), out of stock, or try again."""

    created: bool
    order_id: str | None = None
    order_number: str | None = None
    out_of_stock: bool = False
    message: str | None = None
    retryable: bool = False


def exchange_key(return_id: str) -> str:
    """The idempotency key of a return's replacement (one per return, reused on every attempt)."""
    return f"saleor-returns-exchange-{return_id}"


class ExchangeMoves:
    """Part of Return (domain/returns.py): its replacement and refund method."""

    if TYPE_CHECKING:
        id: str
        status: ReturnStatus
        refund_total: Money
        events: list[ReturnEvent]
        lines: list[ReturnLine]
        refunds: list[Refund]
        decision: DecisionRecord
        refund_method: RefundMethod
        credit_bonus_percent: Decimal | None
        exchange_status: ExchangeStatus | None
        exchange_order_id: str | None
        exchange_order_number: str | None
        exchange_note: str | None
        exchange_due_at: datetime | None
        instant_exchange: bool
        updated_at: datetime

        @property
        def currency(self) -> str: ...
        def log(self, at: datetime, actor: Actor, type_: EventType, note: str | None = None) -> None: ...

    @property
    def exchanged_lines(self) -> list[ReturnLine]:
        return [line for line in self.lines if line.exchange is not None]

    @property
    def swaps(self) -> list[tuple[ReturnLine, LineExchange]]:
        """Each swapped line with the variant sent instead."""
        return [(line, line.exchange) for line in self.lines if line.exchange is not None]

    @property
    def exchange_pending(self) -> bool:
        return self.exchange_status is ExchangeStatus.PENDING

    @property
    def exchange_waits(self) -> bool:
        """A replacement is due and not settled: the refund (of the price difference) waits for it, since an
        out-of-stock replacement turns into a refund of the whole line."""
        return self.exchange_pending and self.exchange_due_at is not None

    @property
    def price_difference(self) -> Money:
        return Money(sum((line.refund.amount for line in self.exchanged_lines), Decimal(0)), self.currency)

    @property
    def refund_gateway(self) -> str | None:
        """The gateway the return's refunds go through when it is not the store's own (store credit)."""
        return STORE_CREDIT_GATEWAY if self.refund_method is RefundMethod.STORE_CREDIT else None

    def exchange_due(self, now: datetime) -> None:
        """The replacement should be sent now (approval of a keep-item or instant exchange, or receipt)."""
        if self.exchange_pending and self.exchange_due_at is None:
            self.exchange_due_at = now

    def replacement_sent(self, outcome: ReplacementOutcome, now: datetime, actor: Actor = SYSTEM) -> None:
        """The desk's answer about the replacement; a settled exchange is left as it is."""
        if not self.exchange_pending:
            return
        if outcome.created:
            self.exchange_status, self.exchange_due_at = ExchangeStatus.CREATED, None
            self.exchange_order_id, self.exchange_order_number = outcome.order_id, outcome.order_number
            self.updated_at = now
            self.log(now, actor, EventType.EXCHANGE_CREATED, f"replacement {outcome.order_number}")
        elif outcome.out_of_stock:
            self._fall_back(outcome.message or "the replacement is out of stock", now, actor)
        else:  # not answered: the worker tries again with the same key, a little later
            self.exchange_note = (outcome.message or "the store did not answer")[:2000]
            self.exchange_due_at = now + RETRY_AFTER

    def _fall_back(self, why: str, now: datetime, actor: Actor) -> None:
        """The swapped lines are refunded in full by the chosen method instead; staff see why."""
        added = Decimal(0)
        for i, line in enumerate(self.lines):
            if line.exchange is not None:
                added += line.exchange.full_refund.amount - line.refund.amount
                self.lines[i] = line.refunded_instead()
        self.refund_total = self.refund_total + Money(added, self.currency)
        self.exchange_status, self.exchange_due_at, self.exchange_note = ExchangeStatus.FAILED, None, why[:2000]
        self.updated_at = now
        self.log(now, actor, EventType.EXCHANGE_FAILED, f"{why}; refunded instead")

    def switch_refund_method(self, method: RefundMethod, bonus_percent: Decimal | None, actor: Actor,
                             now: datetime) -> None:
        """Staff change how the refund goes back, while none of it has been carried out (no refund planned
        yet); `bonus_percent` is the policy's store credit bonus (None: store credit is not offered)."""
        from .codes import ReturnError, ReturnErrorCode
        from .lifecycle import ReturnStatus

        if method is self.refund_method:
            return
        if self.refunds or self.status in (ReturnStatus.REJECTED, ReturnStatus.CANCELLED, ReturnStatus.REFUNDED,
                                           ReturnStatus.CLOSED):
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                              "the refund has already been carried out (or the return is closed): its method stays",
                              "method")
        if method is RefundMethod.STORE_CREDIT and bonus_percent is None:
            raise ReturnError(ReturnErrorCode.INVALID_INPUT, "this channel's policy offers no store credit", "method")
        self.refund_method = method
        self.credit_bonus_percent = bonus_percent if method is RefundMethod.STORE_CREDIT else None
        self.updated_at = now
        words = (f"store credit with a {bonus_percent} % bonus" if method is RefundMethod.STORE_CREDIT
                 else "the original payment")
        self.log(now, actor, EventType.REFUND_METHOD_CHANGED, f"the refund goes back as {words}")

    def replacement_not_back(self, now: datetime) -> None:
        """An instant exchange's replacement went out and the item's label expired unused: to the review queue
        ("replacement sent, item not back")."""
        from dataclasses import replace

        from .decision_record import ReviewCode
        from .lifecycle import ReturnStatus, ensure_transition

        if not (self.instant_exchange and self.exchange_status is ExchangeStatus.CREATED):
            return
        if self.status is not ReturnStatus.LABEL_ISSUED:
            return
        ensure_transition(self.status, ReturnStatus.PENDING_REVIEW)
        code = ReviewCode.REPLACEMENT_NOT_BACK
        if code not in self.decision.review_codes:
            self.decision = replace(self.decision, review_codes=self.decision.review_codes + (code,))
        self.status, self.updated_at = ReturnStatus.PENDING_REVIEW, now
        self.log(now, SYSTEM, EventType.PENDING_REVIEW,
                 f"{code.value}: replacement {self.exchange_order_number} sent, the item never came back")

    def cancel_exchange(self) -> None:
        if self.exchange_pending:
            self.exchange_status, self.exchange_due_at = ExchangeStatus.CANCELLED, None
