"""The return's life: the paths of DOMAIN.md are open, everything else is an error with a code."""
from __future__ import annotations

import pytest

from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.lifecycle import (
    ACTIVE,
    RECEIVABLE,
    ReturnStatus,
    can_move,
    ensure_shopper_can_cancel,
    ensure_transition,
    status_after_retry,
)

S = ReturnStatus

LEGAL = [
    (S.REQUESTED, S.PENDING_REVIEW),
    (S.REQUESTED, S.APPROVED),
    (S.REQUESTED, S.REJECTED),
    (S.PENDING_REVIEW, S.APPROVED),
    (S.PENDING_REVIEW, S.REJECTED),
    (S.APPROVED, S.REFUNDED),  # keep the item: refunded at once
    (S.APPROVED, S.LABEL_ISSUED),
    (S.LABEL_ISSUED, S.IN_TRANSIT),
    (S.IN_TRANSIT, S.RECEIVED),
    (S.RECEIVED, S.REFUNDED),
    (S.REFUNDED, S.CLOSED),
    (S.IN_TRANSIT, S.REFUNDED),  # refund on first scan
    (S.RECEIVED, S.REFUND_FAILED),
    (S.REFUNDED, S.REFUND_FAILED),  # the provider fails a refund later
    (S.REFUND_FAILED, S.REFUNDED),  # staff retry
    (S.REFUND_FAILED, S.CLOSED),  # staff close
]

ILLEGAL = [
    (S.REQUESTED, S.REFUNDED),
    (S.REQUESTED, S.LABEL_ISSUED),
    (S.PENDING_REVIEW, S.LABEL_ISSUED),
    (S.PENDING_REVIEW, S.REFUNDED),
    (S.APPROVED, S.APPROVED),
    (S.APPROVED, S.PENDING_REVIEW),
    (S.LABEL_ISSUED, S.APPROVED),
    (S.IN_TRANSIT, S.LABEL_ISSUED),
    (S.RECEIVED, S.IN_TRANSIT),
    (S.REFUNDED, S.RECEIVED),
    (S.REFUNDED, S.CANCELLED),
    (S.CLOSED, S.REFUNDED),
    (S.CLOSED, S.CANCELLED),
    (S.REJECTED, S.APPROVED),
    (S.REJECTED, S.PENDING_REVIEW),
    (S.CANCELLED, S.REQUESTED),
    (S.CANCELLED, S.APPROVED),
]


def _id(pair: tuple[ReturnStatus, ReturnStatus]) -> str:
    return f"{pair[0].value}->{pair[1].value}"


@pytest.mark.parametrize(("current", "target"), LEGAL, ids=[_id(p) for p in LEGAL])
def test_legal_transitions_are_allowed(current: ReturnStatus, target: ReturnStatus) -> None:
    # given a return in `current`
    # when it moves to `target`
    # then nothing is raised
    assert can_move(current, target)
    ensure_transition(current, target)


@pytest.mark.parametrize(("current", "target"), ILLEGAL, ids=[_id(p) for p in ILLEGAL])
def test_illegal_transitions_raise_invalid_transition(current: ReturnStatus, target: ReturnStatus) -> None:
    # given a return in `current`
    assert not can_move(current, target)

    # when it is asked to become `target`
    with pytest.raises(ReturnError) as caught:
        ensure_transition(current, target)

    # then the error has the stable code and a message naming both states
    assert caught.value.code is ReturnErrorCode.INVALID_TRANSITION
    assert current.value in caught.value.message and target.value in caught.value.message


@pytest.mark.parametrize("terminal", [S.CLOSED, S.REJECTED, S.CANCELLED], ids=lambda s: s.value)
def test_terminal_states_go_nowhere(terminal: ReturnStatus) -> None:
    # given / when / then
    assert [t for t in S if can_move(terminal, t)] == []


@pytest.mark.parametrize("status", [s for s in S if s not in {S.CLOSED, S.REJECTED, S.CANCELLED}],
                         ids=lambda s: s.value)
def test_every_open_state_has_a_way_out(status: ReturnStatus) -> None:
    # given a return that is not finished (the "rigid system" story: a person can always step in)
    # when / then it can move to at least one other state
    assert any(can_move(status, t) for t in S if t is not status)


@pytest.mark.parametrize(
    ("status", "shopper_may_cancel"),
    [
        (S.REQUESTED, True),
        (S.PENDING_REVIEW, True),
        (S.APPROVED, True),
        (S.LABEL_ISSUED, True),
        (S.IN_TRANSIT, False),
        (S.RECEIVED, False),
        (S.REFUNDED, False),
        (S.REFUND_FAILED, False),
        (S.CLOSED, False),
        (S.REJECTED, False),
        (S.CANCELLED, False),
    ],
    ids=lambda v: v.value if isinstance(v, ReturnStatus) else str(v),
)
def test_shopper_can_cancel_until_the_parcel_is_scanned(status: ReturnStatus, shopper_may_cancel: bool) -> None:
    # given a return in `status`
    # when the shopper cancels it
    if shopper_may_cancel:
        ensure_shopper_can_cancel(status)
        # then it is allowed, and it is a legal move of the lifecycle too
        assert can_move(status, S.CANCELLED)
    else:
        # then from the first scan on (or once finished) it is refused with a code
        with pytest.raises(ReturnError) as caught:
            ensure_shopper_can_cancel(status)
        assert caught.value.code is ReturnErrorCode.INVALID_TRANSITION


@pytest.mark.parametrize(
    ("status", "staff_may_cancel"),
    [
        (S.REQUESTED, True),
        (S.PENDING_REVIEW, True),
        (S.APPROVED, True),
        (S.LABEL_ISSUED, True),
        (S.IN_TRANSIT, True),
        (S.RECEIVED, True),
        (S.REFUNDED, False),
        (S.CLOSED, False),
    ],
    ids=lambda v: v.value if isinstance(v, ReturnStatus) else str(v),
)
def test_staff_can_cancel_any_time_before_refunded(status: ReturnStatus, staff_may_cancel: bool) -> None:
    # given / when / then
    assert can_move(status, S.CANCELLED) is staff_may_cancel


def test_received_is_reachable_from_approved_label_issued_and_in_transit_only() -> None:
    # given every status
    # when asked which of them may become RECEIVED (parcels arrive without scans or with the shopper's own label)
    sources = {s for s in S if can_move(s, S.RECEIVED)}

    # then exactly these three, and the staff "mark received" list agrees
    assert sources == {S.APPROVED, S.LABEL_ISSUED, S.IN_TRANSIT}
    assert RECEIVABLE == sources


def test_rejected_and_cancelled_returns_give_their_units_back() -> None:
    # given / when / then: only these two stop counting against the order line
    assert set(S) - ACTIVE == {S.REJECTED, S.CANCELLED}


@pytest.mark.parametrize(("resolution", "history", "waiting"), [
    ("KEEP_ITEM", ["REQUESTED", "APPROVED", "REFUND_FAILED"], S.APPROVED),
    ("SHIP_BACK", ["REQUESTED", "APPROVED", "LABEL_ISSUED", "IN_TRANSIT", "RECEIVED", "REFUND_FAILED"], S.RECEIVED),
    ("SHIP_BACK", ["REQUESTED", "APPROVED", "LABEL_ISSUED", "REFUND_REQUESTED", "REFUND_FAILED"], S.LABEL_ISSUED),
    ("SHIP_BACK", ["REQUESTED", "PENDING_REVIEW", "APPROVED", "REFUND_FAILED"], S.APPROVED),
], ids=["keep-item", "received", "refunded-on-approval", "approved-only"])
def test_a_retried_refund_puts_the_return_back_where_it_waited_for_its_money(resolution, history, waiting) -> None:
    assert status_after_retry(resolution, history) is waiting
