"""requestReturn, order by order: every story of examples/README.md on in-memory ports, plus the requests
refused before any rule runs, the keep-item cap and refunds that follow the policy's timing."""
from __future__ import annotations

import asyncio
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from conftest import STAFF, make_shop, open_shop, types
from saleor_returns.domain.actors import Actor
from saleor_returns.domain.codes import EligibilityCode, ReturnError, ReturnErrorCode
from saleor_returns.domain.decision import RequestedLine
from saleor_returns.domain.lifecycle import Resolution, ReturnStatus
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.ports import ReturnFilter
from saleor_returns.services.policies import update_policy
from saleor_returns.services.queries import list_returns
from saleor_returns.services.request_return import NotEligible, ReturnInput, request_return


@pytest.fixture
async def seeded():
    """The demo store as `saleor-returns demo` starts it: policies and the orders file's earlier returns."""
    return await open_shop(make_shop(), with_seed_returns=True)


async def test_final_sale_sneakers_are_refused_and_the_t_shirt_is_kept_and_refunded(shop):
    # when Cy returns both the clearance sneakers and the T-shirt (25.00, at the threshold)
    ret = await shop.ask("ORD-1003", ("L-1003-1", 1, "DOES_NOT_FIT"), ("L-1003-2", 1, "DOES_NOT_FIT"))

    # then the sneakers are refused with FINAL_SALE and only the T-shirt is in the return, refunded and kept
    assert [(r.order_line_id, r.codes) for r in ret.decision.refused] == [("L-1003-1", (EligibilityCode.FINAL_SALE,))]
    assert [line.order_line_id for line in ret.lines] == ["L-1003-2"]
    assert (ret.status, ret.resolution, ret.refund_total.amount) == (
        ReturnStatus.REFUNDED, Resolution.KEEP_ITEM, Decimal("25.00"))
    assert [(c.amount.amount, c.psp_reference) for c in shop.gateway.refunds] == [(Decimal("25.00"), "pi_demo_1003")]


async def test_only_final_sale_sneakers_are_refused_with_the_code_and_nothing_is_saved(shop):
    # when Cy returns only the clearance sneakers, then they are refused with FINAL_SALE and nothing is saved
    refused = await shop.ask("ORD-1003", ("L-1003-1", 1, "DOES_NOT_FIT"))
    assert isinstance(refused, NotEligible)
    assert [(el.line.id, el.codes) for el in refused.lines] == [("L-1003-1", (EligibilityCode.FINAL_SALE,))]
    assert shop.db.returns == {} and shop.gateway.calls == 0


async def test_a_partly_returned_order_offers_what_is_left_each_unit_refunded_what_was_paid(seeded):
    # given one pair of Fay's socks is already in a return (seeded, refunded and kept)
    [seed] = (await list_returns(seeded.deps, ReturnFilter(order_id="ORD-1006"), 10, None)).returns
    assert (seed.status, [ln.quantity for ln in seed.lines]) == (ReturnStatus.REFUNDED, [1])

    # when she returns the two pairs left, then each is refunded its share after the order discount, kept
    socks = await seeded.ask("ORD-1006", ("L-1006-1", 2, "DOES_NOT_FIT"))
    assert (socks.status, socks.resolution) == (ReturnStatus.REFUNDED, Resolution.KEEP_ITEM)
    assert socks.lines[0].refund.amount == Decimal("22.88")  # 2 × 11.44

    # and the jacket (171.67 after discount) ships back with a label
    jacket = await seeded.ask("ORD-1006", ("L-1006-2", 1, "DOES_NOT_FIT"))
    assert (jacket.status, jacket.resolution, jacket.refund_total.amount) == (
        ReturnStatus.LABEL_ISSUED, Resolution.SHIP_BACK, Decimal("171.67"))

    # and a fourth pair does not exist
    with pytest.raises(ReturnError) as err:
        await seeded.ask("ORD-1006", ("L-1006-1", 1, "DOES_NOT_FIT"))
    assert (err.value.code, err.value.field) == (ReturnErrorCode.ALREADY_RETURNED, "lines[0].orderLineId")


async def test_an_unshipped_desk_is_refused_not_fulfilled(shop):
    # when Gus returns the desk that has not shipped, then it is refused: the window has not started
    refused = await shop.ask("ORD-1007", ("L-1007-1", 1, "CHANGED_MIND"))
    assert isinstance(refused, NotEligible)
    assert EligibilityCode.NOT_FULFILLED in refused.lines[0].codes
    assert shop.db.returns == {}


async def test_japan_keeps_whole_yen_the_towel_is_kept_and_the_teapot_ships_back_on_tokyo_time(shop):
    # when Hana returns the towel alone, then it is refunded at once in whole yen and kept
    towel = await shop.ask("ORD-2001", ("L-2001-1", 1, "DOES_NOT_FIT"))
    assert (towel.status, towel.refund_total.amount, towel.currency) == (ReturnStatus.REFUNDED, Decimal("1800"), "JPY")

    # when she returns the teapot, then it ships back and its deadline is the end of a Tokyo day
    teapot = await shop.ask("ORD-2001", ("L-2001-2", 1, "DAMAGED"))
    assert (teapot.status, teapot.refund_total.amount) == (ReturnStatus.LABEL_ISSUED, Decimal("12000"))
    assert teapot.timezone == "Asia/Tokyo"
    local = teapot.deadline.astimezone(ZoneInfo("Asia/Tokyo"))
    assert (local.hour, local.minute, local.second) == (23, 59, 59)
    assert shop.carrier.purchases == 1


async def test_the_keep_item_cap_falls_back_to_a_label_never_to_a_no(shop):
    # given the store allows no keep-item refunds per customer any more
    await update_policy(shop.deps, STAFF, "default-channel", {"keep_item_limits": {"max_count": 0}})

    # when Ben returns the cheap cover
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))

    # then it ships back with a label, flagged, and no money moves yet
    assert (ret.status, ret.resolution) == (ReturnStatus.LABEL_ISSUED, Resolution.SHIP_BACK)
    assert EligibilityCode.KEEP_ITEM_LIMIT_REACHED in ret.decision.flags
    assert shop.gateway.calls == 0


async def test_refund_on_approval_pays_with_the_label_and_waits_for_the_parcel_to_finish(shop):
    # given the default channel refunds on approval
    await update_policy(shop.deps, STAFF, "default-channel", {"refund_timing": "ON_APPROVAL"})

    # when Ada returns the late laptop
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))

    # then the label is issued and the money goes back at once; the return is done only once received
    assert ret.status is ReturnStatus.LABEL_ISSUED
    assert [(r.status, r.amount.amount) for r in ret.refunds] == [(RefundStatus.SUCCEEDED, Decimal("1299.00"))]
    assert types(ret) == ["REQUESTED", "APPROVED", "REFUND_REQUESTED", "REFUND_SUCCEEDED", "RECORDED_IN_STORE",
                          "LABEL_ISSUED"]
    # and the store's books heard of the money only: no note of a parcel, no units returned yet
    assert ret.refund_due_at is None
    assert [(r.received, r.units_back) for r in shop.recorder.records] == [(False, False)]


@pytest.mark.parametrize(("lines", "code", "field"), [
    pytest.param([], ReturnErrorCode.INVALID_INPUT, "lines", id="no-lines"),
    pytest.param([("L-1002-1", 1, "BORED")], ReturnErrorCode.UNKNOWN_REASON, "lines[0].reason", id="unknown-reason"),
    pytest.param([("L-1002-1", 1, "OTHER")], ReturnErrorCode.COMMENT_REQUIRED, "lines[0].comment",
                 id="other-needs-a-comment"),
    pytest.param([("L-1002-2", 3, "DOES_NOT_FIT")], ReturnErrorCode.QUANTITY_EXCEEDED, "lines[0].quantity",
                 id="three-of-two-cables"),
    pytest.param([("L-1002-1", 0, "DOES_NOT_FIT")], ReturnErrorCode.INVALID_INPUT, "lines[0].quantity",
                 id="zero-units"),
    pytest.param([("L-9999", 1, "DOES_NOT_FIT")], ReturnErrorCode.INVALID_INPUT, "lines[0].orderLineId",
                 id="not-in-the-order"),
    pytest.param([("L-1002-1", 1, "DOES_NOT_FIT"), ("L-1002-1", 1, "DAMAGED")], ReturnErrorCode.INVALID_INPUT,
                 "lines[1]", id="same-line-twice"),
])
async def test_bad_requests_are_refused_with_a_code_and_a_field_and_nothing_is_saved(shop, lines, code, field):
    # when Ben sends a request no rule can run on
    with pytest.raises(ReturnError) as err:
        await shop.ask("ORD-1002", *lines)

    # then the whole request is refused, naming the field, and nothing is saved or paid
    assert (err.value.code, err.value.field) == (code, field)
    assert shop.db.returns == {} and shop.gateway.calls == 0


async def test_a_comment_satisfies_the_reason_that_needs_one(shop):
    # when Ben gives OTHER with a comment, then the return goes through with it
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "OTHER"), comment="the colour is off")
    assert ret.status is ReturnStatus.REFUNDED and ret.lines[0].comment == "the colour is off"


async def test_a_signed_in_shopper_is_known_by_user_id_whatever_the_email(shop):
    # given Ada is signed in (her user id) with another e-mail address on her account
    ada = Actor(Actor.guest("other@example.com").kind, "other@example.com", email="other@example.com",
                user_id="VXNlcjox")

    # when she returns the laptop, then the order is hers
    ret = await request_return(shop.deps, ada, ReturnInput("ORD-1001", (RequestedLine("L-1001-1", 1, "DAMAGED"),)))
    assert ret.status is ReturnStatus.LABEL_ISSUED and ret.customer_id == "VXNlcjox"


async def test_staff_may_request_for_a_shopper_and_the_note_is_kept(shop):
    # when staff request the camera's return for Dee (she called), then it is hers, with the note
    ret = await request_return(shop.deps, STAFF, ReturnInput("ORD-1004", (RequestedLine("L-1004-1", 1, "DAMAGED"),),
                                                             note="called the hotline"))
    assert ret.status is ReturnStatus.PENDING_REVIEW and ret.note == "called the hotline"
    assert ret.events[0].actor.label == STAFF.label and ret.events[0].note == "called the hotline"


async def test_two_requests_racing_for_the_only_cover_make_one_return(shop):
    # when Ben double-clicks: two requests for the same cover at once
    results = await asyncio.gather(shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT")),
                                   shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT")), return_exceptions=True)

    # then one return is made and paid once; the other is told the cover is already returned
    made = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, ReturnError)]
    assert len(made) == 1 and [e.code for e in refused] == [ReturnErrorCode.ALREADY_RETURNED]
    assert len(shop.db.returns) == 1 and [c.amount.amount for c in shop.gateway.refunds] == [Decimal("19.99")]


async def test_the_demo_seeds_its_earlier_returns_once(seeded):
    # when the demo starts a second time on the same data
    before = dict(seeded.db.returns)
    await open_shop(seeded, with_seed_returns=True)

    # then nothing is seeded twice
    assert seeded.db.returns.keys() == before.keys() and len(before) == 1


async def test_a_seed_return_the_store_refuses_is_skipped_and_the_demo_still_starts():
    from saleor_returns.adapters.demo.orders_file import SeedReturn, SeedReturnLine
    from saleor_returns.services.seed import seed_demo

    # given an orders file whose first earlier return names the wrong shopper
    shop = make_shop()
    wrong = SeedReturn("ORD-1002", "mallory@example.com", (SeedReturnLine("L-1002-1", 1, "DOES_NOT_FIT"),))
    right = SeedReturn("ORD-1003", "cy@example.com", (SeedReturnLine("L-1003-2", 1, "DOES_NOT_FIT"),))

    # when the demo starts
    await seed_demo(shop.deps, {}, [wrong, right])

    # then that return is skipped and the next one is made
    assert [r.order_id for r in shop.db.returns.values()] == ["ORD-1003"]


async def test_a_free_gift_kept_is_done_at_once_with_nothing_to_pay(shop):
    from dataclasses import replace

    from saleor_returns.domain.money import Money
    from saleor_returns.domain.order import FulfillmentLine, OrderLine

    # given Ben's order came with a free sticker (0.00), shipped with the rest
    order = shop.orders.orders["ORD-1002"]
    sticker = OrderLine("L-1002-3", "Sticker", None, 1, Money(Decimal("0.00"), "USD"))
    first = order.fulfillments[0]
    shipped = replace(first, lines=(*first.lines, FulfillmentLine("F-x", "L-1002-3", 1)))
    shop.orders.orders["ORD-1002"] = replace(order, lines=(*order.lines, sticker), fulfillments=(shipped,))

    # when he returns it (keep-the-item: it is worth nothing)
    ret = await shop.ask("ORD-1002", ("L-1002-3", 1, "DOES_NOT_FIT"))

    # then the return is done at once: nothing to pay, nothing left for staff, the books told once
    assert (ret.status, ret.resolution, ret.refund_total.amount) == (
        ReturnStatus.REFUNDED, Resolution.KEEP_ITEM, Decimal("0.00"))
    assert ret.refunds == [] and shop.gateway.calls == 0
    assert [r.status for r in shop.recorder.records] == ["REFUNDED"]
