"""Many orders at once, for the federation subgraph: the order sources read a batch in one round trip, and the
batch answers exactly what one order at a time answers (same eligibility, same returns)."""
from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx
import pytest

from documents import CANCEL, REQUEST_RETURN, line, request
from saleor_returns.adapters.saleor.client import SaleorClient
from saleor_returns.adapters.saleor.order_source import SaleorOrderSource
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.saleor_settings import SaleorSettings
from saleor_returns.services.context import Actor
from saleor_returns.services.eligibility import check_eligibility
from saleor_returns.services.order_returns import OrderReturns, committed_refunds, returned_units, returns_of
from support.fake_saleor import FakeSaleor, gid

SHIPPED = datetime(2026, 11, 20, 15, 30, tzinfo=UTC)
COVER = {"name": "Laptop cover", "sku": "COV-14", "qty": 2, "price": "19.00"}
STAFF = Actor.staff("admin")


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSaleor]:
    saleor = FakeSaleor().start()
    saleor.add_channel("default-channel", "USD", timezone="America/New_York")
    try:
        yield saleor
    finally:
        saleor.stop()


@pytest.fixture
async def source(fake) -> AsyncIterator[SaleorOrderSource]:
    async with httpx.AsyncClient(timeout=5) as http:
        yield SaleorOrderSource(SaleorClient(fake.api_url, fake.add_app().token, http), SaleorSettings())


async def test_saleor_orders_are_read_in_one_round_trip_as_one_at_a_time_reads_them(fake, source):
    # given three orders, an id of no order, and ids that are not Saleor order ids
    made = [fake.add_order(email=f"s{i}@example.com", user_id=None, lines=[COVER], shipped_at=SHIPPED)
            for i in range(3)]
    ids = [o["id"] for o in made] + [gid("Order", "99999999-0000-0000-0000-000000000000"), "ORD-1",
                                     gid("Order", "not-a-uuid"), gid("User", 1)]
    calls = len(fake.calls)

    # when the batch is read
    found = await source.get_orders(ids)

    # then one request brought the three orders (the others are left out), each as get_order reads it
    assert fake.calls[calls:] == ["ReturnsOrders"]
    assert sorted(found) == sorted(o["id"] for o in made)
    for order in made:
        assert found[order["id"]] == await source.get_order(order["id"])


async def test_more_orders_than_saleor_lists_at_once_take_one_round_trip_per_hundred(fake, source):
    made = [fake.add_order(email="many@example.com", user_id=None, lines=[COVER], shipped_at=SHIPPED)
            for _ in range(150)]
    calls = len(fake.calls)

    found = await source.get_orders([o["id"] for o in made])

    assert fake.calls[calls:] == ["ReturnsOrders", "ReturnsOrders"] and len(found) == 150


async def test_the_demo_store_reads_a_batch_too(demo_store):
    from saleor_returns.adapters.demo.order_source import DemoOrderSource

    found = await DemoOrderSource(demo_store).get_orders(["ORD-1001", "ORD-1002", "ORD-404"])
    assert sorted(found) == ["ORD-1001", "ORD-1002"] and found["ORD-1001"] is demo_store.orders["ORD-1001"]


def test_the_batch_answers_what_one_order_at_a_time_answers(app, demo_store):
    # given returns in several states: refunded at once, a label issued then cancelled, one asking for review
    assert app.gql(REQUEST_RETURN, request("ORD-1002", "ben@example.com", line("L-1002-1")))
    label = app.gql(REQUEST_RETURN, request("ORD-1001", "ada@example.com", line("L-1001-1", reason="DAMAGED")))
    app.gql(CANCEL, {"id": label["requestReturn"]["returnRequest"]["id"], "email": "ada@example.com"})
    app.gql(REQUEST_RETURN, request("ORD-1001", "ada@example.com", line("L-1001-1", reason="DAMAGED")))
    app.gql(REQUEST_RETURN, request("ORD-1005", "eve@example.com", line("L-1005-1"), exception=True))
    deps, ids = app.deps, sorted(demo_store.orders)

    # when every demo order is read as a batch, by staff
    batch = app.run(returns_of(deps, STAFF, ids))

    # then each order's eligibility is the one orderReturnEligibility computes for it alone
    for order_id, found in zip(ids, batch, strict=True):
        assert isinstance(found, OrderReturns), (order_id, found)
        assert found.eligibility == app.run(check_eligibility(deps, STAFF, order_id)), order_id
    # and the units in returns and the money refunded, counted over the loaded rows, are the repository's
    rows = app.run(_rows(deps, ids))
    for order_id in ids:
        expected = app.run(_per_order(deps, order_id))
        assert (returned_units(rows.get(order_id, [])), committed_refunds(rows.get(order_id, []))) == expected
    assert {i for i in ids if rows.get(i)} >= {"ORD-1001", "ORD-1002", "ORD-1005"}
    assert [r.status for r in rows["ORD-1001"]] == ["LABEL_ISSUED", "CANCELLED"]  # newest first


def test_a_shopper_gets_their_own_orders_and_not_found_for_the_others(app):
    # given Ben's refunded cover
    app.gql(REQUEST_RETURN, request("ORD-1002", "ben@example.com", line("L-1002-1")))

    # when Ben asks for his order and Ada's in one batch
    mine, hers, nobodys = app.run(returns_of(app.deps, Actor.guest("ben@example.com"),
                                             ["ORD-1002", "ORD-1001", "ORD-404"]))

    # then his comes with his return; Ada's and an unknown one look the same: ORDER_NOT_FOUND
    assert isinstance(mine, OrderReturns) and [r.customer_email for r in mine.returns] == ["ben@example.com"]
    for other in (hers, nobodys):
        assert isinstance(other, ReturnError) and other.code is ReturnErrorCode.ORDER_NOT_FOUND


async def _rows(deps, ids):
    async with deps.uow(readonly=True) as tx:
        return await tx.returns.of_orders(deps.tenant, ids)


async def _per_order(deps, order_id):
    async with deps.uow(readonly=True) as tx:
        return (await tx.returns.returned_units(deps.tenant, order_id),
                await tx.returns.committed_refunds(deps.tenant, order_id))
