"""Money is Decimal + currency, quantized on the way in; allocation never loses or invents a cent."""
from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saleor_returns.domain.money import (
    CurrencyMismatch,
    Money,
    UnknownCurrency,
    allocate,
    currency_exponent,
    quantize,
    total,
)


@pytest.mark.parametrize(
    ("raw", "currency", "expected"),
    [
        ("19.999", "USD", Decimal("20.00")),
        ("19.994", "USD", Decimal("19.99")),
        ("0.005", "USD", Decimal("0.01")),
        ("-0.005", "USD", Decimal("-0.01")),
        ("1999.5", "JPY", Decimal("2000")),
        ("1999.4", "JPY", Decimal("1999")),
        ("12.3456", "KWD", Decimal("12.346")),
        ("12.3454", "KWD", Decimal("12.345")),
        ("7", "KWD", Decimal("7.000")),
    ],
    ids=["usd-up", "usd-down", "usd-half-up", "usd-negative-half", "jpy-up", "jpy-down", "kwd-up", "kwd-down",
         "kwd-pads-to-three-places"],
)
def test_amounts_are_quantized_to_the_currency_precision(raw: str, currency: str, expected: Decimal) -> None:
    # given an amount with more (or fewer) decimals than the currency has
    # when it becomes money
    money = Money.of(raw, currency)

    # then it is rounded half-up to the currency's minor unit, and the exponent is exactly that precision
    assert money.amount == expected
    assert money.amount.as_tuple().exponent == -currency_exponent(currency)


@pytest.mark.parametrize(
    ("currency", "places"), [("USD", 2), ("JPY", 0), ("KWD", 3)], ids=["USD", "JPY", "KWD"],
)
def test_currency_precision_comes_from_the_currency(currency: str, places: int) -> None:
    # given / when / then
    assert currency_exponent(currency) == places
    assert Money.zero(currency).minor_step == Decimal(1).scaleb(-places)


def test_lower_case_currency_is_normalised() -> None:
    # given a currency written in lower case
    # when money is made from it
    money = Money.of("10", "usd")

    # then the currency is the ISO code and it equals the upper-case one
    assert money.currency == "USD"
    assert money == Money.of("10.00", "USD")


@pytest.mark.parametrize(
    "make",
    [lambda: Money.of(0.1, "USD"), lambda: Money(0.1, "USD"), lambda: Money.of(19.99, "JPY")],  # type: ignore[arg-type]
    ids=["of-float", "constructor-float", "of-float-jpy"],
)
def test_floats_are_refused(make) -> None:  # type: ignore[no-untyped-def]
    # given an amount given as a float (it already lost its cents)
    # when / then money refuses it
    with pytest.raises(ValueError, match="float"):
        make()


@pytest.mark.parametrize("raw", ["abc", "", "NaN", "Infinity", True, "1e30", "-1e40"],
                         ids=["word", "empty", "nan", "inf", "bool", "too-large", "too-small"])
def test_non_amounts_are_refused(raw: object) -> None:
    # given / when / then
    with pytest.raises(ValueError):
        Money.of(raw, "USD")


@pytest.mark.parametrize("currency", ["XYZ", "EURO", "US"], ids=["XYZ", "four-letters", "two-letters"])
def test_unknown_currency_is_refused(currency: str) -> None:
    # given a code that is not ISO 4217
    # when / then
    with pytest.raises(UnknownCurrency):
        Money.of("1", currency)
    with pytest.raises(UnknownCurrency):
        quantize(Decimal("1"), currency)


@pytest.mark.parametrize(
    "combine",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a < b,
        lambda a, b: a <= b,
        lambda a, b: a > b,
        lambda a, b: a >= b,
        lambda a, b: a.min(b),
        lambda a, b: a.max(b),
        lambda a, b: total([a, b], "USD"),
    ],
    ids=["add", "sub", "lt", "le", "gt", "ge", "min", "max", "total"],
)
def test_currency_mismatch_is_refused(combine) -> None:  # type: ignore[no-untyped-def]
    # given dollars and yen
    dollars, yen = Money.of("10", "USD"), Money.of("1000", "JPY")

    # when they are combined
    # then the domain refuses rather than guessing an exchange rate
    with pytest.raises(CurrencyMismatch):
        combine(dollars, yen)


def test_arithmetic_stays_quantized() -> None:
    # given a price in dollars
    price = Money.of("19.99", "USD")

    # when it is multiplied and a percentage taken
    # then results are exact to the cent, rounded half-up
    assert price.times(3) == Money.of("59.97", "USD")
    assert price.percent(Decimal("15")) == Money.of("3.00", "USD")  # 2.9985 → 3.00
    assert Money.of("1001", "JPY").percent(Decimal("15")) == Money.of("150", "JPY")  # 150.15 → 150


def test_allocate_spreads_the_remainder_to_the_largest_fractions() -> None:
    # given 10.00 split over three equal weights
    # when allocated
    parts = allocate(Money.of("10.00", "USD"), [1, 1, 1])

    # then the left-over cent goes to the first of the tied parts, and nothing is lost
    assert parts == [Money.of("3.34", "USD"), Money.of("3.33", "USD"), Money.of("3.33", "USD")]


def test_allocate_over_no_weights_is_empty() -> None:
    # given / when / then
    assert allocate(Money.of("5", "USD"), []) == []


# --- properties ------------------------------------------------------------------------------

CURRENCIES = st.sampled_from(["USD", "JPY", "KWD"])


@st.composite
def amounts(draw: st.DrawFn) -> Money:
    currency = draw(CURRENCIES)
    minor_units = draw(st.integers(min_value=-10**12, max_value=10**12))
    return Money(Decimal(minor_units).scaleb(-currency_exponent(currency)), currency)


WEIGHTS = st.lists(st.one_of(st.just(0), st.integers(min_value=0, max_value=10**6)), min_size=1, max_size=50)


@given(whole=amounts(), weights=WEIGHTS)
def test_allocated_parts_sum_exactly_to_the_whole(whole: Money, weights: list[int]) -> None:
    # given any amount (positive or negative) and any weights, zeros included
    # when it is allocated
    parts = allocate(whole, weights)

    # then there is one part per weight, in the same currency, and they add up exactly
    assert len(parts) == len(weights)
    assert all(p.currency == whole.currency for p in parts)
    assert sum((p.amount for p in parts), Decimal(0)) == whole.amount


@given(whole=amounts(), weights=WEIGHTS)
def test_each_part_is_within_one_minor_unit_of_its_exact_share(whole: Money, weights: list[int]) -> None:
    # given any amount and weights
    weight_sum = sum(weights)
    exact = [Fraction(whole.amount) * (Fraction(w, weight_sum) if weight_sum else Fraction(1, len(weights)))
             for w in weights]

    # when it is allocated
    parts = allocate(whole, weights)

    # then no part strays a whole minor unit from what it deserves (and a zero weight gets nothing)
    step = Fraction(whole.minor_step)
    for part, share, w in zip(parts, exact, weights, strict=True):
        assert abs(Fraction(part.amount) - share) < step
        if weight_sum and w == 0:
            assert part.is_zero


@pytest.mark.parametrize("currency", ["USD", "JPY", "KWD"])
def test_a_line_split_over_its_units_is_the_general_split_with_equal_weights(currency):
    # the units of a line take the short path (weights all 1); the general path with equal weights (all 2) is the
    # reference: the same parts, in the same order, for every total and count
    step = Money.zero(currency).minor_step
    for minor in (0, 1, 2, 99, 100, 101, 12345, 10**12 + 7):
        whole = Money(Decimal(minor) * step, currency)
        for count in (1, 2, 3, 7, 50):
            assert allocate(whole, [1] * count) == allocate(whole, [2] * count), (whole, count)
            assert total(allocate(whole, [1] * count), currency) == whole
