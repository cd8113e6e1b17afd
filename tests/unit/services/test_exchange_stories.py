"""Exchanges and store credit on the demo store (exchanges.md): what eligibility offers, the choices a request
takes and refuses, and how they are carried out exactly once (a replacement shipment taking stock off, a store
credit code worth the refund plus the bonus), with the fallback to a refund when the replacement is out of
stock."""
from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal

import pytest

from conftest import STAFF, types
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.decision import RequestedLine
from saleor_returns.domain.exchanges import RefundMethod
from saleor_returns.domain.lifecycle import Resolution, ReturnStatus
from saleor_returns.domain.money import Money
from saleor_returns.domain.return_exchange import STORE_CREDIT_GATEWAY, ExchangeStatus
from saleor_returns.graphql.exchanges import StoreCreditStatus, exchange_of, store_credit_of
from saleor_returns.services.eligibility import check_eligibility
from saleor_returns.services.exchange_choices import AskedChoices
from saleor_returns.services.policies import update_policy
from saleor_returns.services.request_return import ReturnInput, request_return
from saleor_returns.services.staff_actions import mark_received

USD = "USD"


def usd(amount: str) -> Money:
    return Money(Decimal(amount), USD)


async def ask(shop, order_id: str, line_id: str, *, variant: str | None = None,
              method: RefundMethod | None = None, reason: str = "DOES_NOT_FIT"):
    choices = AskedChoices(method, {line_id: variant} if variant else {})
    inp = ReturnInput(order_id, (RequestedLine(line_id, 1, reason),), choices=choices)
    return await request_return(shop.deps, shop.shopper(order_id), inp)


async def sent(shop, *variant_ids: str) -> dict[str, int]:
    return await shop.deps.replacements.units_sent(shop.deps.tenant, variant_ids)


# --- what is offered ----------------------------------------------------------------------------------

async def test_the_shoe_is_offered_its_other_sizes_at_or_below_the_price_and_store_credit_with_its_bonus(shop):
    view = await check_eligibility(shop.deps, shop.shopper("ORD-1008"), "ORD-1008")

    offered = [(o.variant.id, o.available) for o in view.exchange_options["L-1008-1"]]
    assert offered == [("V-SHOE-43", True), ("V-SHOE-44", False)]  # the 119.00 Gore-Tex is dearer: not offered
    assert [(m.method, m.bonus_percent) for m in view.refund_methods] == [
        (RefundMethod.ORIGINAL_PAYMENT, Decimal(0)), (RefundMethod.STORE_CREDIT, Decimal(10))]


async def test_nothing_is_offered_once_the_policy_turns_exchanges_and_store_credit_off(shop):
    await update_policy(shop.deps, STAFF, "default-channel",
                        {"exchange_mode": "OFF", "store_credit_bonus_percent": None})

    view = await check_eligibility(shop.deps, shop.shopper("ORD-1008"), "ORD-1008")

    assert view.exchange_options["L-1008-1"] == ()
    assert [m.method for m in view.refund_methods] == [RefundMethod.ORIGINAL_PAYMENT]


# --- the choices refused, nothing saved ------------------------------------------------------------------

@pytest.mark.parametrize(("variant", "says"), [
    ("V-SWEATER-L", "not a variant of"),  # a variant of another product
    ("V-UNKNOWN", "not a variant of"),
    ("V-SHOE-44", "out of stock"),
    ("V-SHOE-43-GTX", "costs more"),
])
async def test_a_variant_that_cannot_be_sent_is_refused_on_its_line_and_nothing_is_saved(shop, variant, says):
    with pytest.raises(ReturnError) as err:
        await ask(shop, "ORD-1008", "L-1008-1", variant=variant)

    assert (err.value.code, err.value.field) == (ReturnErrorCode.INVALID_INPUT, "lines[0].exchangeVariantId")
    assert says in err.value.message
    assert shop.db.returns == {}


async def test_store_credit_and_exchanges_the_policy_does_not_offer_are_refused(shop):
    await update_policy(shop.deps, STAFF, "default-channel",
                        {"exchange_mode": "OFF", "store_credit_bonus_percent": None})

    with pytest.raises(ReturnError) as credit:
        await ask(shop, "ORD-1009", "L-1009-1", method=RefundMethod.STORE_CREDIT)
    with pytest.raises(ReturnError) as swap:
        await ask(shop, "ORD-1008", "L-1008-1", variant="V-SHOE-43")

    assert (credit.value.code, credit.value.field) == (ReturnErrorCode.INVALID_INPUT, "refundMethod")
    assert (swap.value.code, swap.value.field) == (ReturnErrorCode.INVALID_INPUT, "lines[0].exchangeVariantId")
    assert "does not offer exchanges" in swap.value.message
    assert shop.db.returns == {}


# --- the three stories ---------------------------------------------------------------------------------

async def test_a_size_swap_ships_back_and_the_replacement_goes_out_on_receipt_taking_one_off_the_stock(shop):
    # when Hal swaps his 42 for the 43
    ret = await ask(shop, "ORD-1008", "L-1008-1", variant="V-SHOE-43")

    # then the shoe ships back, nothing is refunded (an even swap) and the replacement waits for the parcel
    assert (ret.status, ret.resolution) == (ReturnStatus.LABEL_ISSUED, Resolution.SHIP_BACK)
    assert ret.refund_total == usd("0.00") and ret.lines[0].exchange.variant_id == "V-SHOE-43"
    assert ret.exchange_status is ExchangeStatus.PENDING and await sent(shop, "V-SHOE-43") == {}
    assert ("exchange", "SWAP") in [(v.rule, v.verdict) for v in ret.decision.trace]  # the choice, in the trace

    # when the parcel is received
    done = await mark_received(shop.deps, STAFF, ret.id, None)

    # then a replacement with its own number is made, once, and the 43 has one unit less
    exchange = exchange_of(done)
    assert (exchange.status, exchange.order_number) == (ExchangeStatus.CREATED, f"X-{ret.number}")
    assert (exchange.price_difference.amount, exchange.price_difference.currency) == (Decimal("0.00"), USD)
    assert await sent(shop, "V-SHOE-43") == {"V-SHOE-43": 1}
    assert types(done).count("EXCHANGE_CREATED") == 1 and done.status is ReturnStatus.REFUNDED
    view = await check_eligibility(shop.deps, STAFF, "ORD-1008")
    assert dict((o.variant.id, o.available) for o in view.exchange_options["L-1008-1"])["V-SHOE-43"] is True


async def test_the_sweater_returned_for_store_credit_gets_a_code_worth_the_refund_plus_ten_percent(shop):
    # when Ivy takes store credit for her sweater (120.00, shipped back)
    ret = await ask(shop, "ORD-1009", "L-1009-1", method=RefundMethod.STORE_CREDIT)
    assert ret.refund_method is RefundMethod.STORE_CREDIT and store_credit_of(ret).status is StoreCreditStatus.PENDING

    # and the parcel is received
    done = await mark_received(shop.deps, STAFF, ret.id, None)

    # then a code worth 132.00 is issued from the ledger, and nothing went to her card
    credit = store_credit_of(done)
    assert credit.status is StoreCreditStatus.ISSUED and credit.code.startswith("SC-")
    assert (credit.amount.amount, credit.bonus.amount) == (Decimal("132.00"), Decimal("12.00"))
    assert [r.gateway for r in done.refunds] == [STORE_CREDIT_GATEWAY] and done.status is ReturnStatus.REFUNDED
    async with shop.deps.uow(readonly=True) as uow:
        ledger = await uow.ledger.credits_of(shop.deps.tenant, [done.number])
    assert [(c.code, c.amount, c.customer_email) for c in ledger] == [(credit.code, usd("132.00"), "ivy@example.com")]


async def test_the_cheap_case_is_kept_and_the_right_one_is_sent_at_once(shop):
    ret = await ask(shop, "ORD-1010", "L-1010-1", variant="V-CASE-15PRO", reason="WRONG_ITEM")

    assert ret.resolution is Resolution.KEEP_ITEM
    assert (ret.exchange_status, ret.exchange_order_number) == (ExchangeStatus.CREATED, f"X-{ret.number}")
    assert await sent(shop, "V-CASE-15PRO") == {"V-CASE-15PRO": 1}
    assert ret.refund_total == usd("0.00") and ret.refunds == []


async def test_a_replacement_out_of_stock_by_receipt_is_refunded_instead_and_staff_see_why(shop):
    ret = await ask(shop, "ORD-1008", "L-1008-1", variant="V-SHOE-43")
    shoe = shop.orders.products["P-SHOE"]
    shop.orders.products["P-SHOE"] = replace(shoe, variants=tuple(
        replace(v, stock=0) if v.id == "V-SHOE-43" else v for v in shoe.variants))

    done = await mark_received(shop.deps, STAFF, ret.id, None)

    assert done.exchange_status is ExchangeStatus.FAILED and "out of stock" in done.exchange_note
    assert done.refund_total == usd("89.00") and [r.amount for r in done.refunds] == [usd("89.00")]
    assert "EXCHANGE_FAILED" in types(done) and done.status is ReturnStatus.REFUNDED
    assert await sent(shop, "V-SHOE-43") == {}


# --- exactly once -------------------------------------------------------------------------------------------

async def test_twenty_identical_requests_make_one_replacement(shop):
    results = await asyncio.gather(*(ask(shop, "ORD-1010", "L-1010-1", variant="V-CASE-15PRO", reason="WRONG_ITEM")
                                     for _ in range(20)), return_exceptions=True)

    made = [r for r in results if not isinstance(r, BaseException) and hasattr(r, "exchange_status")]
    assert len(made) == 1 and len(shop.db.returns) == 1
    assert await sent(shop, "V-CASE-15PRO") == {"V-CASE-15PRO": 1}


async def test_twenty_identical_requests_make_one_store_credit(shop):
    await update_policy(shop.deps, STAFF, "default-channel", {"keep_item_thresholds": {"USD": "200.00"}})

    await asyncio.gather(*(ask(shop, "ORD-1009", "L-1009-1", method=RefundMethod.STORE_CREDIT)
                           for _ in range(20)), return_exceptions=True)

    assert len(shop.db.returns) == 1
    (ret,) = shop.db.returns.values()
    async with shop.deps.uow(readonly=True) as uow:
        credits = await uow.ledger.credits_of(shop.deps.tenant, [ret.number])
    assert [c.amount for c in credits] == [usd("132.00")]


# --- durable work -----------------------------------------------------------------------------------------

class DownDesk:
    """A desk that does not answer (the store is down)."""

    def __init__(self, desk) -> None:
        self.desk, self.down = desk, True

    async def send(self, command):
        if self.down:
            from saleor_returns.ports import UpstreamUnavailable
            raise UpstreamUnavailable("down")
        return await self.desk.send(command)

    async def units_sent(self, tenant, variant_ids):
        return await self.desk.units_sent(tenant, variant_ids)


async def test_a_replacement_the_store_did_not_take_is_sent_by_the_worker_with_the_same_key(shop):
    from saleor_returns.services.worker import run_once

    desk = shop.deps.replacements = DownDesk(shop.deps.replacements)
    ret = await ask(shop, "ORD-1010", "L-1010-1", variant="V-CASE-15PRO", reason="WRONG_ITEM")
    waiting = await shop.get(ret.id)
    assert waiting.exchange_waits and "did not answer" in waiting.exchange_note
    assert waiting.status is ReturnStatus.APPROVED  # not finished while its replacement is owed

    desk.down = False
    report = await run_once(shop.deps)

    # then the worker sends it (before planning the refund it held back), then finishes the return
    done = await shop.get(ret.id)
    assert report.busy and done.exchange_status is ExchangeStatus.CREATED and done.status is ReturnStatus.REFUNDED
    assert await sent(shop, "V-CASE-15PRO") == {"V-CASE-15PRO": 1}
    again = await run_once(shop.deps)
    assert again.work["replacements sent"] == 0 and await sent(shop, "V-CASE-15PRO") == {"V-CASE-15PRO": 1}


async def test_an_instant_exchange_left_unsent_is_sent_by_the_worker(shop):
    from saleor_returns.services.worker import run_once

    await update_policy(shop.deps, STAFF, "default-channel", {"instant_exchange": True})
    desk = shop.deps.replacements = DownDesk(shop.deps.replacements)
    ret = await ask(shop, "ORD-1008", "L-1008-1", variant="V-SHOE-43")
    assert ret.instant_exchange and (await shop.get(ret.id)).exchange_waits

    desk.down = False
    assert (await run_once(shop.deps)).work["replacements sent"] == 0  # asked again a minute later, not at once
    shop.clock.advance(minutes=2)
    report = await run_once(shop.deps)

    done = await shop.get(ret.id)
    assert report.work["replacements sent"] == 1 and done.exchange_status is ExchangeStatus.CREATED
    assert done.status is ReturnStatus.LABEL_ISSUED and done.refunds == []  # the shoe is still to come back


# --- staff switch the method before it is carried out -------------------------------------------------------

async def test_staff_switch_a_return_to_store_credit_before_it_is_received_and_it_is_issued_as_such(shop):
    from saleor_returns.services.staff_actions import switch_refund_method

    ret = await ask(shop, "ORD-1009", "L-1009-1")
    assert ret.refund_method is RefundMethod.ORIGINAL_PAYMENT

    switched = await switch_refund_method(shop.deps, STAFF, ret.id, RefundMethod.STORE_CREDIT)
    assert (switched.refund_method, switched.credit_bonus_percent) == (RefundMethod.STORE_CREDIT, Decimal(10))
    assert "REFUND_METHOD_CHANGED" in types(switched)

    done = await mark_received(shop.deps, STAFF, ret.id, None)
    assert store_credit_of(done).amount.amount == Decimal("132.00")
    with pytest.raises(ReturnError) as err:  # carried out: it stays
        await switch_refund_method(shop.deps, STAFF, ret.id, RefundMethod.ORIGINAL_PAYMENT)
    assert err.value.code is ReturnErrorCode.INVALID_TRANSITION


async def test_shoppers_may_not_switch_and_store_credit_needs_the_policy_to_offer_it(shop):
    from saleor_returns.services.staff_actions import switch_refund_method

    ret = await ask(shop, "ORD-1009", "L-1009-1")
    with pytest.raises(ReturnError) as shopper:
        await switch_refund_method(shop.deps, shop.shopper("ORD-1009"), ret.id, RefundMethod.STORE_CREDIT)
    await update_policy(shop.deps, STAFF, "default-channel", {"store_credit_bonus_percent": None})
    with pytest.raises(ReturnError) as offered:
        await switch_refund_method(shop.deps, STAFF, ret.id, RefundMethod.STORE_CREDIT)

    assert shopper.value.code is ReturnErrorCode.FORBIDDEN
    assert (offered.value.code, offered.value.field) == (ReturnErrorCode.INVALID_INPUT, "method")


async def test_an_instant_exchange_whose_item_never_comes_back_goes_to_the_review_queue(shop):
    from datetime import timedelta

    from saleor_returns.domain.decision_record import ReviewCode
    from saleor_returns.services.staff_actions import approve_return
    from saleor_returns.services.worker import run_once

    # given the store sends replacements at approval, and Hal's 43 went out before his 42 came back
    await update_policy(shop.deps, STAFF, "default-channel", {"instant_exchange": True})
    ret = await ask(shop, "ORD-1008", "L-1008-1", variant="V-SHOE-43")
    assert (ret.status, ret.exchange_status) == (ReturnStatus.LABEL_ISSUED, ExchangeStatus.CREATED)

    # when his label expires unused
    shop.clock.advance(days=60)
    await run_once(shop.deps)

    # then the return waits for a person: replacement sent, item not back
    waiting = await shop.get(ret.id)
    assert waiting.status is ReturnStatus.PENDING_REVIEW
    assert ReviewCode.REPLACEMENT_NOT_BACK in waiting.decision.review_codes
    review = [e for e in waiting.events if e.type.value == "PENDING_REVIEW"]
    assert len(review) == 1 and "never came back" in (review[0].note or "")
    # and staff approving it sends him a new label
    again = await approve_return(shop.deps, STAFF, ret.id, None, "asked Hal to send the 42")
    assert again.status is ReturnStatus.LABEL_ISSUED and again.active_label is not None
    assert shop.clock.now() - again.active_label.created_at < timedelta(minutes=1)
