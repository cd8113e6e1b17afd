"""Eligibility per line: every rule asks one question, and every failing answer is kept."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from saleor_returns.domain.codes import EligibilityCode as E
from saleor_returns.domain.eligibility import DEFAULT_RULES, check_line, check_order, line_facts
from saleor_returns.domain.money import Money
from saleor_returns.domain.order import Channel, Fulfillment, FulfillmentLine, Order, OrderLine, Payment
from saleor_returns.domain.policy import Override, OverrideLevel, Policy

NY = ZoneInfo("America/New_York")
STORE = Channel(slug="default-channel", currency="USD", timezone="America/New_York")
ORDERED = datetime(2024, 5, 28, 14, 0, tzinfo=NY)
SHIPPED = datetime(2024, 5, 31, 12, 0, tzinfo=NY)  # window closes June 30th 23:59:59, grace until July 3rd


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


@dataclass
class Case:
    quantity: int = 2
    shipped: int = 2
    returned: int = 0
    paid: bool = True
    category: str | None = "electronics"
    left_to_refund: str = "200.00"
    now: datetime = datetime(2024, 6, 15, 12, 0, tzinfo=NY)
    policy: Policy = field(default_factory=Policy)


def order_for(case: Case) -> Order:
    line = OrderLine(id="line-1", product_name="Laptop sleeve", sku="SLV-13", quantity=case.quantity,
                     unit_price=usd("50.00"), product_type="accessory", category=case.category, product="sleeve-13")
    fulfillments = (Fulfillment("ful-1", SHIPPED, (FulfillmentLine("fl-1", "line-1", case.shipped),)),) \
        if case.shipped else ()
    payments = (Payment("pay-1", "pi_1", "stripe", usd("100.00"), usd("0.00")),) if case.paid else ()
    return Order(id="order-1", number="1042", channel=STORE, currency="USD", created_at=ORDERED,
                 user_email="ada@example.com", lines=(line,), fulfillments=fulfillments, payments=payments)


def eligibility_of(case: Case):  # type: ignore[no-untyped-def]
    order = order_for(case)
    return check_line(line_facts(order, order.lines[0], case.policy, case.returned, usd(case.left_to_refund),
                                 case.now))


CLEARANCE_IS_FINAL = Policy(overrides=(Override(OverrideLevel.CATEGORY, "clearance", final_sale=True),))


@pytest.mark.parametrize(
    ("case", "codes", "eligible", "returnable"),
    [
        (Case(), (), True, 2),
        (Case(paid=False), (E.ORDER_NOT_PAID,), False, 0),
        (Case(shipped=0), (E.NOT_FULFILLED,), False, 0),
        (Case(category="clearance", policy=CLEARANCE_IS_FINAL), (E.FINAL_SALE,), False, 0),
        (Case(now=datetime(2024, 7, 4, 0, 0, tzinfo=NY)), (E.WINDOW_EXPIRED,), False, 0),
        (Case(now=datetime(2024, 7, 1, 9, 0, tzinfo=NY)), (E.IN_GRACE,), True, 2),
        (Case(returned=2), (E.ALREADY_RETURNED,), False, 0),
        (Case(left_to_refund="0.00"), (E.NOT_REFUNDABLE,), False, 0),
    ],
    ids=["eligible", "ORDER_NOT_PAID", "NOT_FULFILLED", "FINAL_SALE", "WINDOW_EXPIRED", "IN_GRACE",
         "ALREADY_RETURNED", "NOT_REFUNDABLE"],
)
def test_each_rule_gives_its_code(case: Case, codes: tuple[E, ...], eligible: bool, returnable: int) -> None:
    # given a two-unit line, shipped May 31st, in a store in New York, with one thing about it changed
    # when its eligibility is checked
    result = eligibility_of(case)

    # then exactly that rule's code is reported, and only an informational code leaves it eligible
    assert result.codes == codes
    assert result.eligible is eligible
    assert result.in_grace is (E.IN_GRACE in codes)
    assert result.quantity_returnable == returnable
    assert [v.rule for v in result.verdicts] == [r.name for r in DEFAULT_RULES]


def test_every_failing_code_is_collected_not_just_the_first() -> None:
    # given a final-sale line on an unpaid order, long past its window, with nothing left to refund
    case = Case(paid=False, category="clearance", policy=CLEARANCE_IS_FINAL, left_to_refund="0.00",
                now=datetime(2024, 9, 1, tzinfo=NY))

    # when its eligibility is checked
    result = eligibility_of(case)

    # then all four reasons are reported, in rule order, with a failing verdict for each
    assert result.codes == (E.ORDER_NOT_PAID, E.FINAL_SALE, E.WINDOW_EXPIRED, E.NOT_REFUNDABLE)
    assert not result.eligible
    assert [v.rule for v in result.verdicts if not v.passed] == ["order_paid", "final_sale", "window", "refundable"]
    assert not result.only_window_expired


def test_unshipped_and_unpaid_are_reported_together() -> None:
    # given an order that was neither paid nor shipped
    # when checked
    result = eligibility_of(Case(paid=False, shipped=0))

    # then both codes appear; the window has not started so it does not fail
    assert result.codes == (E.ORDER_NOT_PAID, E.NOT_FULFILLED)
    assert result.deadline is None


def test_a_line_only_past_its_window_may_ask_for_an_exception() -> None:
    # given / when
    result = eligibility_of(Case(now=datetime(2024, 7, 10, tzinfo=NY)))

    # then the only failure is the window, which is what an exception may override
    assert result.only_window_expired


def test_the_deadline_shown_is_the_one_the_rules_used() -> None:
    # given a line in its grace period
    result = eligibility_of(Case(now=datetime(2024, 7, 2, tzinfo=NY)))

    # when / then the deadline carried with the result is the store's end of day
    assert result.deadline is not None
    assert result.deadline.deadline.isoformat() == "2024-06-30T23:59:59-04:00"
    assert result.deadline.grace_deadline.isoformat() == "2024-07-03T23:59:59-04:00"
    window = next(v for v in result.verdicts if v.rule == "window")
    assert "2024-07-03T23:59:59-04:00" in window.detail


@pytest.mark.parametrize(
    ("quantity", "shipped", "returned", "returnable", "codes"),
    [
        (5, 5, 0, 5, ()),
        (5, 5, 2, 3, ()),
        (5, 3, 0, 3, ()),
        (5, 3, 1, 2, ()),
        (5, 3, 3, 0, (E.ALREADY_RETURNED,)),
        (5, 5, 5, 0, (E.ALREADY_RETURNED,)),
    ],
    ids=["all-shipped", "some-returned", "partly-shipped", "partly-shipped-some-returned",
         "all-shipped-units-returned", "everything-returned"],
)
def test_quantity_returnable_is_shipped_minus_returned(quantity: int, shipped: int, returned: int,
                                                       returnable: int, codes: tuple[E, ...]) -> None:
    # given a line of which some units shipped and some are already in returns
    # when checked
    result = eligibility_of(Case(quantity=quantity, shipped=shipped, returned=returned,
                                 left_to_refund="1000.00"))

    # then only shipped units not yet returned can be returned
    assert result.quantity_returnable == returnable
    assert result.codes == codes


def test_partial_fulfillments_count_the_window_from_the_latest_shipment() -> None:
    # given two units shipped May 31st and a third shipped June 20th
    line = OrderLine("line-1", "Headphones", "HP-1", 3, usd("30.00"))
    order = Order(
        id="order-2", number="1043", channel=STORE, currency="USD", created_at=ORDERED,
        user_email="ada@example.com", lines=(line,),
        fulfillments=(Fulfillment("f-1", SHIPPED, (FulfillmentLine("fl-1", "line-1", 2),)),
                      Fulfillment("f-2", datetime(2024, 6, 20, 12, tzinfo=NY),
                                  (FulfillmentLine("fl-2", "line-1", 1),))),
        payments=(Payment("pay-1", "pi_2", "stripe", usd("90.00"), usd("0.00")),),
    )

    # when checked on July 10th (past the first shipment's grace)
    [result] = check_order(order, Policy(), {}, usd("90.00"), datetime(2024, 7, 10, tzinfo=NY))

    # then all three shipped units are returnable until July 20th
    assert result.eligible and result.codes == ()
    assert result.quantity_returnable == 3
    assert result.deadline is not None and result.deadline.deadline.date().isoformat() == "2024-07-20"


def test_check_order_reports_every_line_with_its_own_returned_units() -> None:
    # given an order with a shipped line and an unshipped one, one unit of the first already returned
    shipped = OrderLine("line-1", "Laptop", "LT-1", 2, usd("900.00"))
    waiting = OrderLine("line-2", "Dock", "DK-1", 1, usd("120.00"))
    order = Order(
        id="order-3", number="1044", channel=STORE, currency="USD", created_at=ORDERED,
        user_email="ada@example.com", lines=(shipped, waiting),
        fulfillments=(Fulfillment("f-1", SHIPPED, (FulfillmentLine("fl-1", "line-1", 2),)),),
        payments=(Payment("pay-1", "pi_3", "stripe", usd("1920.00"), usd("0.00")),),
    )

    # when the order is checked
    results = check_order(order, Policy(), {"line-1": 1}, usd("1020.00"), datetime(2024, 6, 10, tzinfo=NY))

    # then each line has its own answer, and the next unit's refund is what was paid for it
    by_line = {r.line.id: r for r in results}
    assert by_line["line-1"].eligible and by_line["line-1"].quantity_returnable == 1
    assert by_line["line-1"].unit_refund == usd("900.00")
    assert by_line["line-2"].codes == (E.NOT_FULFILLED,)
    assert by_line["line-2"].quantity_returnable == 0


def test_lines_alike_share_verdicts_and_keep_their_own_line_and_refund() -> None:
    # given three lines shipped together, two of them alike but for their price and name, and a third whose
    # category a final-sale override names
    def line(id_: str, price: str, category: str) -> OrderLine:
        return OrderLine(id_, f"Item {id_}", None, 1, usd(price), "shirt", category, f"p-{id_}")

    lines = (line("a", "10.00", "tops"), line("b", "30.00", "tops"), line("c", "20.00", "clearance"))
    order = Order(
        id="order-4", number="1045", channel=STORE, currency="USD", created_at=ORDERED,
        user_email="ada@example.com", lines=lines,
        fulfillments=(Fulfillment("f-1", SHIPPED, tuple(FulfillmentLine(f"fl-{x.id}", x.id, 1) for x in lines)),),
        payments=(Payment("pay-1", "pi_4", "stripe", usd("60.00"), usd("0.00")),),
    )
    now = datetime(2024, 6, 15, 12, 0, tzinfo=NY)

    # when the order is checked at once, and each line on its own
    together = check_order(order, CLEARANCE_IS_FINAL, {}, usd("60.00"), now)
    alone = [check_line(line_facts(order, x, CLEARANCE_IS_FINAL, 0, usd("60.00"), now)) for x in lines]

    # then each line gets the answer it gets alone: its own line and refund, the override only on the third
    assert together == alone
    assert [r.line.id for r in together] == ["a", "b", "c"]
    assert [r.unit_refund for r in together] == [usd("10.00"), usd("30.00"), usd("20.00")]
    assert [r.codes for r in together] == [(), (), (E.FINAL_SALE,)]
