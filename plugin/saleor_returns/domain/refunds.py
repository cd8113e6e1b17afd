"""Refund states and what a gateway reports back."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from .money import Money


class RefundStatus(str, Enum):
    PENDING = "PENDING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    REQUIRES_ACTION = "REQUIRES_ACTION"
    CANCELED = "CANCELED"


FINAL = frozenset({RefundStatus.SUCCEEDED, RefundStatus.FAILED, RefundStatus.CANCELED})
# money that is (or may still be) on its way back: counts against what is left to refund
COMMITTED = frozenset({RefundStatus.PENDING, RefundStatus.SUCCEEDED, RefundStatus.REQUIRES_ACTION})


@dataclass(frozen=True, slots=True)
class RefundCommand:
    """One refund to perform; `idempotency_key` is derived from our refund id and reused on retries."""

    refund_id: str
    idempotency_key: str
    amount: Money
    psp_reference: str  # the payment (e.g. Stripe payment intent) to refund
    payment_gateway: str
    order_id: str
    return_number: str
    tenant: str
    metadata: dict[str, str] = field(default_factory=dict)
    # the provider's refund id once it accepted the refund: a later attempt looks it up, never re-creates
    provider_refund_id: str | None = None
    attempt: int = 0  # attempts already recorded; > 0 lets a gateway look for an earlier refund first


@dataclass(frozen=True, slots=True)
class RefundOutcome:
    status: RefundStatus
    psp_reference: str | None = None  # the provider's refund id
    failure_code: str | None = None
    failure_message: str | None = None
    retryable: bool = False  # a network error, 5xx or 429: try again later with the same key


@dataclass(frozen=True, slots=True)
class ProviderWord:
    """What the payment provider says about one of our refunds (a verified webhook)."""

    provider_id: str  # the provider's refund id
    status: RefundStatus
    at: datetime  # when the provider said it
    failure_code: str | None = None
    failure_message: str | None = None


def refund_key(refund_id: str) -> str:
    """The idempotency key for a refund: deterministic, so retries and restarts reuse it."""
    return f"saleor-returns-refund-{refund_id}"


def provider_may_move(current: RefundStatus, reported: RefundStatus, *, newer: bool, our_guess: bool) -> bool:
    """Whether the provider's word (a webhook or a look-up) moves our refund from `current` to `reported`,
    in whatever order the words arrive: a final state never moves back, except SUCCEEDED → FAILED (the card
    was closed after the money went out) and a FAILED that was only our guess (we gave up waiting), which
    the provider's word corrects; between non-final states only a newer word counts."""
    if reported is current:
        return False
    if current in FINAL:
        return reported is RefundStatus.FAILED if current is RefundStatus.SUCCEEDED else our_guess
    return reported in FINAL or newer


BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))
PROVIDER_POLL = timedelta(hours=1)  # accepted by the provider, still processing: look again (webhooks may be lost)
GAVE_UP = "gave_up"  # failure code: no answer for too long (the provider may still hold the refund)


@dataclass(slots=True)
class Refund:
    """One refund of a return: the intent is saved before the gateway is called, the outcome after."""

    id: str
    payment_id: str
    payment_reference: str  # the payment to refund (Stripe: the payment intent; Saleor: the transaction)
    gateway: str  # the gateway that performs it, now and on every retry
    amount: Money
    created_at: datetime
    status: RefundStatus = RefundStatus.PENDING
    idempotency_key: str = ""
    psp_reference: str | None = None  # the provider's refund id
    failure_code: str | None = None
    failure_message: str | None = None
    attempts: int = 0
    next_attempt_at: datetime | None = None
    updated_at: datetime | None = None
    provider_updated_at: datetime | None = None  # when the provider last spoke about it
    retrying_since: datetime | None = None  # when the current run of attempts began (None: created_at)

    def __post_init__(self) -> None:
        if not self.idempotency_key:
            self.idempotency_key = refund_key(self.id)

    @property
    def committed(self) -> bool:
        """Money that is (or may still be) on its way back."""
        return self.status in COMMITTED

    @property
    def waiting_since(self) -> datetime:
        return self.retrying_since or self.created_at

    def record(self, outcome: RefundOutcome, now: datetime) -> bool:
        """Save what the provider said about this PENDING refund; True when it reached a settled state
        (anything but "still pending, try again")."""
        self.attempts += 1
        self.updated_at = now
        self.psp_reference = outcome.psp_reference or self.psp_reference
        self.failure_code, self.failure_message = outcome.failure_code, outcome.failure_message
        if outcome.status is RefundStatus.PENDING and outcome.retryable:
            self.next_attempt_at = now + BACKOFF[min(self.attempts - 1, len(BACKOFF) - 1)]
            return False
        self.status = outcome.status
        self.next_attempt_at = now + PROVIDER_POLL if outcome.status is RefundStatus.PENDING else None
        return True

    def reopen(self, now: datetime, lease: timedelta) -> None:
        """A refund we gave up waiting for starts again with its own key (the provider may hold it already)."""
        self.status = RefundStatus.PENDING
        self.failure_code = self.failure_message = None
        self.retrying_since, self.updated_at, self.next_attempt_at = now, now, now + lease

    def command(self, *, order_id: str, return_number: str, tenant: str) -> RefundCommand:
        """What the gateway is asked to do, with the key every retry reuses."""
        return RefundCommand(refund_id=self.id, idempotency_key=self.idempotency_key, amount=self.amount,
                             psp_reference=self.payment_reference, payment_gateway=self.gateway, order_id=order_id,
                             return_number=return_number, tenant=tenant,
                             metadata={"return_number": return_number, "order_id": order_id, "tenant": tenant,
                                       "refund_id": self.id},
                             provider_refund_id=self.psp_reference, attempt=self.attempts)
