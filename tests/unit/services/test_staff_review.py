"""The review queue: staff approve (in policy, out of policy from their goodwill budget, as keep-item),
reject and close; the owner goes beyond the budget; the store's day decides when the budget resets."""
from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import OWNER, STAFF, types
from saleor_returns.domain.actors import Actor
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.lifecycle import Resolution, ReturnStatus
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.services.goodwill import goodwill_today
from saleor_returns.services.policies import update_policy
from saleor_returns.services.staff_actions import approve_return, close_return, reject_return


async def espresso_exception(shop, reason: str = "CHANGED_MIND"):
    """ORD-1005 is past grace; Eve asks for an exception: PENDING_REVIEW, out of policy, 449.00."""
    ret = await shop.ask("ORD-1005", ("L-1005-1", 1, reason), exception=True)
    assert ret.status is ReturnStatus.PENDING_REVIEW and ret.out_of_policy
    return ret


async def camera_in_review(shop):
    """ORD-1004: 3,499.00 is above the review trigger: PENDING_REVIEW, in policy, shipping back."""
    ret = await shop.ask("ORD-1004", ("L-1004-1", 1, "NOT_AS_DESCRIBED"))
    assert ret.status is ReturnStatus.PENDING_REVIEW and not ret.out_of_policy
    return ret


def paid(shop, order_id: str) -> list[Decimal]:
    return [c.amount.amount for c in shop.gateway.refunds if c.order_id == order_id]


# --- approving ----------------------------------------------------------------------------------

async def test_approving_an_in_policy_review_ships_it_back_and_spends_no_goodwill(shop):
    # given the camera waits only because of its price
    camera = await camera_in_review(shop)

    # when staff approve it as it is
    done = await approve_return(shop.deps, STAFF, camera.id, None, "looks fine")

    # then a label is bought, no money moves yet, and the budget is untouched
    assert (done.status, done.resolution) == (ReturnStatus.LABEL_ISSUED, Resolution.SHIP_BACK)
    assert "GOODWILL_SPENT" not in types(done) and done.refunds == [] and shop.carrier.purchases == 1
    approval = next(e for e in done.events if e.type.value == "APPROVED")
    assert approval.actor.label == STAFF.label and approval.note == "as SHIP_BACK; looks fine"
    assert shop.db.tables.goodwill == []


async def test_approving_an_exception_spends_goodwill_once_and_a_label_follows(shop):
    # given Eve's espresso machine is past grace and she asked for an exception
    espresso = await espresso_exception(shop)

    # when staff approve it
    done = await approve_return(shop.deps, STAFF, espresso.id, None, "forgot it in the garage")

    # then it ships back and 449.00 of today's budget is spent, on record
    assert done.status is ReturnStatus.LABEL_ISSUED
    assert types(done).count("GOODWILL_SPENT") == 1
    spent = [(staff, m.amount, rid) for _, staff, _, m, rid, _ in shop.db.tables.goodwill]
    assert spent == [("alice", Decimal("449.00"), done.id)]
    today = await goodwill_today(shop.deps, STAFF, "usd")
    assert (today.budget.spent_today.amount, today.budget.left.amount) == (Decimal("449.00"), Decimal("1551.00"))
    assert today.timezone == "America/New_York"


async def test_converting_to_keep_item_refunds_at_once_without_a_label(shop):
    # given the exception waits, shipping back
    espresso = await espresso_exception(shop)
    assert espresso.resolution is Resolution.SHIP_BACK

    # when staff approve it as keep-the-item
    done = await approve_return(shop.deps, STAFF, espresso.id, Resolution.KEEP_ITEM, "not worth the freight")

    # then it is refunded at once, once, no label, and the conversion is in the trail
    assert (done.status, done.resolution) == (ReturnStatus.REFUNDED, Resolution.KEEP_ITEM)
    assert [(r.status, r.amount.amount) for r in done.refunds] == [(RefundStatus.SUCCEEDED, Decimal("449.00"))]
    assert done.labels == [] and shop.carrier.purchases == 0
    assert types(done).count("GOODWILL_SPENT") == 1 and types(done)[-2:] == ["REFUNDED", "RECORDED_IN_STORE"]
    assert paid(shop, "ORD-1005") == [Decimal("449.00")]


async def test_converting_a_label_cost_return_gives_back_the_deduction(shop):
    # given returns pay their own label (5.00 deducted) and the camera waits for review
    await update_policy(shop.deps, STAFF, "default-channel",
                        {"return_shipping": "FLAT_FEE", "return_shipping_fee": {"USD": "5.00"}})
    camera = await camera_in_review(shop)
    assert (camera.refund_total.amount, camera.shipping_deduction.amount) == (Decimal("3494.00"), Decimal("5.00"))

    # when the owner converts it to keep-the-item (no parcel: nothing to deduct)
    done = await approve_return(shop.deps, OWNER, camera.id, Resolution.KEEP_ITEM, None)

    # then the full price goes back and that is what the goodwill spent
    assert (done.refund_total.amount, done.shipping_deduction.amount) == (Decimal("3499.00"), Decimal("0.00"))
    assert paid(shop, "ORD-1004") == [Decimal("3499.00")]
    assert [m.amount for *_, m, _, _ in shop.db.tables.goodwill] == [Decimal("3499.00")]


async def test_beyond_the_daily_budget_staff_are_refused_and_nothing_changes_but_the_owner_may(shop):
    # given the camera (3,499.00) waits and alice's budget is 2,000.00
    camera = await camera_in_review(shop)
    before = await shop.get(camera.id)

    # when alice converts it to keep-the-item
    with pytest.raises(ReturnError) as err:
        await approve_return(shop.deps, STAFF, camera.id, Resolution.KEEP_ITEM, None)

    # then she is refused with the code, and nothing changed: no refund, no spending, same trail
    assert err.value.code is ReturnErrorCode.GOODWILL_BUDGET_EXCEEDED and "owner" in err.value.message
    after = await shop.get(camera.id)
    assert (after.status, after.resolution, types(after)) == (before.status, before.resolution, types(before))
    assert shop.gateway.calls == 0 and shop.db.tables.goodwill == []

    # when the owner makes the same approval, then it goes through on the owner's name
    done = await approve_return(shop.deps, OWNER, camera.id, Resolution.KEEP_ITEM, None)
    assert done.status is ReturnStatus.REFUNDED
    assert [e.actor.label for e in done.events if e.type.value == "GOODWILL_SPENT"] == [OWNER.label]


async def test_the_goodwill_budget_resets_when_the_store_day_turns_not_the_utc_day(shop):
    # given a 50 % restocking fee makes the camera 1,749.50, in review above 1,500.00
    await update_policy(shop.deps, STAFF, "default-channel",
                        {"restocking_fee_percent": "50", "review_above": {"USD": "1500.00"}})
    camera = await camera_in_review(shop)
    assert camera.refund_total.amount == Decimal("1749.50")
    # and today (noon in New York) alice already spent 449.00 on the damaged espresso machine
    espresso = await espresso_exception(shop, reason="DAMAGED")
    await approve_return(shop.deps, STAFF, espresso.id, None, None)

    # then converting the camera is beyond what is left (1,551.00), now and at 20:00 New York time
    for hours in (0, 8):  # 8 h later it is already tomorrow in UTC
        shop.clock.advance(hours=hours)
        with pytest.raises(ReturnError) as err:
            await approve_return(shop.deps, STAFF, camera.id, Resolution.KEEP_ITEM, None)
        assert err.value.code is ReturnErrorCode.GOODWILL_BUDGET_EXCEEDED

    # when the next New York day begins, then the same approval goes through from a fresh budget
    shop.clock.advance(hours=16)
    done = await approve_return(shop.deps, STAFF, camera.id, Resolution.KEEP_ITEM, None)
    assert done.status is ReturnStatus.REFUNDED and paid(shop, "ORD-1004") == [Decimal("1749.50")]
    days = sorted({day.isoformat() for _, _, day, _, _, _ in shop.db.tables.goodwill})
    assert days == ["2026-11-25", "2026-11-26"]


async def test_an_approval_while_the_store_is_down_changes_nothing(shop):
    # given the exception waits and the store cannot be reached
    espresso = await espresso_exception(shop)
    shop.orders.down = True

    # when staff approve, then they are told to try again, and nothing was spent or bought
    with pytest.raises(ReturnError) as err:
        await approve_return(shop.deps, STAFF, espresso.id, None, None)
    assert err.value.code is ReturnErrorCode.UPSTREAM_UNAVAILABLE
    assert (await shop.get(espresso.id)).status is ReturnStatus.PENDING_REVIEW
    assert shop.db.tables.goodwill == [] and shop.carrier.purchases == 0


@pytest.mark.parametrize(("who", "code"), [
    pytest.param(Actor.guest("dee@example.com"), ReturnErrorCode.FORBIDDEN, id="the-shopper-herself"),
    pytest.param(Actor.system("worker"), ReturnErrorCode.FORBIDDEN, id="the-system"),
])
async def test_only_staff_review(shop, who, code):
    # given the camera waits for review
    camera = await camera_in_review(shop)

    # when anyone but staff approves, rejects or closes it, then they may not, and it still waits
    for act in (lambda: approve_return(shop.deps, who, camera.id, None, None),
                lambda: reject_return(shop.deps, who, camera.id, "no"),
                lambda: close_return(shop.deps, who, camera.id, None)):
        with pytest.raises(ReturnError) as err:
            await act()
        assert err.value.code is code
    assert (await shop.get(camera.id)).status is ReturnStatus.PENDING_REVIEW


async def test_a_return_that_needs_no_approval_cannot_be_approved_again(shop):
    # given the cover was refunded at once, and the camera was approved
    cover = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    camera = await approve_return(shop.deps, STAFF, (await camera_in_review(shop)).id, None, None)

    # when staff approve either, then it is an invalid transition and nothing is bought or paid again
    for ret in (cover, camera):
        with pytest.raises(ReturnError) as err:
            await approve_return(shop.deps, STAFF, ret.id, Resolution.KEEP_ITEM, None)
        assert err.value.code is ReturnErrorCode.INVALID_TRANSITION
    assert shop.carrier.purchases == 1 and shop.gateway.calls == 1


async def test_approving_an_unknown_return_says_so(shop):
    # when staff approve a return that does not exist, then they are told so
    with pytest.raises(ReturnError) as err:
        await approve_return(shop.deps, STAFF, "no-such-return", None, None)
    assert (err.value.code, err.value.field) == (ReturnErrorCode.RETURN_NOT_FOUND, "id")


# --- rejecting ----------------------------------------------------------------------------------

async def test_a_rejected_camera_gives_its_unit_back_for_another_request(shop):
    # given the camera waits for review
    camera = await camera_in_review(shop)

    # when staff reject it with a reason the shopper will read
    rejected = await reject_return(shop.deps, STAFF, camera.id, "  Used, see photos ")

    # then it is REJECTED with that note, and the camera can be asked for again
    assert rejected.status is ReturnStatus.REJECTED
    assert (rejected.events[-1].actor, rejected.events[-1].note) == (STAFF, "Used, see photos")
    again = await shop.ask("ORD-1004", ("L-1004-1", 1, "DAMAGED"))
    assert again.status is ReturnStatus.PENDING_REVIEW and again.id != camera.id


async def test_a_rejection_needs_a_reason(shop):
    # given the camera waits for review
    camera = await camera_in_review(shop)

    # when staff reject it without a reason, then they are asked for one and it still waits
    with pytest.raises(ReturnError) as err:
        await reject_return(shop.deps, STAFF, camera.id, "   ")
    assert (err.value.code, err.value.field) == (ReturnErrorCode.INVALID_INPUT, "note")
    assert (await shop.get(camera.id)).status is ReturnStatus.PENDING_REVIEW


async def test_money_already_back_cannot_be_rejected(shop):
    # given the cover was refunded at once
    cover = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))

    # when staff reject it, then it is too late
    with pytest.raises(ReturnError) as err:
        await reject_return(shop.deps, STAFF, cover.id, "changed my mind")
    assert err.value.code is ReturnErrorCode.INVALID_TRANSITION
    assert (await shop.get(cover.id)).status is ReturnStatus.REFUNDED


# --- closing ------------------------------------------------------------------------------------

async def test_staff_close_a_refunded_return_and_nothing_more_can_happen_to_it(shop):
    # given the cover was refunded and kept
    cover = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))

    # when staff close it
    closed = await close_return(shop.deps, STAFF, cover.id, "all good")

    # then it is CLOSED by alice, and closing again is an invalid transition
    assert closed.status is ReturnStatus.CLOSED and (closed.events[-1].actor, closed.events[-1].note) == (
        STAFF, "all good")
    with pytest.raises(ReturnError) as err:
        await close_return(shop.deps, STAFF, cover.id, None)
    assert err.value.code is ReturnErrorCode.INVALID_TRANSITION


async def test_a_return_still_in_review_cannot_be_closed(shop):
    # given the camera waits for review
    camera = await camera_in_review(shop)

    # when staff close it, then it must be decided first
    with pytest.raises(ReturnError) as err:
        await close_return(shop.deps, STAFF, camera.id, None)
    assert err.value.code is ReturnErrorCode.INVALID_TRANSITION
