"""Minor units at the Stripe edge: Stripe's own exponent table, and amounts that never change on the way."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saleor_returns.adapters.refunds.stripe_units import UnrepresentableAmount, from_minor, to_minor
from saleor_returns.domain.money import Money

# Stripe takes: USD in cents; JPY whole (zero-decimal); KWD in thousandths ending in 0; ISK ×100, whole krónur
TABLE = [
    ("USD", "19.99", 1999), ("USD", "0.01", 1), ("USD", "1299.00", 129900),
    ("JPY", "1800", 1800), ("JPY", "1", 1),
    ("KWD", "1.250", 1250), ("KWD", "0.010", 10),
    ("ISK", "500", 50000), ("ISK", "1", 100),
    ("BHD", "3.120", 3120), ("KRW", "15000", 15000), ("EUR", "10.50", 1050),
]


@pytest.mark.parametrize("currency, amount, minor", TABLE)
def test_amounts_go_to_stripe_in_its_minor_units_and_come_back_the_same(currency, amount, minor):
    money = Money(Decimal(amount), currency)
    assert to_minor(money) == minor
    assert from_minor(minor, currency) == money
    assert from_minor(minor, currency.lower()) == money  # Stripe answers with lowercase codes


@pytest.mark.parametrize("currency, amount", [("KWD", "1.235"), ("BHD", "0.001")])
def test_three_decimal_amounts_need_a_last_digit_of_zero(currency, amount):
    with pytest.raises(UnrepresentableAmount, match="steps of 0.01"):
        to_minor(Money(Decimal(amount), currency))


@pytest.mark.parametrize("minor", [12345, 50001, 1])
def test_isk_from_stripe_must_be_whole_kronur(minor):
    with pytest.raises(UnrepresentableAmount):
        from_minor(minor, "ISK")


units = st.integers(min_value=0, max_value=10**12)


@given(units)
def test_usd_round_trips(cents):
    assert to_minor(from_minor(cents, "USD")) == cents


@given(units)
def test_jpy_round_trips(yen):
    money = Money(Decimal(yen), "JPY")
    assert to_minor(money) == yen and from_minor(yen, "JPY") == money


@given(units)
def test_kwd_round_trips_in_steps_of_ten_fils(tens):
    money = from_minor(tens * 10, "KWD")
    assert to_minor(money) == tens * 10 and money.amount == Decimal(tens) / 100


@given(units)
def test_isk_round_trips_as_whole_kronur_times_100(kronur):
    money = Money(Decimal(kronur), "ISK")
    minor = to_minor(money)
    assert minor == kronur * 100 and minor % 100 == 0 and from_minor(minor, "ISK") == money


@given(st.sampled_from(["USD", "JPY", "KWD", "ISK"]), st.decimals(min_value=0, max_value=10**9, places=3,
                                                                  allow_nan=False, allow_infinity=False))
def test_any_amount_either_round_trips_exactly_or_is_refused(currency, amount):
    money = Money(amount, currency)  # quantized to the currency's precision on the way in
    try:
        minor = to_minor(money)
    except UnrepresentableAmount:
        assert currency == "KWD" and money.amount.scaleb(3) % 10 != 0
        return
    assert from_minor(minor, currency) == money
