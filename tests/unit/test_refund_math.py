"""Refund math: what was actually paid, to the minor unit, minus fees, never more than what is left."""
from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from saleor_returns.domain.money import Money, currency_exponent
from saleor_returns.domain.order import Channel, Order, OrderLine, Payment
from saleor_returns.domain.policy import Policy, ReturnShipping
from saleor_returns.domain.refund_math import (
    RequestedUnits,
    compute_refund,
    line_totals_paid,
    refund_for_units,
    split_over_payments,
    unit_parts,
    unit_refund,
)

CREATED = datetime(2024, 6, 1, 12, tzinfo=UTC)


def money(amount: str, currency: str = "USD") -> Money:
    return Money.of(amount, currency)


def an_order(prices: list[tuple[str, int]], *, currency: str = "USD", discount: str | None = None,
             shipping: str = "0", charged: str | None = None) -> Order:
    """An order whose lines are (unit price, quantity); charged defaults to what the lines and shipping cost."""
    lines = tuple(OrderLine(f"line-{i}", f"Item {i}", None, qty, money(price, currency))
                  for i, (price, qty) in enumerate(prices, start=1))
    draft = Order(id="o-1", number="1", channel=Channel("c", currency, "UTC"), currency=currency, created_at=CREATED,
                  user_email="a@example.com", lines=lines, shipping_price=money(shipping, currency),
                  order_discount=money(discount, currency) if discount else None)
    paid = money(charged, currency) if charged else \
        sum(line_totals_paid(draft).values(), Money.zero(currency)) + money(shipping, currency)
    return Order(id=draft.id, number=draft.number, channel=draft.channel, currency=currency, created_at=CREATED,
                 user_email=draft.user_email, lines=lines, shipping_price=draft.shipping_price,
                 order_discount=draft.order_discount,
                 payments=(Payment("pay-1", "pi_1", "stripe", paid, Money.zero(currency)),))


def refund(order: Order, units: list[RequestedUnits], *, policy: Policy | None = None, ship_back: bool = True,
           label_cost: Money | None = None, whole_order_back: bool = False, left: Money | None = None):  # type: ignore[no-untyped-def]
    return compute_refund(order=order, units=units, policy=policy or Policy(), ship_back=ship_back,
                          label_cost=label_cost, whole_order_back=whole_order_back,
                          left_to_refund=left if left is not None else order.charged)


def units(line_id: str, quantity: int, reason: str = "DOES_NOT_FIT", already: int = 0) -> RequestedUnits:
    return RequestedUnits(line_id, quantity, reason, already)


# --- what each line was paid ----------------------------------------------------------------------

def test_order_discount_is_spread_by_largest_remainder() -> None:
    # given three 10.00 lines and a 10.00 order-level discount
    order = an_order([("10.00", 1), ("10.00", 1), ("10.00", 1)], discount="10.00")

    # when the amounts paid per line are computed
    totals = line_totals_paid(order)

    # then the odd cent of discount goes to one line, and the lines add up to exactly 20.00
    assert [totals[f"line-{i}"] for i in (1, 2, 3)] == [money("6.66"), money("6.67"), money("6.67")]
    assert sum(totals.values(), Money.zero("USD")) == money("20.00")


def test_order_discount_follows_the_line_weight() -> None:
    # given a 75.00 line and a 25.00 line with a 10.00 order discount
    order = an_order([("25.00", 3), ("25.00", 1)], discount="10.00")

    # when / then each line carries its share: three quarters and one quarter
    assert line_totals_paid(order) == {"line-1": money("67.50"), "line-2": money("22.50")}


def test_units_of_a_line_split_its_total_to_the_cent() -> None:
    # given a line of three units that cost 10.00 together
    socks = OrderLine("socks", "Socks", None, 3, money("3.33"))

    # when its total is split per unit
    parts = unit_parts(socks, money("10.00"))

    # then the units carry 3.34 + 3.33 + 3.33: returning all three gives back exactly 10.00
    assert parts == [money("3.34"), money("3.33"), money("3.33")]


def test_the_next_unit_refund_is_shown_until_every_unit_is_back() -> None:
    # given a single-unit line that was paid 6.66 after the order discount
    order = an_order([("10.00", 1), ("10.00", 1), ("10.00", 1)], discount="10.00")

    # when / then the shopper sees what it refunds, and nothing once it is back
    assert unit_refund(order, "line-1") == money("6.66")
    assert unit_refund(order, "line-1", already_returned=1) is None
    assert unit_refund(order, "no-such-line") is None


def test_refund_for_units_takes_the_next_units_in_line() -> None:
    # given a 10.00 line of three units (3.34, 3.33, 3.33)
    order = an_order([("10.00", 3)], discount="20.00", charged="10.00")

    # when units are returned one, then two
    first = refund_for_units(order, "line-1", 0, 1)
    rest = refund_for_units(order, "line-1", 1, 2)

    # then together they are the line total, to the cent
    assert (first, rest) == (money("3.34"), money("6.66"))


# --- deductions and additions ---------------------------------------------------------------------

@pytest.mark.parametrize(
    ("reason", "fee", "total"),
    [
        ("DOES_NOT_FIT", "15.00", "85.00"),
        ("CHANGED_MIND", "15.00", "85.00"),
        ("DAMAGED", "0.00", "100.00"),
        ("DEFECTIVE", "0.00", "100.00"),
    ],
    ids=["does-not-fit", "changed-mind", "damaged-no-fee", "defective-no-fee"],
)
def test_restocking_fee_is_not_charged_for_damaged_or_defective(reason: str, fee: str, total: str) -> None:
    # given a 15% restocking fee and a 100.00 item
    order = an_order([("100.00", 1)])

    # when returned for `reason`
    result = refund(order, [units("line-1", 1, reason)], policy=Policy(restocking_fee_percent=Decimal("15")))

    # then the shopper pays the fee only when the item was not at fault
    assert result.restocking_fee == money(fee)
    assert result.lines == {"line-1": money(total)}
    assert result.total == money(total)


@pytest.mark.parametrize(
    ("shipping", "ship_back", "label_cost", "deduction"),
    [
        (ReturnShipping.FREE, True, "7.80", "0.00"),
        (ReturnShipping.FLAT_FEE, True, None, "4.95"),
        (ReturnShipping.FLAT_FEE, False, None, "0.00"),
        (ReturnShipping.LABEL_COST, True, "7.80", "7.80"),
        (ReturnShipping.LABEL_COST, False, "7.80", "0.00"),
        (ReturnShipping.LABEL_COST, True, None, "0.00"),
    ],
    ids=["free", "flat-fee-shipped-back", "flat-fee-kept", "label-cost-shipped-back", "label-cost-kept",
         "label-cost-unknown"],
)
def test_return_shipping_is_deducted_only_when_the_item_is_shipped_back(
        shipping: ReturnShipping, ship_back: bool, label_cost: str | None, deduction: str) -> None:
    # given a 60.00 item and a return-shipping policy
    policy = Policy(return_shipping=shipping, return_shipping_fee=(money("4.95"),))

    # when refunded with or without a shipment
    result = refund(an_order([("60.00", 1)]), [units("line-1", 1)], policy=policy, ship_back=ship_back,
                    label_cost=money(label_cost) if label_cost else None)

    # then only a shipped-back return pays for its trip
    assert result.shipping_deduction == money(deduction)
    assert result.total == money("60.00") - money(deduction)


@pytest.mark.parametrize(
    ("refund_shipping", "whole_order_back", "shipping_refund"),
    [(True, True, "12.00"), (True, False, "0.00"), (False, True, "0.00"), (False, False, "0.00")],
    ids=["on-whole-order", "on-partial", "off-whole-order", "off-partial"],
)
def test_original_shipping_is_refunded_only_when_the_whole_order_comes_back(
        refund_shipping: bool, whole_order_back: bool, shipping_refund: str) -> None:
    # given an order of two items with 12.00 shipping
    order = an_order([("40.00", 1), ("20.00", 1)], shipping="12.00")

    # when both items are returned
    result = refund(order, [units("line-1", 1), units("line-2", 1)], policy=Policy(refund_shipping=refund_shipping),
                    whole_order_back=whole_order_back)

    # then shipping comes back only when it is on and nothing of the order is kept
    assert result.shipping_refund == money(shipping_refund)
    assert result.total == money("60.00") + money(shipping_refund)


@pytest.mark.parametrize(
    ("left", "total", "capped"),
    [("500.00", "120.00", None), ("120.00", "120.00", None), ("50.00", "50.00", "50.00"),
     ("0.00", "0.00", "0.00"), ("-5.00", "0.00", "0.00")],
    ids=["plenty-left", "exactly-left", "partly-refunded", "fully-refunded", "over-refunded-elsewhere"],
)
def test_refund_is_capped_at_what_is_left_to_refund(left: str, total: str, capped: str | None) -> None:
    # given a 120.00 item on an order of which only `left` can still be refunded
    order = an_order([("120.00", 1)])

    # when refunded
    result = refund(order, [units("line-1", 1)], left=money(left))

    # then the refund never exceeds what is left, and says when the cap cut it
    assert result.total == money(total)
    assert result.capped_by == (money(capped) if capped else None)


def test_yen_amounts_stay_whole_yen() -> None:
    # given a yen order (5998 yen of items) with a 777 yen discount and a 15% restocking fee
    order = an_order([("1001", 1), ("333", 3), ("1999", 2)], currency="JPY", discount="777", shipping="500")
    policy = Policy(restocking_fee_percent=Decimal("15"))

    # when one unit of each line is returned
    result = refund(order, [units("line-1", 1), units("line-2", 1), units("line-3", 1)], policy=policy)

    # then the discount is spread in whole yen (130 / 129 / 518), and so is every fee and refund
    assert line_totals_paid(order) == {"line-1": money("871", "JPY"), "line-2": money("870", "JPY"),
                                       "line-3": money("3480", "JPY")}
    assert result.restocking_fee == money("436", "JPY")  # 130.65 → 131, 43.5 → 44, 261
    assert result.lines == {"line-1": money("740", "JPY"), "line-2": money("246", "JPY"),
                            "line-3": money("1479", "JPY")}
    assert result.total == money("2465", "JPY")
    amounts = [*result.lines.values(), result.restocking_fee, result.total, *line_totals_paid(order).values()]
    assert all(m.amount.as_tuple().exponent == 0 for m in amounts)


# --- properties -------------------------------------------------------------------------------------

CURRENCIES = st.sampled_from(["USD", "JPY", "KWD"])


def from_units(minor: int, currency: str) -> Money:
    return Money(Decimal(minor).scaleb(-currency_exponent(currency)), currency)


@st.composite
def orders(draw: st.DrawFn) -> Order:
    currency = draw(CURRENCIES)
    lines = draw(st.lists(st.tuples(st.integers(0, 500_000), st.integers(1, 6)), min_size=1, max_size=5))
    gross = sum(price * qty for price, qty in lines)
    discount = draw(st.integers(0, gross))
    shipping = draw(st.integers(0, 5_000))
    exp = currency_exponent(currency)
    return an_order([(str(Decimal(price).scaleb(-exp)), qty) for price, qty in lines], currency=currency,
                    discount=str(Decimal(discount).scaleb(-exp)) if discount else None,
                    shipping=str(Decimal(shipping).scaleb(-exp)))


@given(order=orders(), data=st.data())
def test_returning_everything_in_any_sequence_refunds_exactly_what_was_paid(order: Order, data: st.DataObject) -> None:
    # given an order, and every unit of every line cut into partial returns in a random order
    chunks: list[tuple[str, int]] = []
    for line in order.lines:
        left = line.quantity
        while left:
            take = data.draw(st.integers(1, left))
            chunks.append((line.id, take))
            left -= take
    chunks = data.draw(st.permutations(chunks))
    returned = {line.id: 0 for line in order.lines}
    refunded = Money.zero(order.currency)

    # when each chunk is refunded in turn (shipped back, free shipping, no fee)
    for line_id, quantity in chunks:
        result = refund(order, [units(line_id, quantity, already=returned[line_id])],
                        left=order.charged - refunded)
        returned[line_id] += quantity
        refunded = refunded + result.total

    # then the refunds add up to exactly what the lines were paid: the charge minus shipping
    paid = sum(line_totals_paid(order).values(), Money.zero(order.currency))
    assert refunded == paid
    assert refunded == order.charged - (order.shipping_price or Money.zero(order.currency))
    discount = order.order_discount or Money.zero(order.currency)
    gross = sum((line.unit_price.times(line.quantity) for line in order.lines), Money.zero(order.currency))
    assert paid == gross - discount


@given(
    order=orders(),
    data=st.data(),
    fee=st.integers(0, 100),
    shipping=st.sampled_from(list(ReturnShipping)),
    ship_back=st.booleans(),
    whole_order_back=st.booleans(),
    refund_shipping=st.booleans(),
)
def test_refund_is_never_negative_and_never_above_what_is_left(order: Order, data: st.DataObject, fee: int,
                                                               shipping: ReturnShipping, ship_back: bool,
                                                               whole_order_back: bool,
                                                               refund_shipping: bool) -> None:
    # given any policy, any deduction, and any amount left to refund (even below zero)
    cur = order.currency
    policy = Policy(restocking_fee_percent=Decimal(fee), return_shipping=shipping, refund_shipping=refund_shipping,
                    return_shipping_fee=(from_units(data.draw(st.integers(0, 100_000)), cur),))
    label_cost = from_units(data.draw(st.integers(0, 100_000)), cur)
    left = from_units(data.draw(st.integers(-100_000, 10_000_000)), cur)
    line = data.draw(st.sampled_from(order.lines))
    already = data.draw(st.integers(0, line.quantity - 1))
    quantity = data.draw(st.integers(1, line.quantity - already))
    reason = data.draw(st.sampled_from(["DOES_NOT_FIT", "DAMAGED", "DEFECTIVE", "CHANGED_MIND"]))

    # when the refund is computed
    result = refund(order, [units(line.id, quantity, reason, already)], policy=policy, ship_back=ship_back,
                    label_cost=label_cost, whole_order_back=whole_order_back, left=left)

    # then it is in the order's currency, at least zero, and at most what is left
    assert result.total.currency == cur
    assert result.total.amount >= 0
    assert result.total <= left.max(Money.zero(cur))
    assert result.total.amount.as_tuple().exponent == -currency_exponent(cur)
    uncapped = (sum(result.lines.values(), Money.zero(cur)) - result.shipping_deduction
                + result.shipping_refund).max(Money.zero(cur))
    assert result.total == uncapped.min(left.max(Money.zero(cur)))
    assert (result.capped_by is not None) is (result.total < uncapped)


@given(
    currency=CURRENCIES,
    amount=st.integers(0, 10_000_000),
    lefts=st.lists(st.integers(-50_000, 5_000_000), min_size=0, max_size=6),
)
def test_split_over_payments_respects_each_payment_and_sums_to_what_can_be_refunded(
        currency: str, amount: int, lefts: list[int]) -> None:
    # given a refund and the order's payments with what each has left (some nothing, some below zero)
    payments = [(f"pay-{i}", from_units(left, currency)) for i, left in enumerate(lefts)]
    whole = from_units(amount, currency)

    # when the refund is split over them
    parts = split_over_payments(whole, payments)

    # then no payment gets more than it has left, none gets zero or less, and the parts sum to what is possible
    left_of = dict(payments)
    assert len({pid for pid, _ in parts}) == len(parts)
    for pid, part in parts:
        assert Money.zero(currency) < part <= left_of[pid]
    available = sum((m.max(Money.zero(currency)) for _, m in payments), Money.zero(currency))
    assert sum((p for _, p in parts), Money.zero(currency)) == whole.min(available)
    # and payments are used in the order given
    assert [pid for pid, _ in parts] == [pid for pid, _ in payments if pid in {p for p, _ in parts}]
