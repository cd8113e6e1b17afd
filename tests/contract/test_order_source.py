"""ports.OrderSource: the in-memory orders (MemoryOrders), the demo store (DemoOrderSource) and Saleor
(SaleorOrderSource, against the fake Saleor on loopback) answer the same questions alike.

Each source is given the same store: Ben's order 1002 of the demo file (a laptop cover and two cables,
5.99 shipping, paid 43.98 USD with pi_demo_1002) in the default channel (USD, New York), whose returns go
to the warehouse in Newark."""
from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.demo.orders_file import DemoStore
from saleor_returns.adapters.memory.providers import MemoryOrders
from saleor_returns.adapters.saleor.client import SaleorClient
from saleor_returns.adapters.saleor.order_source import SaleorOrderSource
from saleor_returns.domain.money import Money
from saleor_returns.ports import OrderSource, UpstreamUnavailable
from saleor_returns.saleor_settings import SaleorSettings
from support.fake_saleor import FakeSaleor, gid

SHIPPED = datetime(2026, 11, 19, 15, 30, tzinfo=UTC)
CHANNEL = "default-channel"
WAREHOUSE = {"firstName": "", "lastName": "", "companyName": "Saleor Demo Store", "streetAddress1": "1 Warehouse Way",
             "streetAddress2": "", "city": "Newark", "postalCode": "07105", "countryArea": "NJ",
             "country": {"code": "US", "country": "United States"}}
LINES = [{"name": 'Laptop Cover 13"', "sku": "COV-13", "qty": 1, "price": "19.99", "slug": "laptop-cover-13"},
         {"name": "USB-C Cable", "sku": "USBC-1M", "qty": 2, "price": "9.00", "slug": "usb-c-cable"}]


@dataclass
class Scene:
    """One order source holding Ben's order, and how to reach it."""

    source: OrderSource
    order_id: str  # Ben's order
    unknown_id: str  # an id of the source's own form that names no order
    break_next_reads: Callable[[], None] | None  # an outage from now on (None: this source cannot fail)


@pytest.fixture(scope="module")
def fake_saleor() -> Iterator[FakeSaleor]:
    saleor = FakeSaleor().start()
    saleor.add_channel(CHANNEL, "USD", timezone="America/New_York", warehouse=WAREHOUSE)
    try:
        yield saleor
    finally:
        saleor.stop()


def memory_scene(store: DemoStore) -> Scene:
    orders = MemoryOrders(dict(store.orders), dict(store.channels), dict(store.return_addresses))

    def down() -> None:
        orders.down = True

    return Scene(orders, "ORD-1002", "ORD-404", down)


def demo_scene(store: DemoStore) -> Scene:
    return Scene(DemoOrderSource(store), "ORD-1002", "ORD-404", None)


@pytest.fixture(params=["memory", "demo", "saleor"])
async def scene(request: pytest.FixtureRequest, demo_store: DemoStore) -> AsyncIterator[Scene]:
    if request.param == "memory":
        yield memory_scene(demo_store)
        return
    if request.param == "demo":
        yield demo_scene(demo_store)
        return
    fake: FakeSaleor = request.getfixturevalue("fake_saleor")
    order = fake.add_order(email="ben@example.com", user_id=None, lines=LINES, shipped_at=SHIPPED, shipping="5.99",
                           psp_reference="pi_demo_1002", created_at=SHIPPED - timedelta(days=2))
    async with httpx.AsyncClient(timeout=5) as http:
        client = SaleorClient(fake.api_url, fake.add_app().token, http, retries=0)
        source = SaleorOrderSource(client, SaleorSettings())

        def down() -> None:
            fake.fail_next[:] = [503] * 5

        yield Scene(source, order["id"], gid("Order", "00000000-0000-0000-0000-000000000404"), down)
        fake.fail_next.clear()


async def test_an_order_is_found_with_what_the_engine_decides_on(scene: Scene):
    order = await scene.source.get_order(scene.order_id)

    assert order is not None and order.id == scene.order_id
    assert order.user_email == "ben@example.com" and order.owned_by("BEN@example.com")
    assert (order.channel.slug, order.channel.currency, order.channel.timezone) == (CHANNEL, "USD",
                                                                                    "America/New_York")
    assert [(ln.sku, ln.quantity, ln.unit_price) for ln in order.lines] == [
        ("COV-13", 1, Money(Decimal("19.99"), "USD")), ("USBC-1M", 2, Money(Decimal("9.00"), "USD"))]
    assert [order.fulfilled_quantity(ln.id) for ln in order.lines] == [1, 2]
    assert all(order.fulfilled_at(ln.id) is not None for ln in order.lines)
    assert order.shipping_price == Money(Decimal("5.99"), "USD")
    assert [p.psp_reference for p in order.payments] == ["pi_demo_1002"]
    assert order.charged == Money(Decimal("43.98"), "USD") and order.refunded_elsewhere.amount == 0
    assert order.shipping_address is not None


async def test_an_unknown_order_is_none(scene: Scene):
    assert await scene.source.get_order(scene.unknown_id) is None


async def test_many_orders_are_read_at_once_as_each_would_be_alone(scene: Scene):
    alone = await scene.source.get_order(scene.order_id)
    found = await scene.source.get_orders([scene.order_id, scene.unknown_id, scene.order_id])
    assert found == {scene.order_id: alone}  # unknown ids are left out, repeats read once
    assert await scene.source.get_orders([]) == {}


async def test_a_channel_is_found_with_its_currency_and_time_zone(scene: Scene):
    channel = await scene.source.get_channel(CHANNEL)
    assert channel is not None and (channel.slug, channel.currency, channel.timezone) == (CHANNEL, "USD",
                                                                                          "America/New_York")
    assert await scene.source.get_channel("no-such-channel") is None


async def test_returns_of_a_channel_go_to_its_warehouse_once_the_channel_was_read(scene: Scene):
    await scene.source.get_channel(CHANNEL)  # Saleor knows a channel's warehouse once it has read the channel
    address = scene.source.return_address(CHANNEL)
    assert (address.company, address.street, address.city, address.postal_code, address.country,
            address.country_area) == ("Saleor Demo Store", "1 Warehouse Way", "Newark", "07105", "US", "NJ")
    with pytest.raises(KeyError):
        scene.source.return_address("no-such-channel")


async def test_an_outage_is_upstream_unavailable(scene: Scene):
    if scene.break_next_reads is None:
        pytest.skip("the demo store is a file read at start-up: it cannot be down")
    scene.break_next_reads()
    with pytest.raises(UpstreamUnavailable):
        await scene.source.get_order(scene.order_id)
    with pytest.raises(UpstreamUnavailable):
        await scene.source.get_orders([scene.order_id])
    with pytest.raises(UpstreamUnavailable):
        await scene.source.get_channel("a-channel-not-read-yet")
