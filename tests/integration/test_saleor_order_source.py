"""Orders from Saleor, as the returns engine sees them: one round trip, prices after discounts, the store's
time zone, the return warehouse, and what was refunded outside this app."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from saleor_returns.adapters.saleor.client import SaleorClient
from saleor_returns.adapters.saleor.markers import grant_reason
from saleor_returns.adapters.saleor.order_source import SaleorOrderSource
from saleor_returns.domain.money import Money
from saleor_returns.domain.order import Address
from saleor_returns.saleor_settings import SaleorSettings
from support.fake_saleor import FakeSaleor, gid, money

SHIPPED = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
LINES = [{"name": "Laptop 14", "variant": "Silver", "sku": "LAP-14", "qty": 1, "price": "1199.00",
          "undiscounted": "1299.00", "type": "Electronics", "category": "Laptops", "slug": "laptop-14"},
         {"name": "Laptop cover", "sku": "COV-14", "qty": 2, "price": "19.00", "type": "Accessories",
          "category": "Clearance", "slug": "laptop-cover"}]


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSaleor]:
    saleor = FakeSaleor().start()
    saleor.add_channel("default-channel", "USD", timezone="America/New_York")
    saleor.add_channel("japan", "JPY")  # no time zone in its metadata
    saleor.add_channel("mars", "USD", timezone="Mars/Olympus_Mons")  # not a time zone
    try:
        yield saleor
    finally:
        saleor.stop()


@pytest.fixture
async def source(fake) -> AsyncIterator[SaleorOrderSource]:
    settings = SaleorSettings(default_timezone="Europe/Berlin", channel_timezones=(("japan", "Asia/Tokyo"),))
    async with httpx.AsyncClient(timeout=5) as http:
        yield SaleorOrderSource(SaleorClient(fake.api_url, fake.add_app().token, http), settings)


async def test_an_order_is_read_in_one_round_trip_with_what_the_engine_decides_on(fake, source):
    # given a paid, shipped order of a laptop (discounted) and two covers
    saleor_order = fake.add_order(email="Ada@Example.com", user_id="VXNlcjoy", lines=LINES, shipped_at=SHIPPED)
    calls = len(fake.calls)

    # when the engine reads it
    order = await source.get_order(saleor_order["id"])

    # then one request brought everything: lines at the price paid, product type, category, product
    assert fake.calls[calls:] == ["ReturnsOrder"]
    assert order is not None and order.number == saleor_order["number"]
    laptop, cover = order.lines
    assert (laptop.product_name, laptop.sku, laptop.unit_price) == ("Laptop 14 (Silver)", "LAP-14",
                                                                    Money(Decimal("1199.00"), "USD"))
    assert (laptop.product_type, laptop.category, laptop.product) == ("Electronics", "Laptops", "laptop-14")
    assert (cover.quantity, cover.unit_price.amount, cover.category) == (2, Decimal("19.00"), "Clearance")
    # and when each line shipped, who ordered, what was paid and how
    assert order.fulfilled_quantity(cover.id) == 2 and order.fulfilled_at(laptop.id) == SHIPPED
    assert (order.user_email, order.user_id) == ("Ada@Example.com", "VXNlcjoy")
    assert order.owned_by("ada@example.com") and not order.owned_by("eve@example.com")
    assert order.shipping_price == Money(Decimal("9.99"), "USD")
    assert order.charged == Money(Decimal("1246.99"), "USD") and order.refunded_elsewhere.amount == 0
    assert [(p.psp_reference, p.gateway) for p in order.payments] == [("pi_fake_1", "Stripe")]
    assert order.shipping_address == Address("Ada Lovelace", "12 Analytical Lane", "Brooklyn", "11201", "US",
                                             None, "NY")
    # and the store's time zone comes from the channel's metadata
    assert order.channel.timezone == "America/New_York" and order.currency == "USD"


@pytest.mark.parametrize("slug, timezone", [
    ("default-channel", "America/New_York"),  # channel metadata "returns.timezone"
    ("japan", "Asia/Tokyo"),  # RETURNS_SALEOR_CHANNEL_TIMEZONES
    ("mars", "Europe/Berlin"),  # metadata is not a time zone: RETURNS_SALEOR_TIMEZONE
])
async def test_a_channels_time_zone_comes_from_its_metadata_else_from_the_settings(source, slug, timezone):
    channel = await source.get_channel(slug)
    assert channel is not None and channel.timezone == timezone


async def test_returns_go_to_the_channels_warehouse(fake, source):
    # given the channel was read (with an order or on its own)
    await source.get_channel("default-channel")

    # then labels are addressed to its warehouse; an unknown channel has none
    assert source.return_address("default-channel") == Address("Returns Dept", "1 Warehouse Way", "Newark", "07102",
                                                               "US", "Returns Dept", "NJ")
    with pytest.raises(KeyError):
        source.return_address("nowhere")
    assert await source.get_channel("nowhere") is None


@pytest.mark.parametrize("order_id", ["ORD-1001", "not base64!", gid("Product", 1), ""])
async def test_an_id_that_is_not_a_saleor_order_id_is_not_found_without_asking_saleor(fake, source, order_id):
    calls = len(fake.calls)
    assert await source.get_order(order_id) is None
    assert len(fake.calls) == calls


async def test_an_unknown_order_is_not_found(source):
    assert await source.get_order(gid("Order", "00000000-0000-0000-0000-000000000000")) is None


async def test_a_receipt_number_finds_its_order(fake, source):
    saleor_order = fake.add_order(email="ben@example.com", user_id=None, lines=LINES[1:], shipped_at=SHIPPED)
    found = await source.order_by_number(saleor_order["number"])
    assert found is not None and found.id == saleor_order["id"]
    assert await source.order_by_number("#12") is None


async def test_only_refunds_made_outside_this_app_count_as_refunded_elsewhere(fake, source):
    # given an order refunded 5.00 by staff in Saleor, and 19.00 of ours waiting at the payment app
    saleor_order = fake.add_order(email="ben@example.com", user_id=None, lines=LINES[1:], shipped_at=SHIPPED)
    transaction = saleor_order["transactions"][0]
    transaction["refundedAmount"] = money("5.00", "USD")
    transaction["refundPendingAmount"] = money("19.00", "USD")
    transaction["chargedAmount"]["amount"] -= Decimal("24.00")  # Saleor's chargedAmount is what is still charged
    saleor_order["grantedRefunds"].append({
        "id": gid("OrderGrantedRefund", 77), "status": "PENDING", "amount": money("19.00", "USD"),
        "reason": grant_reason("R-10001", "saleor-returns-refund-0b9f7d3e-8a41-4a8e-9a1e-5f1c2d3e4f50"),
        "transaction": transaction, "lines": []})

    # when the engine reads the order
    order = await source.get_order(saleor_order["id"])

    # then what was charged is the whole order, and only the staff refund is "elsewhere" (ours the engine counts)
    assert order is not None and order.charged == Money(Decimal("47.99"), "USD")
    assert order.refunded_elsewhere == Money(Decimal("5.00"), "USD")


async def test_units_our_returns_moved_to_a_returned_fulfillment_still_count_as_shipped(fake, source):
    # given two covers shipped; one came back through this app (recorded in Saleor), staff took the other
    # back in Saleor themselves
    shipped = SHIPPED - timedelta(days=1)
    saleor_order = fake.add_order(email="ben@example.com", user_id=None, lines=LINES[1:], shipped_at=shipped)
    fl = saleor_order["fulfillments"][0]["lines"][0]
    fl["quantity"] = 0
    for n in ("ours", "staff"):
        saleor_order["fulfillments"].append({"id": gid("Fulfillment", n), "status": "RETURNED", "created":
                                             SHIPPED.isoformat(), "lines": [{**fl, "id": gid("FulfillmentLine", n),
                                                                             "quantity": 1}]})
    saleor_order["_private"]["saleor-returns:R-10001"] = json.dumps({
        "lines": [{"line": fl["orderLine"]["id"], "qty": 1, "reason": "DOES_NOT_FIT", "shipped": shipped.isoformat()}],
        "number": "R-10001", "refund": "19.00 USD", "resolution": "KEEP_ITEM", "status": "REFUNDED",
        "steps": {"note": "done", "products": "done"}, "tracking": None, "v": 1})

    # when the engine reads it
    order = await source.get_order(saleor_order["id"])

    # then our unit still counts as shipped (the engine knows it came back) with its shipping date;
    # the unit staff took back does not (it is not with the customer any more)
    assert order is not None
    line = order.lines[0]
    assert order.fulfilled_quantity(line.id) == 1 and order.fulfilled_at(line.id) == shipped


async def test_a_variant_without_a_name_is_not_called_by_its_id(fake, source):
    # given Saleor names an unnamed variant by its id (as it does for variants created without a name)
    saleor_order = fake.add_order(email="ben@example.com", user_id=None, lines=LINES[1:], shipped_at=SHIPPED)
    line = saleor_order["lines"][0]
    line["variantName"] = line["variant"]["id"]

    order = await source.get_order(saleor_order["id"])

    assert order is not None and order.lines[0].product_name == "Laptop cover"
