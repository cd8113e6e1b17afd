"""What a return keeps of the decision that made it: the trace, why staff must look, what was refused."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from .codes import EligibilityCode
from .policy import RefundTiming


class ReviewCode(str, Enum):
    """Why a return waits for a person (stable values, shown to staff)."""

    EXCEPTION_REQUESTED = "EXCEPTION_REQUESTED"  # past grace, the shopper asked for an exception
    IN_GRACE_REVIEW = "IN_GRACE_REVIEW"  # in the grace period, and the policy sends those to staff
    ABOVE_REVIEW_THRESHOLD = "ABOVE_REVIEW_THRESHOLD"  # the refund is above the review threshold
    REPLACEMENT_NOT_BACK = "REPLACEMENT_NOT_BACK"  # an instant exchange's replacement went out, the item never came


@dataclass(frozen=True, slots=True)
class RuleVerdict:
    rule: str
    verdict: str
    detail: str


@dataclass(frozen=True, slots=True)
class RefusedLine:
    order_line_id: str
    quantity: int
    codes: tuple[EligibilityCode, ...]


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """The decision as the return remembers it (the policy may change later; this does not)."""

    trace: tuple[RuleVerdict, ...] = ()
    review_codes: tuple[ReviewCode, ...] = ()
    flags: tuple[EligibilityCode, ...] = ()
    refused: tuple[RefusedLine, ...] = ()
    refund_timing: RefundTiming = RefundTiming.ON_RECEIPT
    restocking_fee: Decimal = Decimal(0)
    capped: bool = False  # the refund was cut to what was left to refund on the order
