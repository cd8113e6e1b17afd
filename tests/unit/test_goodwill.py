"""The goodwill budget: like the hotel's per-guest allowance, staff approve out-of-policy returns on their own."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.goodwill import DEFAULT_DAILY_BUDGET, Budget, check_spend
from saleor_returns.domain.money import Money


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def test_default_budget_is_two_thousand_a_day() -> None:
    # given / when / then
    assert DEFAULT_DAILY_BUDGET == Decimal("2000.00")


@pytest.mark.parametrize(
    ("spent", "amount"),
    [("0.00", "150.00"), ("1850.00", "150.00"), ("0.00", "2000.00"), ("1999.99", "0.01")],
    ids=["first-of-the-day", "exactly-what-is-left", "whole-budget-at-once", "last-cent"],
)
def test_within_budget_staff_approve_on_their_own(spent: str, amount: str) -> None:
    # given a staff member with a 2000.00 daily budget, `spent` already today
    budget = Budget(daily=usd("2000.00"), spent_today=usd(spent))

    # when they approve an out-of-policy return worth `amount`
    booked = check_spend(budget, usd(amount), is_owner=False)

    # then it is booked against their budget, in full
    assert booked == usd(amount)


@pytest.mark.parametrize(
    ("spent", "amount"),
    [("1850.00", "150.01"), ("0.00", "2000.01"), ("2000.00", "0.01"), ("2500.00", "1.00")],
    ids=["one-cent-over", "more-than-the-day", "budget-used-up", "already-overspent"],
)
def test_beyond_budget_needs_an_owner(spent: str, amount: str) -> None:
    # given a staff member who does not have enough left today
    budget = Budget(daily=usd("2000.00"), spent_today=usd(spent))

    # when they try to approve
    with pytest.raises(ReturnError) as caught:
        check_spend(budget, usd(amount), is_owner=False)

    # then it is refused with a code, and the message says what is left and who can approve
    assert caught.value.code is ReturnErrorCode.GOODWILL_BUDGET_EXCEEDED
    assert str(budget.left) in caught.value.message
    assert "owner" in caught.value.message


def test_an_owner_may_exceed_the_budget() -> None:
    # given an owner who has spent the whole day's budget
    budget = Budget(daily=usd("2000.00"), spent_today=usd("2000.00"))

    # when they approve a 900.00 exception
    booked = check_spend(budget, usd("900.00"), is_owner=True)

    # then it goes through and is still booked
    assert booked == usd("900.00")


@given(
    daily=st.integers(0, 10_000_000),
    spent=st.integers(0, 20_000_000),
)
def test_left_is_never_negative(daily: int, spent: int) -> None:
    # given any budget and any amount already spent (even more than the budget, after owner approvals)
    budget = Budget(daily=Money(Decimal(daily).scaleb(-2), "USD"), spent_today=Money(Decimal(spent).scaleb(-2), "USD"))

    # when / then what is left is zero or more, and is exactly the difference while there is one
    assert budget.left.amount >= 0
    assert budget.left.amount == max(Decimal(daily - spent).scaleb(-2), Decimal(0))


@given(daily=st.integers(0, 1_000_000), spent=st.integers(0, 1_000_000), amount=st.integers(0, 1_000_000))
def test_staff_can_spend_exactly_what_is_left_and_not_a_cent_more(daily: int, spent: int, amount: int) -> None:
    # given any budget and any spend
    budget = Budget(daily=Money(Decimal(daily).scaleb(-2), "USD"), spent_today=Money(Decimal(spent).scaleb(-2), "USD"))
    wanted = Money(Decimal(amount).scaleb(-2), "USD")

    # when a staff member (not an owner) approves it
    # then it passes exactly when it fits in what is left
    if amount <= max(daily - spent, 0):
        assert check_spend(budget, wanted, is_owner=False) == wanted
    else:
        with pytest.raises(ReturnError):
            check_spend(budget, wanted, is_owner=False)
