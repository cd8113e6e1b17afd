"""The demo store: the example orders file loads, tells its stories, and broken files say where they break."""
from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.demo.orders_file import (
    DEFAULT_RETURN_ADDRESS,
    DemoStore,
    DemoStoreError,
    SeedReturn,
    SeedReturnLine,
    load_demo_store,
    parse_demo_store,
)
from saleor_returns.domain.codes import EligibilityCode
from saleor_returns.domain.eligibility import check_order
from saleor_returns.domain.money import Money
from saleor_returns.domain.order import Order
from saleor_returns.domain.policy import Policy, policy_from_dict
from saleor_returns.ports import OrderSource

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
DEMO_ORDERS = EXAMPLES / "demo-orders.json"
POLICY_FILE = EXAMPLES / "policy.json"
# midday in New York and evening in Tokyo: no story sits on a day boundary
NOW = datetime(2025, 3, 15, 16, 0, tzinfo=UTC)
# 23:30 in New York, and 31 days ago was still summer time: elapsed days would land on the next calendar day
AFTER_FALL_BACK = datetime(2025, 11, 10, 4, 30, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")
EXAMPLE_IDS = {"ORD-1001", "ORD-1002", "ORD-1003", "ORD-1004", "ORD-1005", "ORD-1006", "ORD-1007", "ORD-1008",
               "ORD-1009", "ORD-1010", "ORD-2001"}


def minimal() -> dict[str, Any]:
    """A small valid file: one channel, one order of one line, one fulfillment, one payment."""
    return {
        "channels": [{"slug": "default-channel", "currency": "USD", "timezone": "America/New_York"}],
        "orders": [{
            "id": "ORD-1", "number": "1001", "channel": "default-channel", "currency": "USD",
            "createdAt": "-40d", "userEmail": "ada@example.com",
            "shippingPriceGross": "9.99",
            "lines": [{"id": "L-1", "productName": "Laptop 14", "sku": "LAP-14",
                       "productType": "Electronics", "category": "Laptops",
                       "quantity": 1, "unitPriceGross": "1299.00"}],
            "fulfillments": [{"id": "F-1", "createdAt": "-31d",
                              "lines": [{"orderLineId": "L-1", "quantity": 1}]}],
            "payments": [{"pspReference": "pi_123", "gateway": "stripe", "chargedAmount": "1308.99"}],
        }],
    }


def with_change(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = minimal()
    change(data)
    return data


def _order(d: dict[str, Any]) -> dict[str, Any]:
    return d["orders"][0]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets one value, the path written like `orders.0.lines.0.unitPriceGross`."""
    def change(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = d
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[int(last) if last.isdigit() else last] = value
    return change


def _delete(path: str) -> Callable[[dict[str, Any]], None]:
    def change(d: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = d
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        del target[last]
    return change


def _second_order(d: dict[str, Any]) -> None:
    second = copy.deepcopy(_order(d))
    second["number"] = "1002"
    d["orders"].append(second)


def _second_line(d: dict[str, Any]) -> None:
    _order(d)["lines"].append(copy.deepcopy(_order(d)["lines"][0]))


def _seed(lines: list[dict[str, Any]], email: str = "ada@example.com", order_id: str = "ORD-1"):
    return _set("returns", [{"orderId": order_id, "email": email, "lines": lines}])


def load_example(now: datetime = NOW) -> DemoStore:
    return load_demo_store(DEMO_ORDERS, now)


def example_policies() -> dict[str, Policy]:
    return {slug: policy_from_dict(raw) for slug, raw in json.loads(POLICY_FILE.read_text()).items()}


# --- the example file ------------------------------------------------------------------------

def test_the_example_store_loads_with_both_channels_and_every_story():
    # when
    store = load_example()

    # then
    assert set(store.orders) == EXAMPLE_IDS
    assert {slug: (c.currency, c.timezone) for slug, c in store.channels.items()} == {
        "default-channel": ("USD", "America/New_York"), "japan": ("JPY", "Asia/Tokyo")}
    assert store.return_addresses["japan"].country == "JP"
    assert all(order.shipping_address is not None for order in store.orders.values())
    assert store.returns == (SeedReturn("ORD-1006", "fay@example.com", (
        SeedReturnLine("L-1006-1", 1, "DOES_NOT_FIT", "One pair is too small."),)),)


def days_before(now: datetime, days: int) -> datetime:
    """The same New York wall-clock time `days` calendar days earlier."""
    return (now.astimezone(NEW_YORK) - timedelta(days=days)).astimezone(UTC)


def test_the_late_laptop_ships_31_days_before_start_and_the_desk_has_not_shipped():
    store = load_example()

    laptop = store.orders["ORD-1001"]
    assert laptop.created_at == days_before(NOW, 40)
    assert laptop.fulfilled_at(laptop.lines[0].id) == days_before(NOW, 31)
    assert store.orders["ORD-1007"].fulfillments == ()


@pytest.mark.parametrize("order_id", sorted(EXAMPLE_IDS))
def test_each_example_payment_is_exactly_lines_plus_shipping_minus_discount(order_id):
    order = load_example().orders[order_id]
    zero = Money.zero(order.currency)

    expected = zero
    for line in order.lines:
        expected = expected + line.unit_price.times(line.quantity)
    expected = expected + (order.shipping_price or zero) - (order.order_discount or zero)

    assert order.payments and all(p.gateway == "stripe" for p in order.payments)
    assert order.charged == expected
    assert order.refunded_elsewhere == zero


def test_the_example_policy_loads_for_both_channels():
    policies = example_policies()

    assert set(policies) == {"default-channel", "japan"}
    usd, jpy = policies["default-channel"], policies["japan"]
    assert (usd.window_days, usd.grace_days) == (30, 3)
    assert usd.keep_item_threshold("USD") == Money(Decimal("25.00"), "USD")
    assert usd.review_threshold("USD") == Money(Decimal("2000.00"), "USD")
    assert jpy.keep_item_threshold("JPY") == Money(Decimal("3000"), "JPY")
    assert jpy.review_threshold("JPY") == Money(Decimal("250000"), "JPY")
    for policy in (usd, jpy):
        assert policy.for_line("Apparel", "Clearance", None).final_sale
        assert (policy.keep_item_limits.max_count, policy.keep_item_limits.days) == (3, 365)


STORIES = [
    ("ORD-1001", {"L-1001-1": {EligibilityCode.IN_GRACE}}),
    ("ORD-1002", {"L-1002-1": set(), "L-1002-2": set()}),
    ("ORD-1003", {"L-1003-1": {EligibilityCode.FINAL_SALE}, "L-1003-2": set()}),
    ("ORD-1004", {"L-1004-1": set()}),
    ("ORD-1005", {"L-1005-1": {EligibilityCode.WINDOW_EXPIRED}}),
    ("ORD-1006", {"L-1006-1": set(), "L-1006-2": set()}),
    ("ORD-1007", {"L-1007-1": {EligibilityCode.NOT_FULFILLED}}),
    ("ORD-2001", {"L-2001-1": set(), "L-2001-2": set()}),
]


@pytest.mark.parametrize("now", [NOW, AFTER_FALL_BACK], ids=["march", "after-fall-back"])
@pytest.mark.parametrize(("order_id", "codes"), STORIES, ids=[story[0] for story in STORIES])
def test_each_example_order_tells_its_story_under_the_example_policy(order_id, codes, now):
    # given
    order = load_example(now).orders[order_id]
    policy = example_policies()[order.channel.slug]

    # when
    lines = check_order(order, policy, {}, order.charged - order.refunded_elsewhere, now)

    # then
    assert {el.line.id: set(el.codes) for el in lines} == codes


# --- times ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "expected"), [
    ("-31d", days_before(NOW, 31)),  # across the March DST change: 17:00 UTC then, 16:00 UTC now
    ("-2h", NOW - timedelta(hours=2)),
    ("-90m", NOW - timedelta(minutes=90)),
    ("+1d", days_before(NOW, -1)),
    ("2025-03-01T10:00:00+09:00", datetime(2025, 3, 1, 1, 0, tzinfo=UTC)),
    ("2025-03-01T10:00:00Z", datetime(2025, 3, 1, 10, 0, tzinfo=UTC)),
])
def test_fulfillment_times_resolve_against_now_or_keep_their_offset(written, expected):
    data = with_change(_set("orders.0.fulfillments.0.createdAt", written))
    _order(data)["createdAt"] = "2025-01-01T00:00:00+00:00"

    store = parse_demo_store(data, NOW)

    assert store.orders["ORD-1"].fulfillments[0].created_at == expected


def test_days_are_calendar_days_in_the_channel_time_zone_across_a_dst_change():
    data = with_change(_set("orders.0.fulfillments.0.createdAt", "-31d"))

    shipped = parse_demo_store(data, AFTER_FALL_BACK).orders["ORD-1"].fulfillments[0].created_at

    assert shipped.astimezone(NEW_YORK).replace(tzinfo=None) == datetime(2025, 10, 9, 23, 30)
    assert AFTER_FALL_BACK - shipped == timedelta(days=31, hours=1)  # one hour was given back in November


def test_the_same_file_moves_with_the_start_time():
    later = NOW + timedelta(days=7)

    first, second = parse_demo_store(minimal(), NOW), parse_demo_store(minimal(), later)

    assert second.orders["ORD-1"].created_at - first.orders["ORD-1"].created_at == timedelta(days=7)


def test_now_must_be_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        parse_demo_store(minimal(), datetime(2025, 3, 15, 12, 0))


# --- defaults and optional fields ------------------------------------------------------------------

def test_optional_fields_have_their_documented_defaults():
    store = parse_demo_store(minimal(), NOW)

    order = store.orders["ORD-1"]
    assert order.payments[0].id == "ORD-1-P1"
    assert order.payments[0].refunded == Money.zero("USD")
    assert order.fulfillments[0].lines[0].id == "F-1-1"
    assert order.order_discount is None and order.shipping_address is None and order.user_id is None
    assert order.metadata == {}
    assert store.return_addresses["default-channel"] == DEFAULT_RETURN_ADDRESS
    assert store.returns == ()


def test_optional_fields_are_read_when_given_and_unknown_keys_are_ignored():
    address = {"name": "Ada Lovelace", "street": "12 Analytical Lane", "city": "Brooklyn",
               "postalCode": "11201", "country": "us", "countryArea": "NY"}

    def change(d: dict[str, Any]) -> None:
        d["_comment"] = "ignored"
        d["channels"][0]["returnAddress"] = dict(address, name="Returns", company="Demo Co")
        o = _order(d)
        o.update(shippingAddress=address, userId="VXNlcjox", orderDiscountGross="10.00",
                 metadata={"source": "test"}, extension={"anything": 1})
        o["lines"][0].update(product="laptop-14", variantId="V-1")
        o["payments"][0].update(id="PAY-9", refundedAmount="8.99", chargedAmount="1298.99")
        o["fulfillments"][0]["lines"][0]["id"] = "FL-9"

    order = parse_demo_store(with_change(change), NOW).orders["ORD-1"]

    assert order.shipping_address is not None and order.shipping_address.country == "US"
    assert (order.user_id, order.metadata) == ("VXNlcjox", {"source": "test"})
    assert order.order_discount == Money(Decimal("10.00"), "USD")
    assert (order.lines[0].product, order.lines[0].variant_id) == ("laptop-14", "V-1")
    assert (order.payments[0].id, order.payments[0].refunded) == ("PAY-9", Money(Decimal("8.99"), "USD"))
    assert order.fulfillments[0].lines[0].id == "FL-9"


def test_whole_json_numbers_are_amounts():
    def change(d: dict[str, Any]) -> None:
        d["channels"][0].update(slug="japan", currency="JPY", timezone="Asia/Tokyo")
        _order(d).update(channel="japan", currency="JPY", shippingPriceGross=800)
        _order(d)["lines"][0]["unitPriceGross"] = 1800
        _order(d)["payments"][0]["chargedAmount"] = "2600"

    order = parse_demo_store(with_change(change), NOW).orders["ORD-1"]

    assert order.lines[0].unit_price == Money(Decimal(1800), "JPY")
    assert order.charged == Money(Decimal(2600), "JPY")


# --- broken files: every error names the entry and the field ---------------------------------------

BROKEN = [
    ("unknown channel", _set("orders.0.channel", "eu"),
     "orders[0] (ORD-1).channel", "unknown channel 'eu'"),
    ("not an amount", _set("orders.0.lines.0.unitPriceGross", "abc"),
     "orders[0] (ORD-1).lines[0].unitPriceGross", "not an amount: 'abc'"),
    ("float amount", _set("orders.0.lines.0.unitPriceGross", 1299.5),
     "orders[0] (ORD-1).lines[0].unitPriceGross", "floats lose cents"),
    ("float payment", _set("orders.0.payments.0.chargedAmount", 1308.99),
     "orders[0] (ORD-1).payments[0].chargedAmount", "floats lose cents"),
    ("more decimals than the currency", _set("orders.0.shippingPriceGross", "9.999"),
     "orders[0] (ORD-1).shippingPriceGross", "more decimals than USD"),
    ("negative amount", _set("orders.0.orderDiscountGross", "-1.00"),
     "orders[0] (ORD-1).orderDiscountGross", "negative"),
    ("refunded more than charged", _set("orders.0.payments.0.refundedAmount", "2000.00"),
     "orders[0] (ORD-1).payments[0].refundedAmount", "more than charged"),
    ("bad date", _set("orders.0.createdAt", "yesterday"),
     "orders[0] (ORD-1).createdAt", "not a date-time: 'yesterday'"),
    ("date without offset", _set("orders.0.fulfillments.0.createdAt", "2025-03-01T10:00:00"),
     "orders[0] (ORD-1).fulfillments[0].createdAt", "no UTC offset"),
    ("shipped before ordered", _set("orders.0.fulfillments.0.createdAt", "-41d"),
     "orders[0] (ORD-1).fulfillments[0].createdAt", "before the order"),
    ("unknown channel currency", _set("channels.0.currency", "XYZ"),
     "channels[0] (default-channel).currency", "unknown currency 'XYZ'"),
    ("unknown order currency", _set("orders.0.currency", "ABC"),
     "orders[0] (ORD-1).currency", "unknown currency 'ABC'"),
    ("order currency differs from channel", _set("orders.0.currency", "EUR"),
     "orders[0] (ORD-1).currency", "differs from the currency of channel default-channel"),
    ("unknown time zone", _set("channels.0.timezone", "Mars/Olympus_Mons"),
     "channels[0] (default-channel).timezone", "unknown time zone"),
    ("fulfillment of an unknown line", _set("orders.0.fulfillments.0.lines.0.orderLineId", "L-9"),
     "orders[0] (ORD-1).fulfillments[0].lines[0].orderLineId", "no line 'L-9'"),
    ("fulfilled more than ordered", _set("orders.0.fulfillments.0.lines.0.quantity", 2),
     "orders[0] (ORD-1).fulfillments[0].lines[0].quantity", "only 1 ordered"),
    ("quantity zero", _set("orders.0.lines.0.quantity", 0),
     "orders[0] (ORD-1).lines[0].quantity", "at least 1"),
    ("quantity not a number", _set("orders.0.lines.0.quantity", "1"),
     "orders[0] (ORD-1).lines[0].quantity", "whole number"),
    ("duplicate order id", _second_order,
     "orders[1] (ORD-1).id", "duplicate order id 'ORD-1'"),
    ("duplicate line id", _second_line,
     "orders[0] (ORD-1).lines[1].id", "duplicate line id 'L-1'"),
    ("duplicate channel", lambda d: d["channels"].append(dict(d["channels"][0])),
     "channels[1] (default-channel).slug", "duplicate channel"),
    ("missing field", _delete("orders.0.userEmail"),
     "orders[0] (ORD-1).userEmail", "missing"),
    ("empty e-mail", _set("orders.0.userEmail", "  "),
     "orders[0] (ORD-1).userEmail", "must not be empty"),
    ("missing line price", _delete("orders.0.lines.0.unitPriceGross"),
     "orders[0] (ORD-1).lines[0].unitPriceGross", "missing"),
    ("missing orders", _delete("orders"), "orders", "missing"),
    ("entry not an object", _set("orders.0.lines.0", "L-1"),
     "orders[0] (ORD-1).lines[0]", "expected an object"),
    ("bad address country", _set("orders.0.shippingAddress",
                                 {"name": "A", "street": "B", "city": "C", "postalCode": "1", "country": "USA"}),
     "orders[0] (ORD-1).shippingAddress.country", "two-letter"),
    ("metadata not a string", _set("orders.0.metadata", {"vip": True}),
     "orders[0] (ORD-1).metadata.vip", "must be strings"),
    ("seed return of an unknown order", _seed([], order_id="ORD-9"),
     "returns[0] (ORD-9).orderId", "unknown order 'ORD-9'"),
    ("seed return by someone else", _seed([{"orderLineId": "L-1", "quantity": 1, "reason": "DAMAGED"}],
                                          email="mallory@example.com"),
     "returns[0] (ORD-1).email", "not the e-mail address"),
    ("seed return of more than shipped", _seed([{"orderLineId": "L-1", "quantity": 2, "reason": "DAMAGED"}]),
     "returns[0] (ORD-1).lines[0].quantity", "only 1 shipped"),
    ("seed return without a reason", _seed([{"orderLineId": "L-1", "quantity": 1}]),
     "returns[0] (ORD-1).lines[0].reason", "missing"),
]


@pytest.mark.parametrize(("change", "where", "detail"), [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_a_broken_entry_stops_start_up_naming_the_entry_and_the_field(change, where, detail):
    # given
    data = with_change(change)

    # when
    with pytest.raises(DemoStoreError) as caught:
        parse_demo_store(data, NOW, source="demo.json")

    # then
    assert caught.value.where == where
    assert detail in caught.value.detail
    assert str(caught.value).startswith(f"demo.json: {where}: ")


def test_the_error_reads_like_the_documented_example():
    data = minimal()
    data["orders"] = [copy.deepcopy(data["orders"][0]) for _ in range(3)]
    for i, order in enumerate(data["orders"]):
        order.update(id=f"ORD-{i + 1}", number=str(1001 + i))
    data["orders"][2]["lines"][0]["unitPriceGross"] = "abc"

    with pytest.raises(DemoStoreError) as caught:
        parse_demo_store(data, NOW)

    assert "orders[2] (ORD-3).lines[0].unitPriceGross: not an amount: 'abc'" in str(caught.value)


def test_a_file_that_is_not_json_names_the_line(tmp_path):
    path = tmp_path / "orders.json"
    path.write_text('{"channels": [,]}')

    with pytest.raises(DemoStoreError, match=r"orders\.json: line 1 column \d+: not valid JSON"):
        load_demo_store(path, NOW)


def test_a_missing_file_is_a_demo_store_error(tmp_path):
    with pytest.raises(DemoStoreError, match="cannot read"):
        load_demo_store(tmp_path / "absent.json", NOW)


# --- the order source ------------------------------------------------------------------------------

async def test_the_demo_order_source_serves_orders_and_none_for_unknown_ids():
    # given
    source: OrderSource = DemoOrderSource(load_example())

    # when
    found = await source.get_order("ORD-1002")
    missing = await source.get_order("ORD-9999")

    # then
    assert isinstance(found, Order) and found.number == "1002"
    assert missing is None


def test_the_demo_order_source_knows_each_channels_return_address():
    source = DemoOrderSource.from_file(DEMO_ORDERS, NOW)

    assert source.return_address("japan").city == "Shibuya-ku"
    assert source.return_address("default-channel").name == "Returns Department"
    assert source.order_by_number("2001") is source.store.orders["ORD-2001"]
    with pytest.raises(KeyError):
        source.return_address("mars")
