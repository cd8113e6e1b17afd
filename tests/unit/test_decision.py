"""The decision for a whole return, told through the stories of PRODUCT.md."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from saleor_returns.domain.codes import EligibilityCode as E
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.decision import (
    EXCEPTION_REQUESTED,
    Decision,
    DecisionInput,
    KeepItemHistory,
    RequestedLine,
    decide,
)
from saleor_returns.domain.eligibility import check_order
from saleor_returns.domain.lifecycle import Resolution, ReturnStatus
from saleor_returns.domain.money import Money
from saleor_returns.domain.order import Channel, Fulfillment, FulfillmentLine, Order, OrderLine, Payment
from saleor_returns.domain.policy import (
    GraceMode,
    KeepItemLimits,
    Override,
    OverrideLevel,
    Policy,
    ReturnShipping,
)

NY = ZoneInfo("America/New_York")
STORE = Channel(slug="default-channel", currency="USD", timezone="America/New_York")
SHIPPED = datetime(2024, 6, 1, 11, 0, tzinfo=NY)  # 30-day window closes July 1st 23:59:59, grace to July 4th
IN_WINDOW = datetime(2024, 6, 20, 15, 0, tzinfo=NY)
ONE_DAY_LATE = datetime(2024, 7, 2, 18, 30, tzinfo=NY)
PAST_GRACE = datetime(2024, 7, 5, 0, 0, tzinfo=NY)
POLICY_VERSION = 7


def usd(amount: str) -> Money:
    return Money.of(amount, "USD")


def an_order(*, cover_category: str = "accessories", cover_price: str = "19.00", laptop_qty: int = 1) -> Order:
    """A dented laptop and a cover that does not fit, both shipped June 1st, paid in full."""
    laptop = OrderLine("laptop", "Laptop 14\"", "LT-14", laptop_qty, usd("1299.00"), product_type="laptop",
                       category="computers", product="laptop-14")
    cover = OrderLine("cover", "Laptop cover", "CV-14", 1, usd(cover_price), product_type="accessory",
                      category=cover_category, product="cover-14")
    paid = laptop.unit_price.times(laptop_qty) + cover.unit_price + usd("10.00")
    return Order(
        id="order-1", number="10042", channel=STORE, currency="USD", created_at=datetime(2024, 5, 30, tzinfo=NY),
        user_email="sam@example.com", lines=(laptop, cover),
        fulfillments=(Fulfillment("f-1", SHIPPED, (FulfillmentLine("fl-1", "laptop", laptop_qty),
                                                   FulfillmentLine("fl-2", "cover", 1))),),
        payments=(Payment("pay-1", "pi_1", "stripe", paid, usd("0.00")),),
        shipping_price=usd("10.00"),
    )


def request(line_id: str, quantity: int = 1, reason: str = "DAMAGED", comment: str | None = None) -> RequestedLine:
    return RequestedLine(line_id, quantity, reason, comment)


def an_input(*lines: RequestedLine, order: Order | None = None, policy: Policy | None = None,
             now: datetime = IN_WINDOW, returned: dict[str, int] | None = None,
             history: KeepItemHistory | None = None, exception_requested: bool = False,
             label_cost: Money | None = None) -> DecisionInput:
    order = order or an_order()
    policy = policy or Policy()
    returned = returned or {}
    left = order.charged - order.refunded_elsewhere
    eligibility = {el.line.id: el for el in check_order(order, policy, returned, left, now)}
    return DecisionInput(order=order, policy=policy, policy_version=POLICY_VERSION, requested=tuple(lines),
                         eligibility=eligibility, returned=returned,
                         keep_history=history or KeepItemHistory(0, usd("0")), left_to_refund=left,
                         exception_requested=exception_requested, label_cost=label_cost)


def verdicts(decision: Decision) -> dict[str, str]:
    return {v.rule: v.verdict for v in decision.trace}


# --- the late laptop ------------------------------------------------------------------------------

def test_late_laptop_within_grace_is_approved_with_a_label_and_flagged_in_grace() -> None:
    # given a dented laptop, asked for one day after the 30-day window closed, with 3 grace days
    inp = an_input(request("laptop", reason="DAMAGED"), now=ONE_DAY_LATE)

    # when the return is decided
    decision = decide(inp)

    # then it goes through with a prepaid label, the full price back, flagged as in grace
    assert decision.status is ReturnStatus.APPROVED
    assert decision.resolution is Resolution.SHIP_BACK
    assert decision.accepted == (request("laptop"),)
    assert decision.refused == ()
    assert decision.refund_total == usd("1299.00")
    assert E.IN_GRACE in decision.flags
    assert decision.review_codes == ()
    assert decision.out_of_policy is False
    assert verdicts(decision)["window[laptop]"] == "IN_GRACE"
    assert verdicts(decision)["grace_mode"] == "PASS"


def test_late_laptop_goes_to_review_when_grace_mode_is_review() -> None:
    # given the same late laptop, but a merchant who wants to see grace-period returns
    inp = an_input(request("laptop"), now=ONE_DAY_LATE, policy=Policy(grace_mode=GraceMode.REVIEW))

    # when decided
    decision = decide(inp)

    # then a person looks at it first; the plan is still a label
    assert decision.status is ReturnStatus.PENDING_REVIEW
    assert decision.resolution is Resolution.SHIP_BACK
    assert decision.review_codes == ("IN_GRACE_REVIEW",)
    assert E.IN_GRACE in decision.flags
    assert verdicts(decision)["grace_mode"] == "REVIEW"


# --- the cover that does not fit: keep the item -----------------------------------------------------

def test_cheap_cover_under_the_threshold_is_refunded_at_once_and_kept() -> None:
    # given a 19.00 cover that does not fit, a 25.00 keep-item threshold and a flat return fee
    policy = Policy(keep_item_thresholds=(usd("25.00"),), return_shipping=ReturnShipping.FLAT_FEE,
                    return_shipping_fee=(usd("4.95"),))
    inp = an_input(request("cover", reason="DOES_NOT_FIT"), policy=policy)

    # when decided
    decision = decide(inp)

    # then the shopper keeps it and gets everything back now: nothing is shipped, so no fee
    assert decision.status is ReturnStatus.APPROVED
    assert decision.resolution is Resolution.KEEP_ITEM
    assert decision.refund_total == usd("19.00")
    assert decision.refund is not None and decision.refund.shipping_deduction == usd("0.00")
    assert verdicts(decision)["keep_item"] == "KEEP_ITEM"


@pytest.mark.parametrize(
    ("threshold", "cost_aware", "cost", "resolution"),
    [
        ("19.00", False, None, Resolution.KEEP_ITEM),
        ("18.99", False, None, Resolution.SHIP_BACK),
        (None, False, None, Resolution.SHIP_BACK),
        (None, True, "32.00", Resolution.KEEP_ITEM),
        (None, True, "19.00", Resolution.KEEP_ITEM),
        (None, True, "18.99", Resolution.SHIP_BACK),
        (None, False, "32.00", Resolution.SHIP_BACK),
        ("10.00", True, "32.00", Resolution.KEEP_ITEM),
    ],
    ids=["at-threshold", "one-cent-above", "no-threshold", "return-costs-more", "return-costs-the-same",
         "return-costs-less", "cost-known-but-rule-off", "cost-aware-beats-low-threshold"],
)
def test_keep_item_by_threshold_or_cost_aware_rule(threshold: str | None, cost_aware: bool, cost: str | None,
                                                   resolution: Resolution) -> None:
    # given a 19.00 cover and a policy with (or without) a threshold and a cost-aware rule
    policy = Policy(keep_item_thresholds=(usd(threshold),) if threshold else (),
                    keep_item_cost_aware=cost_aware, expected_return_cost=(usd(cost),) if cost else ())

    # when decided
    decision = decide(an_input(request("cover", reason="DOES_NOT_FIT"), policy=policy))

    # then the item is kept when the refund is at or below the threshold, or shipping it back costs as much
    assert decision.status is ReturnStatus.APPROVED
    assert decision.resolution is resolution
    assert decision.refund_total == usd("19.00")


@pytest.mark.parametrize(
    ("history_count", "history_amount", "limits", "resolution", "limit_flag"),
    [
        (2, "40.00", KeepItemLimits(max_count=3), Resolution.KEEP_ITEM, False),
        (3, "40.00", KeepItemLimits(max_count=3), Resolution.SHIP_BACK, True),
        (0, "90.00", KeepItemLimits(max_count=3, max_amount=(usd("100.00"),)), Resolution.SHIP_BACK, True),
        (1, "81.01", KeepItemLimits(max_count=3, max_amount=(usd("100.00"),)), Resolution.SHIP_BACK, True),
        (1, "81.00", KeepItemLimits(max_count=3, max_amount=(usd("100.00"),)), Resolution.KEEP_ITEM, False),
        (0, "0.00", KeepItemLimits(max_count=0), Resolution.SHIP_BACK, True),
    ],
    ids=["under-both-limits", "count-reached", "amount-would-exceed", "amount-exceeded-by-one-cent",
         "amount-exactly-at-cap", "keep-item-disabled-by-zero-count"],
)
def test_keep_item_limits_fall_back_to_a_label_never_to_a_no(history_count: int, history_amount: str,
                                                             limits: KeepItemLimits, resolution: Resolution,
                                                             limit_flag: bool) -> None:
    # given a shopper with earlier keep-item refunds, asking to keep a 19.00 cover under a 25.00 threshold
    policy = Policy(keep_item_thresholds=(usd("25.00"),), keep_item_limits=limits)
    inp = an_input(request("cover", reason="DOES_NOT_FIT"), policy=policy,
                   history=KeepItemHistory(history_count, usd(history_amount)))

    # when decided
    decision = decide(inp)

    # then past a cap the return still goes through, with a label, and says why
    assert decision.status is ReturnStatus.APPROVED
    assert decision.resolution is resolution
    assert (E.KEEP_ITEM_LIMIT_REACHED in decision.flags) is limit_flag
    assert ("keep_item_limits" in verdicts(decision)) is limit_flag


# --- review triggers ----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("review_above", "status", "codes"),
    [
        ("1000.00", ReturnStatus.PENDING_REVIEW, ("ABOVE_REVIEW_THRESHOLD",)),
        ("1299.00", ReturnStatus.APPROVED, ()),
        (None, ReturnStatus.APPROVED, ()),
    ],
    ids=["above", "exactly-at", "no-trigger"],
)
def test_a_refund_above_review_above_goes_to_review(review_above: str | None, status: ReturnStatus,
                                                    codes: tuple[str, ...]) -> None:
    # given a laptop returned inside the window
    policy = Policy(review_above=(usd(review_above),) if review_above else ())

    # when decided
    decision = decide(an_input(request("laptop"), policy=policy))

    # then only a refund strictly above the trigger waits for a person
    assert decision.status is status
    assert decision.review_codes == codes
    assert decision.resolution is Resolution.SHIP_BACK


# --- past grace: a no, or a person ----------------------------------------------------------------------

def test_past_grace_is_rejected() -> None:
    # given the laptop, asked for after the grace period ended
    # when decided
    decision = decide(an_input(request("laptop"), now=PAST_GRACE))

    # then it is refused, with the reason on the line, and no refund
    assert decision.status is ReturnStatus.REJECTED
    assert decision.resolution is None
    assert decision.accepted == ()
    assert decision.refused == ((request("laptop"), (E.WINDOW_EXPIRED,)),)
    assert decision.refund is None
    assert verdicts(decision)["decision"] == "REJECTED"


def test_past_grace_with_an_exception_requested_goes_to_review_out_of_policy() -> None:
    # given the same late request, but the shopper asks for an exception
    inp = an_input(request("laptop"), now=PAST_GRACE, exception_requested=True)

    # when decided
    decision = decide(inp)

    # then a person decides; approving it will spend goodwill
    assert decision.status is ReturnStatus.PENDING_REVIEW
    assert decision.review_codes == (EXCEPTION_REQUESTED,)
    assert EXCEPTION_REQUESTED == "EXCEPTION_REQUESTED"
    assert decision.out_of_policy is True
    assert decision.resolution is Resolution.SHIP_BACK
    assert decision.accepted == (request("laptop"),)
    assert decision.refused == ()
    assert decision.refund_total == usd("1299.00")
    assert verdicts(decision)["exception"] == "REVIEW"


def test_an_exception_cannot_override_a_final_sale() -> None:
    # given a final-sale cover past its grace period, with an exception requested
    policy = Policy(overrides=(Override(OverrideLevel.CATEGORY, "clearance", final_sale=True),))
    inp = an_input(request("cover", reason="DOES_NOT_FIT"), order=an_order(cover_category="clearance"),
                   policy=policy, now=PAST_GRACE, exception_requested=True)

    # when decided
    decision = decide(inp)

    # then it is still refused, with both reasons
    assert decision.status is ReturnStatus.REJECTED
    assert decision.refused == ((request("cover", reason="DOES_NOT_FIT"), (E.FINAL_SALE, E.WINDOW_EXPIRED)),)
    assert decision.out_of_policy is False


def test_asking_for_an_exception_inside_the_window_changes_nothing() -> None:
    # given / when
    decision = decide(an_input(request("laptop"), exception_requested=True))

    # then
    assert decision.status is ReturnStatus.APPROVED
    assert decision.review_codes == ()
    assert decision.out_of_policy is False


# --- mixed lines -----------------------------------------------------------------------------------------

def test_mixed_lines_the_eligible_one_proceeds_the_other_is_refused_with_its_codes() -> None:
    # given a final-sale cover and a laptop, returned together inside the window
    policy = Policy(overrides=(Override(OverrideLevel.CATEGORY, "clearance", final_sale=True),))
    laptop, cover = request("laptop"), request("cover", reason="DOES_NOT_FIT")
    inp = an_input(laptop, cover, order=an_order(cover_category="clearance"), policy=policy)

    # when decided
    decision = decide(inp)

    # then the laptop goes back; the cover is refused for being final sale and refunds nothing
    assert decision.status is ReturnStatus.APPROVED
    assert decision.accepted == (laptop,)
    assert decision.refused == ((cover, (E.FINAL_SALE,)),)
    assert decision.refund is not None and set(decision.refund.lines) == {"laptop"}
    assert decision.refund_total == usd("1299.00")
    assert verdicts(decision)["final_sale[cover]"] == "FINAL_SALE"
    assert verdicts(decision)["final_sale[laptop]"] == "PASS"


# --- input errors: the whole request is refused before any rule runs --------------------------------------

@pytest.mark.parametrize(
    ("lines", "returned", "code", "field"),
    [
        ((), None, ReturnErrorCode.INVALID_INPUT, "lines"),
        ((request("laptop"), request("laptop")), None, ReturnErrorCode.INVALID_INPUT, "lines[1]"),
        ((request("line-of-another-order"),), None, ReturnErrorCode.INVALID_INPUT, "lines[0].orderLineId"),
        ((request("laptop", quantity=0),), None, ReturnErrorCode.INVALID_INPUT, "lines[0].quantity"),
        ((request("cover", reason="DOES_NOT_FIT"), request("laptop", quantity=-1)), None,
         ReturnErrorCode.INVALID_INPUT, "lines[1].quantity"),
        ((request("laptop", quantity=2),), None, ReturnErrorCode.QUANTITY_EXCEEDED, "lines[0].quantity"),
        ((request("laptop", quantity=3),), {"laptop": 1}, ReturnErrorCode.QUANTITY_EXCEEDED, "lines[0].quantity"),
        ((request("laptop", reason="BORED"),), None, ReturnErrorCode.UNKNOWN_REASON, "lines[0].reason"),
        ((request("laptop", reason="OTHER"),), None, ReturnErrorCode.COMMENT_REQUIRED, "lines[0].comment"),
        ((request("laptop", reason="OTHER", comment="   "),), None, ReturnErrorCode.COMMENT_REQUIRED,
         "lines[0].comment"),
        ((request("cover", reason="DOES_NOT_FIT"),), {"cover": 1}, ReturnErrorCode.ALREADY_RETURNED,
         "lines[0].orderLineId"),
    ],
    ids=["empty", "duplicate-line", "line-of-another-order", "zero-quantity", "negative-quantity",
         "quantity-above-shipped", "quantity-above-left", "unknown-reason", "other-without-comment",
         "other-with-blank-comment", "already-returned"],
)
def test_input_errors_raise_return_error_with_a_code_and_field(lines: tuple[RequestedLine, ...],
                                                               returned: dict[str, int] | None,
                                                               code: ReturnErrorCode, field: str) -> None:
    # given a request that no rule should even look at
    order = an_order(laptop_qty=3) if returned and "laptop" in returned else an_order()
    inp = an_input(*lines, order=order, returned=returned)

    # when / then it is refused as a whole, with a code a client can switch on and the field to fix
    with pytest.raises(ReturnError) as caught:
        decide(inp)
    assert caught.value.code is code
    assert caught.value.field == field


def test_other_with_a_comment_is_accepted() -> None:
    # given / when
    decision = decide(an_input(request("laptop", reason="OTHER", comment="fan rattles")))

    # then
    assert decision.status is ReturnStatus.APPROVED
    assert decision.accepted[0].comment == "fan rattles"


def test_partial_quantity_within_what_is_left_is_accepted() -> None:
    # given three laptops of which one is already in a return
    inp = an_input(request("laptop", quantity=2), order=an_order(laptop_qty=3), returned={"laptop": 1})

    # when the shopper returns the other two
    decision = decide(inp)

    # then both are refunded at what was paid for them
    assert decision.status is ReturnStatus.APPROVED
    assert decision.refund_total == usd("2598.00")


# --- the trace ------------------------------------------------------------------------------------------

def test_trace_has_a_verdict_for_every_rule_that_ran_and_the_policy_version() -> None:
    # given the late laptop and the cover, under a policy with a threshold and a review trigger
    policy = Policy(keep_item_thresholds=(usd("25.00"),), review_above=(usd("5000.00"),))
    inp = an_input(request("laptop"), request("cover", reason="DOES_NOT_FIT"), policy=policy, now=ONE_DAY_LATE)

    # when decided
    decision = decide(inp)

    # then each eligibility rule for each line, and each decision rule, left a verdict with a detail
    rules = [v.rule for v in decision.trace]
    per_line = ["order_paid", "fulfilled", "final_sale", "window", "units_left", "refundable"]
    for line_id in ("laptop", "cover"):
        for rule in per_line:
            assert f"{rule}[{line_id}]" in rules
    assert {"grace_mode", "review_above", "keep_item", "decision"} <= set(rules)
    assert rules[-1] == "decision"
    assert all(v.detail for v in decision.trace)
    assert verdicts(decision)["keep_item"] == "SHIP_BACK"  # 1318.00 is far above 25.00
    assert verdicts(decision)["decision"] == "APPROVED"
    assert decision.policy_version == POLICY_VERSION


def test_restocking_fee_reaches_the_decision_refund() -> None:
    # given a 10% restocking fee and a cover returned because it does not fit
    policy = Policy(restocking_fee_percent=Decimal("10"))

    # when decided
    decision = decide(an_input(request("cover", reason="DOES_NOT_FIT"), policy=policy))

    # then the fee is deducted from what was paid
    assert decision.refund is not None
    assert decision.refund.restocking_fee == usd("1.90")
    assert decision.refund_total == usd("17.10")


def test_an_exception_cannot_ask_for_more_units_than_were_shipped() -> None:
    # given one laptop, past grace, and an exception request for two of them
    inp = an_input(request("laptop", quantity=2), now=PAST_GRACE, exception_requested=True)

    # when / then the request is refused as input, not queued for a refund of units never bought
    with pytest.raises(ReturnError) as caught:
        decide(inp)
    assert caught.value.code is ReturnErrorCode.QUANTITY_EXCEEDED
    assert caught.value.field == "lines[0].quantity"


def test_a_refused_line_does_not_trip_the_quantity_check() -> None:
    # given a final-sale cover asked for twice over, next to a laptop
    policy = Policy(overrides=(Override(OverrideLevel.CATEGORY, "clearance", final_sale=True),))
    inp = an_input(request("laptop"), request("cover", quantity=2, reason="DOES_NOT_FIT"),
                   order=an_order(cover_category="clearance"), policy=policy)

    # when decided
    decision = decide(inp)

    # then the cover is refused for what it is (final sale), and the laptop proceeds
    assert decision.accepted == (request("laptop"),)
    assert [codes for _, codes in decision.refused] == [(E.FINAL_SALE,)]
