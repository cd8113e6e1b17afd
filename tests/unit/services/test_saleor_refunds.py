"""Refunds through a Saleor store: what a granted refund books (the return's lines, when it is the whole return),
and the store's signed word on our grants (confirm_grants): only this store's, this order's, Saleor's own
refunds move, only from PENDING, once."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from conftest import ProviderGateway, make_shop, open_shop, types
from saleor_returns.adapters.refunds.directory import Gateways
from saleor_returns.adapters.refunds.simulated import SimulatedRefundGateway
from saleor_returns.domain.lifecycle import ReturnStatus
from saleor_returns.domain.money import Money
from saleor_returns.domain.order import Payment
from saleor_returns.domain.refunds import RefundOutcome, RefundStatus
from saleor_returns.ports import GrantLine, GrantPlan, RefundWord
from saleor_returns.services.saleor_refunds import confirm_grants, grant_plans


@pytest.fixture
async def saleor_shop():
    """The demo store refunding through Saleor: a refund is granted there and stays PENDING until Saleor's
    payment app confirms it (a signed webhook)."""
    return await open_shop(make_shop(gateway=ProviderGateway(name="saleor")))


def word(refund, status: RefundStatus, **kw) -> RefundWord:
    return RefundWord(refund.id, RefundOutcome(status, psp_reference=refund.psp_reference, **kw))


async def granted_cover(shop):
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    assert (ret.status, [r.status for r in ret.refunds]) == (ReturnStatus.APPROVED, [RefundStatus.PENDING])
    return ret


async def test_saleor_confirming_a_grant_finishes_the_return_once(saleor_shop):
    shop = saleor_shop
    ret = await granted_cover(shop)
    [refund] = ret.refunds

    # when Saleor says the granted refund succeeded (and says it again)
    first = await confirm_grants(shop.deps, "ORD-1002", [word(refund, RefundStatus.SUCCEEDED)])
    again = await confirm_grants(shop.deps, "ORD-1002", [word(refund, RefundStatus.SUCCEEDED)])

    # then the return is refunded by Saleor's word, once
    assert (first, again) == ([ret.id], [])
    done = await shop.get(ret.id)
    assert done.status is ReturnStatus.REFUNDED and types(done).count("REFUND_SUCCEEDED") == 1
    assert next(e.actor.id for e in done.events if e.type.value == "REFUNDED") == "saleor-webhook"


async def test_saleor_failing_a_grant_fails_the_return_for_staff(saleor_shop):
    shop = saleor_shop

    # given the cover's refund was granted in Saleor
    ret = await granted_cover(shop)

    # when Saleor says its payment app refused it
    changed = await confirm_grants(shop.deps, "ORD-1002", [word(ret.refunds[0], RefundStatus.FAILED,
                                                                failure_code="REFUND_FAILURE",
                                                                failure_message="the payment app refused")])

    # then the return waits for staff with the reason
    failed = await shop.get(ret.id)
    assert changed == [ret.id] and failed.status is ReturnStatus.REFUND_FAILED
    assert "the payment app refused" in next(e.note for e in failed.events if e.type.value == "REFUND_FAILED")


async def test_words_that_are_not_for_this_order_store_or_gateway_move_nothing(saleor_shop):
    shop = saleor_shop
    # given a Saleor grant on the cover, and a refund of the cables waiting at another gateway
    cover = await granted_cover(shop)
    other_gateway = SimulatedRefundGateway()
    other_gateway.unavailable = True
    shop.deps.refunds = Gateways(other_gateway, [shop.gateway])
    cables = await shop.ask("ORD-1002", ("L-1002-2", 1, "DOES_NOT_FIT"))
    assert (cables.refunds[0].gateway, cables.refunds[0].status) == ("simulated", RefundStatus.PENDING)
    # and another store (tenant) served by the same deployment
    other_store = replace(shop.deps, tenant="https://other.example.com/graphql/")

    # when words arrive that are still pending, about another order, another store, another gateway, or unknown
    words = {
        "still pending": ("ORD-1002", shop.deps, [word(cover.refunds[0], RefundStatus.PENDING)]),
        "another order": ("ORD-1003", shop.deps, [word(cover.refunds[0], RefundStatus.SUCCEEDED)]),
        "another store": ("ORD-1002", other_store, [word(cover.refunds[0], RefundStatus.SUCCEEDED)]),
        "another gateway": ("ORD-1002", shop.deps, [word(cables.refunds[0], RefundStatus.FAILED)]),
        "unknown": ("ORD-1002", shop.deps, [RefundWord("no-such-refund", RefundOutcome(RefundStatus.SUCCEEDED))]),
    }
    for name, (order_id, deps, sent) in words.items():
        assert await confirm_grants(deps, order_id, sent) == [], name

    # then nothing moved
    assert (await shop.get(cover.id)).refunds[0].status is RefundStatus.PENDING
    assert (await shop.get(cables.id)).refunds[0].status is RefundStatus.PENDING


async def test_a_grant_that_is_the_whole_return_books_its_lines(saleor_shop):
    shop = saleor_shop

    # given the T-shirt's refund is the whole return
    ret = await shop.ask("ORD-1003", ("L-1003-2", 1, "DAMAGED"))

    # when Saleor's books ask what it was for, then it is the return's line; an unknown refund is for nothing
    plan = await grant_plans(shop.deps.uow)(ret.refunds[0].id)
    assert plan == GrantPlan((GrantLine("L-1003-2", 1, "DAMAGED"),), shipping=False)
    assert await grant_plans(shop.deps.uow)("no-such-refund") is None


async def test_a_grant_split_over_two_payments_books_the_amount_alone(saleor_shop):
    shop = saleor_shop
    # given Ben paid his order in two parts (a 10.00 gift card, the rest by card)
    order = shop.orders.orders["ORD-1002"]
    shop.orders.orders["ORD-1002"] = replace(order, payments=(
        Payment("P-gift", "gift_1002", "saleor", Money(Decimal("10.00"), "USD"), Money(Decimal(0), "USD")),
        Payment("P-card", "pi_demo_1002", "saleor", Money(Decimal("33.98"), "USD"), Money(Decimal(0), "USD"))))

    # when the cover is refunded, then it is split, and neither part can say which lines it was for
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    assert [(r.payment_reference, r.amount.amount) for r in ret.refunds] == [
        ("gift_1002", Decimal("10.00")), ("pi_demo_1002", Decimal("9.99"))]
    assert [await grant_plans(shop.deps.uow)(r.id) for r in ret.refunds] == [None, None]
