"""cancelReturn: the shopper until the parcel is scanned, staff any time before money goes back; bought labels
are voided with their carrier once (retried by the worker when the carrier does not answer), drawn ones
need no void, and a label bought while the return was being cancelled is voided as soon as it exists."""
from __future__ import annotations

import pytest

from conftest import STAFF, make_shop, open_shop, types
from saleor_returns.adapters.memory.providers import MemoryCarrier
from saleor_returns.domain.actors import Actor
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.labels import VoidStatus
from saleor_returns.domain.lifecycle import ReturnStatus
from saleor_returns.domain.tracking import ParcelStatus, TrackingUpdate
from saleor_returns.ports import VoidOutcome
from saleor_returns.services.cancel_return import cancel_return
from saleor_returns.services.eligibility import check_eligibility
from saleor_returns.services.label_expiry import run_label_work
from saleor_returns.services.tracking import apply_tracking


@pytest.fixture
async def easypost_shop():
    """The demo store whose labels are bought from a carrier that charges for them (so they are voided)."""
    return await open_shop(make_shop(carrier=MemoryCarrier(name="easypost")))


async def returnable(shop, order_id: str, line_id: str) -> int:
    view = await check_eligibility(shop.deps, shop.shopper(order_id), order_id)
    return next(el.quantity_returnable for el in view.lines if el.line.id == line_id)


async def test_a_shopper_cancelling_before_shipping_gets_the_unit_back_and_a_drawn_label_needs_no_void(shop):
    # given Ada's laptop return holds the only unit and has a locally drawn label
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    assert await returnable(shop, "ORD-1001", "L-1001-1") == 0

    # when she cancels it
    cancelled = await cancel_return(shop.deps, shop.shopper("ORD-1001"), ret.id)

    # then it is CANCELLED by her, the label cannot be printed, nothing is asked of a carrier
    assert cancelled.status is ReturnStatus.CANCELLED and cancelled.events[-1].actor.label == "shopper:ada@example.com"
    assert cancelled.active_label is None and cancelled.labels[0].void_status is VoidStatus.NOT_NEEDED
    assert shop.carrier.voids == []
    # and the unit can be returned again, with a new label
    assert await returnable(shop, "ORD-1001", "L-1001-1") == 1
    again = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    assert again.status is ReturnStatus.LABEL_ISSUED and again.id != ret.id


async def test_a_bought_label_is_voided_with_its_carrier_exactly_once(easypost_shop):
    shop = easypost_shop
    # given the laptop's label was bought
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    tracking = ret.labels[0].tracking_number

    # when Ada cancels, and the worker passes twice afterwards
    await cancel_return(shop.deps, shop.shopper("ORD-1001"), ret.id)
    await run_label_work(shop.deps)
    await run_label_work(shop.deps)

    # then the carrier was asked once, and staff see the void
    assert shop.carrier.voids == [tracking]
    after = await shop.get(ret.id)
    assert after.labels[0].void_status is VoidStatus.DONE and types(after).count("LABEL_VOIDED") == 1


async def test_a_carrier_that_does_not_answer_the_void_is_asked_again_by_the_worker(easypost_shop):
    shop = easypost_shop
    # given the carrier cannot be reached when the return is cancelled
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    shop.carrier.void_with = VoidOutcome(voided=False, retryable=True, detail="503")
    await cancel_return(shop.deps, shop.shopper("ORD-1001"), ret.id)
    waiting = (await shop.get(ret.id)).labels[0]
    assert waiting.void_status is VoidStatus.PENDING and waiting.next_attempt_at is not None

    # when the worker passes before the backoff, then the carrier is left alone
    assert (await run_label_work(shop.deps)).voided == 0 and len(shop.carrier.voids) == 1

    # when the carrier is back and the backoff has passed, then the void goes through
    shop.carrier.void_with = VoidOutcome(voided=True, detail="refunded")
    shop.clock.advance(minutes=5)
    assert (await run_label_work(shop.deps)).voided == 1
    after = await shop.get(ret.id)
    assert after.labels[0].void_status is VoidStatus.DONE and len(shop.carrier.voids) == 2
    assert "refunded" in after.events[-1].note


async def test_a_void_the_carrier_refuses_is_shown_to_staff_and_not_asked_again(easypost_shop):
    shop = easypost_shop

    # given the carrier will refuse to void the laptop's label (it was already used)
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    shop.carrier.void_with = VoidOutcome(voided=False, retryable=False, detail="already used")

    # when staff cancel the return, and the worker passes a day later
    await cancel_return(shop.deps, STAFF, ret.id)
    shop.clock.advance(days=1)
    await run_label_work(shop.deps)

    # then staff see the refusal, and the carrier was asked once
    after = await shop.get(ret.id)
    assert after.labels[0].void_status is VoidStatus.REJECTED and types(after)[-1] == "LABEL_VOID_FAILED"
    assert "already used" in after.events[-1].note and len(shop.carrier.voids) == 1


async def test_once_the_parcel_is_scanned_only_staff_can_cancel(shop):
    # given the laptop's parcel has been scanned by the carrier
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    label = ret.labels[0]
    await apply_tracking(shop.deps, TrackingUpdate(label.carrier, "evt-1", label.tracking_number,
                                                   ParcelStatus.IN_TRANSIT))

    # when Ada cancels, then she is told it is too late
    with pytest.raises(ReturnError) as err:
        await cancel_return(shop.deps, shop.shopper("ORD-1001"), ret.id)
    assert err.value.code is ReturnErrorCode.INVALID_TRANSITION
    assert (await shop.get(ret.id)).status is ReturnStatus.IN_TRANSIT

    # when staff cancel it (the parcel was lost), then it is cancelled
    cancelled = await cancel_return(shop.deps, STAFF, ret.id)
    assert cancelled.status is ReturnStatus.CANCELLED and cancelled.events[-1].actor.label == STAFF.label


async def test_staff_cancel_a_return_waiting_in_review(shop):
    # given the camera waits for review
    camera = await shop.ask("ORD-1004", ("L-1004-1", 1, "DAMAGED"))

    # when staff cancel it, then it is cancelled and its unit can be returned again
    cancelled = await cancel_return(shop.deps, STAFF, camera.id)
    assert cancelled.status is ReturnStatus.CANCELLED and cancelled.labels == []
    assert await returnable(shop, "ORD-1004", "L-1004-1") == 1


@pytest.mark.parametrize("who", [pytest.param("shopper", id="shopper"), pytest.param("staff", id="staff")])
async def test_nobody_cancels_once_the_money_went_back(shop, who):
    # given the cover was refunded at once
    cover = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    actor = shop.shopper("ORD-1002") if who == "shopper" else STAFF

    # when the shopper or staff cancel it, then it is too late, and it stays refunded
    with pytest.raises(ReturnError) as err:
        await cancel_return(shop.deps, actor, cover.id)
    assert err.value.code is ReturnErrorCode.INVALID_TRANSITION and "refunded" in err.value.message
    assert (await shop.get(cover.id)).status is ReturnStatus.REFUNDED


async def test_someone_elses_return_cannot_be_cancelled_or_even_seen(shop):
    # given Ada's laptop return
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))

    # when a stranger cancels it, then it is as if there were no such return
    with pytest.raises(ReturnError) as err:
        await cancel_return(shop.deps, Actor.guest("mallory@example.com"), ret.id)
    assert (err.value.code, err.value.field) == (ReturnErrorCode.RETURN_NOT_FOUND, "id")
    assert (await shop.get(ret.id)).status is ReturnStatus.LABEL_ISSUED


class CancelledWhileBuying(MemoryCarrier):
    """A carrier whose purchase is slow: the shopper cancels the return while it is being bought."""

    shop = None
    return_id: str | None = None

    async def create_label(self, request):
        if self.return_id is None:
            self.return_id = request.return_id
            await cancel_return(self.shop.deps, self.shop.shopper("ORD-1001"), request.return_id)
        return await super().create_label(request)


async def test_a_label_bought_while_the_return_was_cancelled_is_voided_as_soon_as_it_exists():
    # given a carrier that is still selling the label when Ada cancels
    carrier = CancelledWhileBuying(name="easypost")
    shop = await open_shop(make_shop(carrier=carrier))
    carrier.shop = shop

    # when she asks to return the laptop (and cancels during the purchase)
    await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))

    # then the return is cancelled and the label that came back is voided with the carrier, once
    ret = await shop.get(carrier.return_id)
    [label] = ret.labels
    assert ret.status is ReturnStatus.CANCELLED and ret.active_label is None
    assert shop.carrier.voids == [label.tracking_number] and label.void_status is VoidStatus.DONE
    await run_label_work(shop.deps)
    assert len(shop.carrier.voids) == 1
