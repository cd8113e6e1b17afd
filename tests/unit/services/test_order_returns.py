"""What the federation subgraph adds to a page of Saleor's orders (returns_of): each order's eligibility and
returns, for every order at once in one read of the store; orders the caller may not see look unknown."""
from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import STAFF
from saleor_returns.domain.actors import Actor
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.services.order_returns import OrderReturns, committed_refunds, returned_units, returns_of

ADA = Actor.guest("ada@example.com")


def returnable(view: OrderReturns, line_id: str) -> int:
    return next(el.quantity_returnable for el in view.eligibility.lines if el.line.id == line_id)


async def test_a_shopper_sees_her_orders_returns_and_eligibility_and_nothing_of_anyone_elses(shop):
    # given Ada has returned her laptop, and Ben his cover
    laptop = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    reads = shop.orders.reads

    # when the storefront asks for Ada's order, Ben's and one that does not exist, in one go
    found = await returns_of(shop.deps, ADA, ["ORD-1001", "ORD-1002", "ORD-9999"])

    # then her order comes with its return and nothing left to return; the other two look the same: unknown
    mine, bens, unknown = found
    assert isinstance(mine, OrderReturns)
    assert [r.id for r in mine.returns] == [laptop.id] and returnable(mine, "L-1001-1") == 0
    assert mine.eligibility.policy_version == 1
    for missing in (bens, unknown):
        assert isinstance(missing, ReturnError)
        assert (missing.code, missing.field) == (ReturnErrorCode.ORDER_NOT_FOUND, "id")
    # and the store was read once for the three orders
    assert shop.orders.reads == reads + 1


async def test_staff_see_every_orders_returns_newest_first(shop):
    # given two returns of Ben's order, a minute apart
    cover = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    shop.clock.advance(minutes=1)
    cables = await shop.ask("ORD-1002", ("L-1002-2", 2, "DOES_NOT_FIT"))

    # when staff look at Ben's and Hana's orders
    bens, hanas = await returns_of(shop.deps, STAFF, ["ORD-1002", "ORD-2001"])

    # then Ben's returns come newest first, nothing of his order is left; Hana's has none and all is left
    assert [r.id for r in bens.returns] == [cables.id, cover.id]
    assert (returnable(bens, "L-1002-1"), returnable(bens, "L-1002-2")) == (0, 0)
    assert hanas.returns == [] and returnable(hanas, "L-2001-2") == 1
    assert hanas.eligibility.order.channel.slug == "japan"


async def test_a_store_that_cannot_be_read_answers_unavailable_for_every_order(shop):
    shop.orders.down = True

    found = await returns_of(shop.deps, ADA, ["ORD-1001", "ORD-1002"])

    assert [(e.code, e.field) for e in found] == [(ReturnErrorCode.UPSTREAM_UNAVAILABLE, None)] * 2


async def test_a_channel_without_a_saved_policy_is_judged_on_the_defaults():
    from conftest import make_shop

    # given a store where no policy was ever saved
    shop = make_shop()

    # when Ada's order is looked at, then its eligibility says version 0 (the built-in defaults)
    [mine] = await returns_of(shop.deps, ADA, ["ORD-1001"])
    assert mine.eligibility.policy_version == 0


@pytest.mark.parametrize("order_id", ["ORD-1002", "ORD-1006"])
async def test_units_and_refunds_counted_from_loaded_returns_match_the_repository(shop, order_id):
    # given returns of every kind on the order: refunded, rejected, waiting for its refund
    from saleor_returns.services.staff_actions import reject_return

    shop.gateway.unavailable = order_id == "ORD-1006"
    first_line = f"L-{order_id[4:]}-1"
    kept = await shop.ask(order_id, (first_line, 1, "DOES_NOT_FIT"))
    camera = await shop.ask("ORD-1004", ("L-1004-1", 1, "DAMAGED"))
    await reject_return(shop.deps, STAFF, camera.id, "used")

    # when both ways count what is held and committed
    async with shop.deps.uow(readonly=True) as uow:
        loaded = (await uow.returns.of_orders(shop.deps.tenant, [order_id, "ORD-1004"]))
        by_repository = [(await uow.returns.returned_units(shop.deps.tenant, o),
                          await uow.returns.committed_refunds(shop.deps.tenant, o)) for o in (order_id, "ORD-1004")]

    # then they agree, a rejected return holding nothing
    by_loaded = [(returned_units(loaded.get(o, [])), committed_refunds(loaded.get(o, [])))
                 for o in (order_id, "ORD-1004")]
    assert by_loaded == by_repository
    assert by_loaded[0] == ({first_line: 1}, {kept.refunds[0].payment_id: kept.refund_total.amount})
    assert by_loaded[1] == ({}, {}) and kept.refund_total.amount > Decimal(0)
