"""The return's life: statuses, legal transitions, and who may make them (DOMAIN.md)."""
from __future__ import annotations

from enum import Enum

from .codes import ReturnError, ReturnErrorCode


class ReturnStatus(str, Enum):
    REQUESTED = "REQUESTED"
    PENDING_REVIEW = "PENDING_REVIEW"
    APPROVED = "APPROVED"
    LABEL_ISSUED = "LABEL_ISSUED"
    IN_TRANSIT = "IN_TRANSIT"
    RECEIVED = "RECEIVED"
    REFUNDED = "REFUNDED"
    CLOSED = "CLOSED"
    REJECTED = "REJECTED"
    CANCELLED = "CANCELLED"
    REFUND_FAILED = "REFUND_FAILED"


class Resolution(str, Enum):
    KEEP_ITEM = "KEEP_ITEM"
    SHIP_BACK = "SHIP_BACK"


S = ReturnStatus
TRANSITIONS: dict[ReturnStatus, frozenset[ReturnStatus]] = {
    S.REQUESTED: frozenset({S.PENDING_REVIEW, S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.PENDING_REVIEW: frozenset({S.APPROVED, S.REJECTED, S.CANCELLED}),
    S.APPROVED: frozenset({S.LABEL_ISSUED, S.RECEIVED, S.REFUNDED, S.REFUND_FAILED, S.CANCELLED}),
    # LABEL_ISSUED → PENDING_REVIEW: an instant exchange's label expired unused after the replacement went out
    # ("replacement sent, item not back", exchanges.md); staff approve (a new label) or reject
    S.LABEL_ISSUED: frozenset({S.IN_TRANSIT, S.RECEIVED, S.REFUNDED, S.REFUND_FAILED, S.CANCELLED,
                               S.PENDING_REVIEW}),
    S.IN_TRANSIT: frozenset({S.RECEIVED, S.REFUNDED, S.REFUND_FAILED, S.CANCELLED}),
    S.RECEIVED: frozenset({S.REFUNDED, S.REFUND_FAILED, S.CANCELLED}),
    S.REFUNDED: frozenset({S.CLOSED, S.REFUND_FAILED}),  # a provider may fail a refund later
    S.REFUND_FAILED: frozenset({S.REFUNDED, S.CLOSED, S.CANCELLED}),  # and back by a retry: status_after_retry
    S.CLOSED: frozenset(),
    S.REJECTED: frozenset(),
    S.CANCELLED: frozenset(),
}

# states in which the returned units still count against the line (not given back to the shopper)
ACTIVE = frozenset(set(ReturnStatus) - {S.REJECTED, S.CANCELLED})
# the shopper may cancel until the parcel is scanned
SHOPPER_CANCELLABLE = frozenset({S.REQUESTED, S.PENDING_REVIEW, S.APPROVED, S.LABEL_ISSUED})
# a staff retry of a failed refund puts the return back where it was when the refund failed
RETRY_BACK_TO = frozenset({S.APPROVED, S.LABEL_ISSUED, S.IN_TRANSIT, S.RECEIVED})
# staff may mark received from these (parcels arrive without scans)
RECEIVABLE = frozenset({S.APPROVED, S.LABEL_ISSUED, S.IN_TRANSIT})


# where a return waits for its refund, newest last: a retry after REFUND_FAILED goes back to the latest one
WAITING_FOR_MONEY = (S.APPROVED, S.LABEL_ISSUED, S.IN_TRANSIT, S.RECEIVED)


def status_after_retry(resolution: str | None, history: list[str]) -> ReturnStatus:
    """Where a REFUND_FAILED return waits while a retried refund is on its way (staff's retryRefund, the one
    way out of REFUND_FAILED besides REFUNDED, CLOSED and CANCELLED): APPROVED for keep-item, else the latest
    of its waiting statuses (`history`: the event types, oldest first)."""
    if resolution == Resolution.KEEP_ITEM.value:
        return S.APPROVED
    seen = [S(h) for h in history if h in {w.value for w in WAITING_FOR_MONEY}]
    return seen[-1] if seen else S.APPROVED


def can_move(current: ReturnStatus, target: ReturnStatus) -> bool:
    return target in TRANSITIONS[current]


def ensure_transition(current: ReturnStatus, target: ReturnStatus) -> None:
    """Raise INVALID_TRANSITION unless the lifecycle allows current → target."""
    if not can_move(current, target):
        raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                          f"a return that is {current.value} cannot become {target.value}")


def ensure_shopper_can_cancel(current: ReturnStatus) -> None:
    if current not in SHOPPER_CANCELLABLE:
        raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                          f"a return that is {current.value} can no longer be cancelled by the shopper")
