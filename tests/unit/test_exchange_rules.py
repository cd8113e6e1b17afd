"""Exchanges and store credit in the domain (../shared/design/api/exchanges.md): the policy's settings, the
catalog of the orders file, what is offered per line and per order, and which choices are refused."""
from __future__ import annotations

import copy
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from saleor_returns.adapters.demo.entries import DemoStoreError
from saleor_returns.adapters.demo.orders_file import load_demo_store, parse_demo_store
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.exchanges import (
    RefundMethod,
    check_exchange,
    check_refund_method,
    exchange_options,
    refund_methods,
    store_credit_bonus,
)
from saleor_returns.domain.money import Money
from saleor_returns.domain.policy import ExchangeMode, Policy, PolicyError, policy_from_dict, policy_to_dict
from saleor_returns.domain.policy_bounds import policy_for_saving

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = datetime(2025, 3, 15, 16, 0, tzinfo=UTC)
STORE = load_demo_store(EXAMPLES / "demo-orders.json", NOW)
SHOE = STORE.products["P-SHOE"].in_currency("USD")
SHOE_ORDER = STORE.orders["ORD-1008"]
SHOE_LINE = SHOE_ORDER.lines[0]
OFFERING = Policy(exchange_mode=ExchangeMode.SAME_PRODUCT, store_credit_bonus_percent=Decimal("10"))


# --- the policy's settings ----------------------------------------------------------------------

def test_the_settings_are_off_unless_the_policy_sets_them():
    p = policy_from_dict({})
    assert (p.exchange_mode, p.store_credit_bonus_percent, p.instant_exchange) == (ExchangeMode.OFF, None, False)


def test_the_settings_round_trip_through_the_stored_form():
    data = {"exchange_mode": "SAME_PRODUCT", "store_credit_bonus_percent": "12.5", "instant_exchange": True}
    p = policy_from_dict(data)
    assert (p.exchange_mode, p.store_credit_bonus_percent, p.instant_exchange) == (
        ExchangeMode.SAME_PRODUCT, Decimal("12.5"), True)
    assert policy_from_dict(policy_to_dict(p)) == p
    assert policy_from_dict(policy_to_dict(Policy())).store_credit_bonus_percent is None


@pytest.mark.parametrize(("data", "field"), [
    ({"exchange_mode": "ANY_PRODUCT"}, "exchange_mode"),
    ({"store_credit_bonus_percent": "101"}, "store_credit_bonus_percent"),
    ({"store_credit_bonus_percent": "-1"}, "store_credit_bonus_percent"),
    ({"store_credit_bonus_percent": "abc"}, "store_credit_bonus_percent"),
    ({"store_credit_bonus_percent": "1.00001"}, "store_credit_bonus_percent"),
    ({"instant_exchange": "yes"}, "instant_exchange"),
])
def test_a_setting_no_merchant_could_mean_is_refused_by_name(data, field):
    with pytest.raises(PolicyError) as err:
        policy_for_saving(data)
    assert err.value.field == field


# --- the catalog of the orders file ------------------------------------------------------------

def test_the_example_catalog_has_the_three_stories_products_and_lines_name_their_variants():
    assert set(STORE.products) == {"P-SHOE", "P-SWEATER", "P-CASE"}
    assert (SHOE_LINE.product, SHOE_LINE.variant_id) == ("P-SHOE", "V-SHOE-42")
    assert SHOE.variant("V-SHOE-43").unit_price == Money(Decimal("89.00"), "USD")
    assert SHOE.variant("V-SHOE-44").stock == 0


def _file_with(change) -> dict[str, Any]:
    data = copy.deepcopy({"channels": [{"slug": "c", "currency": "USD", "timezone": "UTC"}],
                          "products": [{"id": "P", "name": "Shoe", "variants": [
                              {"id": "V1", "name": "42", "unitPriceGross": "89.00", "stock": 1}]}],
                          "orders": [{"id": "O", "number": "1", "channel": "c", "createdAt": "-2d",
                                      "userEmail": "a@example.com",
                                      "lines": [{"id": "L", "productName": "Shoe", "quantity": 1,
                                                 "unitPriceGross": "89.00", "productId": "P", "variantId": "V1"}]}]})
    change(data)
    return data


@pytest.mark.parametrize(("change", "where"), [
    (lambda d: d["products"][0]["variants"][0].update(stock=-1), "products[0] (P).variants[0] (V1).stock"),
    (lambda d: d["products"][0]["variants"][0].update(unitPriceGross=89.5), "variants[0] (V1).unitPriceGross"),
    (lambda d: d["products"][0]["variants"].append({"id": "V1", "name": "x", "unitPriceGross": "1"}), ".id"),
    (lambda d: d["orders"][0]["lines"][0].update(variantId="V9"), "orders[0] (O).lines[0].variantId"),
])
def test_a_bad_catalog_names_the_entry_and_the_field(change, where):
    with pytest.raises(DemoStoreError) as err:
        parse_demo_store(_file_with(change), NOW)
    assert where in str(err.value)


def test_a_file_without_products_still_loads():
    data = _file_with(lambda d: d.pop("products"))
    assert parse_demo_store(data, NOW).products == {}


# --- what is offered --------------------------------------------------------------------------

def test_a_line_is_offered_the_other_variants_at_or_below_the_price_paid_out_of_stock_shown_unavailable():
    options = exchange_options(SHOE_LINE, SHOE, OFFERING)
    assert [(o.variant.id, o.available) for o in options] == [("V-SHOE-43", True), ("V-SHOE-44", False)]


def test_nothing_is_offered_when_exchanges_are_off_or_the_product_is_unknown():
    assert exchange_options(SHOE_LINE, SHOE, Policy()) == ()
    assert exchange_options(SHOE_LINE, None, OFFERING) == ()


def test_stock_already_promised_elsewhere_makes_a_variant_unavailable():
    options = exchange_options(SHOE_LINE, SHOE, OFFERING, stock={"V-SHOE-43": 0})
    assert [o.available for o in options] == [False, False]


def test_store_credit_is_offered_with_its_bonus_only_when_the_policy_sets_one():
    assert [(o.method, o.bonus_percent) for o in refund_methods(OFFERING)] == [
        (RefundMethod.ORIGINAL_PAYMENT, Decimal(0)), (RefundMethod.STORE_CREDIT, Decimal(10))]
    assert [o.method for o in refund_methods(Policy())] == [RefundMethod.ORIGINAL_PAYMENT]
    zero = Policy(store_credit_bonus_percent=Decimal(0))
    assert [(o.method, o.bonus_percent) for o in refund_methods(zero)][1] == (RefundMethod.STORE_CREDIT, Decimal(0))


def test_the_bonus_is_rounded_to_the_currency():
    assert store_credit_bonus(Money(Decimal("120.00"), "USD"), OFFERING) == Money(Decimal("12.00"), "USD")
    odd = Policy(store_credit_bonus_percent=Decimal("12.5"))
    assert store_credit_bonus(Money(Decimal("19.99"), "USD"), odd) == Money(Decimal("2.50"), "USD")
    assert store_credit_bonus(Money(Decimal("1999"), "JPY"), odd) == Money(Decimal("250"), "JPY")


# --- what is refused ----------------------------------------------------------------------------

def test_an_even_swap_has_no_price_difference():
    choice = check_exchange("lines[0]", SHOE_ORDER, SHOE_LINE.id, 1, "V-SHOE-43", SHOE, OFFERING)
    assert (choice.variant.id, choice.price_difference) == ("V-SHOE-43", Money(Decimal("0.00"), "USD"))


@pytest.mark.parametrize(("variant", "policy", "stock", "says"), [
    ("V-SWEATER-L", OFFERING, None, "not a variant of"),
    ("V-NOPE", OFFERING, None, "not a variant of"),
    ("V-SHOE-44", OFFERING, None, "out of stock"),
    ("V-SHOE-43", OFFERING, {"V-SHOE-43": 0}, "out of stock"),
    ("V-SHOE-43-GTX", OFFERING, None, "costs more"),
    ("V-SHOE-42", OFFERING, None, "different variant"),
    ("V-SHOE-43", Policy(), None, "does not offer exchanges"),
])
def test_a_choice_that_does_not_hold_is_an_input_error_on_the_line(variant, policy, stock, says):
    with pytest.raises(ReturnError) as err:
        check_exchange("lines[0]", SHOE_ORDER, SHOE_LINE.id, 1, variant, SHOE, policy, stock)
    assert (err.value.code, err.value.field) == (ReturnErrorCode.INVALID_INPUT, "lines[0].exchangeVariantId")
    assert says in err.value.message


def test_store_credit_where_none_is_offered_is_an_input_error():
    check_refund_method(RefundMethod.STORE_CREDIT, OFFERING)
    check_refund_method(RefundMethod.ORIGINAL_PAYMENT, Policy())
    with pytest.raises(ReturnError) as err:
        check_refund_method(RefundMethod.STORE_CREDIT, Policy())
    assert (err.value.code, err.value.field) == (ReturnErrorCode.INVALID_INPUT, "refundMethod")


# --- the messages they owe ------------------------------------------------------------------------------

def test_a_store_credit_refund_and_a_replacement_owe_their_own_messages():
    from saleor_returns.adapters.mail.samples import sample_return
    from saleor_returns.domain.actors import SYSTEM
    from saleor_returns.domain.events import EventType
    from saleor_returns.domain.notifications import messages_owed
    from saleor_returns.domain.outbox import NotificationKind
    from saleor_returns.domain.refunds import Refund, RefundStatus
    from saleor_returns.domain.return_exchange import STORE_CREDIT_GATEWAY, ExchangeStatus, LineExchange
    from saleor_returns.domain.returns import ReturnLine

    ret = sample_return()
    ret.refund_method, ret.credit_bonus_percent = RefundMethod.STORE_CREDIT, Decimal(10)
    ret.lines[0] = ReturnLine("L-1001-1", "Laptop 14", "LAP-14", 1, "DAMAGED", None, Money(Decimal("0"), "USD"),
                              LineExchange("V-2", "US keyboard", None, Money(Decimal("1299"), "USD")))
    ret.refund_total = Money(Decimal("100.00"), "USD")
    ret.refunds.append(Refund(id="r1", payment_id="p1", payment_reference="pi", gateway=STORE_CREDIT_GATEWAY,
                              amount=Money(Decimal("100.00"), "USD"), created_at=NOW, status=RefundStatus.SUCCEEDED,
                              psp_reference="SC-AAAA-BBBB-CCCC"))
    ret.exchange_status, ret.exchange_order_number = ExchangeStatus.CREATED, "X-R-10042"
    first = len(ret.events)
    ret.log(NOW, SYSTEM, EventType.EXCHANGE_CREATED, "replacement X-R-10042")
    ret.log(NOW, SYSTEM, EventType.REFUND_SUCCEEDED)

    owed = messages_owed(ret, first, (), lambda: "id")

    assert [m.kind for m in owed] == [NotificationKind.EXCHANGE_CREATED, NotificationKind.STORE_CREDIT_ISSUED]
    assert owed[0].facts["replacement_number"] == "X-R-10042"
    assert owed[0].facts["replacement_items"] == [{"product": "Laptop 14 → US keyboard", "quantity": 1}]
    assert (owed[1].facts["amount"], owed[1].facts["bonus"], owed[1].facts["code"]) == (
        "110.00", "10.00", "SC-AAAA-BBBB-CCCC")


def test_an_override_turns_exchanges_off_or_on_for_a_category_product_type_or_product():
    from saleor_returns.domain.policy import Override, OverrideLevel

    shoes_off = Policy(exchange_mode=ExchangeMode.SAME_PRODUCT,
                       overrides=(Override(OverrideLevel.CATEGORY, "Shoes", exchange_mode=ExchangeMode.OFF),))
    only_this_shoe = Policy(overrides=(
        Override(OverrideLevel.PRODUCT_TYPE, "Footwear", exchange_mode=ExchangeMode.OFF),
        Override(OverrideLevel.PRODUCT, "P-SHOE", exchange_mode=ExchangeMode.SAME_PRODUCT),))

    assert exchange_options(SHOE_LINE, SHOE, shoes_off) == ()
    with pytest.raises(ReturnError) as err:
        check_exchange("lines[0]", SHOE_ORDER, SHOE_LINE.id, 1, "V-SHOE-43", SHOE, shoes_off)
    assert "does not offer exchanges" in err.value.message
    assert [o.variant.id for o in exchange_options(SHOE_LINE, SHOE, only_this_shoe)] == ["V-SHOE-43", "V-SHOE-44"]
    data = policy_to_dict(only_this_shoe)
    assert data["overrides"][1] == {"level": "PRODUCT", "key": "P-SHOE", "exchange_mode": "SAME_PRODUCT"}
    assert policy_from_dict(data) == only_this_shoe
