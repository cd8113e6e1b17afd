"""Refund states and what a gateway reports back."""
from __future__ import annotations

from dataclasses import dataclass, field
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
