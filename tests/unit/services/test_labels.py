"""Prepaid labels: bought once (intent → call → outcome), a refusal explained, a passing failure retried by
the worker with backoff, a purchase left in flight by a crash taken over after its lease (reusing the
carrier's shipment), unused labels expiring and voided with their carrier, new labels on request."""
from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from conftest import STAFF, make_shop, open_shop, types
from saleor_returns.adapters.carriers.router import CarrierRouter
from saleor_returns.adapters.memory.providers import MemoryCarrier
from saleor_returns.domain.actors import Actor
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.labels import MAX_PURCHASE_ATTEMPTS, LabelErrorCode, LabelStatus, VoidStatus
from saleor_returns.domain.lifecycle import ReturnStatus
from saleor_returns.domain.tracking import ParcelStatus, TrackingUpdate
from saleor_returns.ports import LabelError, ReturnRef, WorkItem
from saleor_returns.services.label_expiry import LabelWork, expire_label, run_label_work
from saleor_returns.services.labels import reissue_label
from saleor_returns.services.tracking import apply_tracking
from saleor_returns.services.worker import run_once


class RecordingCarrier(MemoryCarrier):
    """A carrier that charges for labels and keeps every purchase request; `crash` makes the next purchase
    blow up after the shipment was prepared (a process killed mid-call)."""

    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.requests: list = []
        self.prepared = 0  # shipments created
        self.crash = False

    async def prepare_label(self, request):
        self.prepared += 1
        return await super().prepare_label(request)

    async def create_label(self, request):
        self.requests.append(request)
        if self.crash:
            self.crash = False
            raise RuntimeError("killed")
        return await super().create_label(request)


@pytest.fixture
async def easypost():
    carrier = RecordingCarrier(name="easypost")
    return await open_shop(make_shop(carrier=carrier))


async def laptop(shop):
    return await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))


async def test_a_label_is_bought_once_with_the_return_and_its_deadline(easypost):
    shop = easypost
    ret = await laptop(shop)

    # then one label was bought under the return's key, from the shopper to the channel's warehouse
    [request] = shop.carrier.requests
    assert request.idempotency_key == f"saleor-returns-label-{ret.id}"
    assert (request.ship_from.name, request.ship_to.company) == ("Ada Lovelace", "Saleor Demo Store")
    assert request.deadline == ret.grace_deadline and request.return_number == ret.number
    assert [(ln.product_name, ln.quantity) for ln in request.lines] == [("Laptop 14", 1)]
    [label] = ret.labels
    assert (label.status, label.carrier, label.carrier_reference) == (
        LabelStatus.ISSUED, "easypost", request.carrier_reference)
    assert label.label_format == "4x6" and ret.active_label is label


async def test_a_refused_address_is_explained_and_not_retried_until_someone_asks(easypost):
    shop = easypost
    # given the carrier cannot use Ada's address
    shop.carrier.fail_with = LabelError("address not found", code=LabelErrorCode.ADDRESS_INVALID)

    # when she returns the laptop
    ret = await laptop(shop)

    # then the return is approved without a label, and the failure is explained to her and to staff
    assert ret.status is ReturnStatus.APPROVED and ret.active_label is None
    failure = ret.label_failure
    assert (failure.error_code, failure.next_attempt_at) == (LabelErrorCode.ADDRESS_INVALID, None)
    assert "could not use the address" in failure.failure_message() and "ask for a new label" in \
        failure.failure_message()
    assert types(ret)[-1] == "LABEL_FAILED"

    # when the worker passes a day later, then it leaves the carrier alone
    shop.clock.advance(days=1)
    assert (await run_label_work(shop.deps)).retried == 0 and shop.carrier.purchases == 1

    # when the address is fixed and staff ask again, then a label is bought from a fresh shipment
    shop.carrier.fail_with = None
    await reissue_label(shop.deps, STAFF, ret.id)
    fixed = await shop.get(ret.id)
    assert fixed.status is ReturnStatus.LABEL_ISSUED and fixed.label_failure is None
    assert "trying the carrier again" in next(e.note for e in fixed.events if e.type.value == "LABEL_REQUESTED")
    assert len(fixed.labels) == 1 and shop.carrier.purchases == 2


async def test_a_carrier_outage_is_retried_by_the_worker_with_backoff(easypost):
    shop = easypost
    # given the carrier is down when Ada returns the laptop
    shop.carrier.fail_with = LabelError("503", retryable=True, code=LabelErrorCode.CARRIER_UNAVAILABLE)
    ret = await laptop(shop)
    failure = ret.label_failure
    assert failure.next_attempt_at == shop.clock.at + timedelta(minutes=1)
    assert "try again automatically" in failure.failure_message()

    # when the worker passes before the backoff, then it waits
    assert (await run_label_work(shop.deps)).retried == 0

    # when the carrier is back and the backoff passed, then the worker buys the label, once
    shop.carrier.fail_with = None
    shop.clock.advance(minutes=1)
    report = await run_once(shop.deps)
    assert (report.work["labels retried"], report.work["labels issued"]) == (1, 1)
    done = await shop.get(ret.id)
    assert done.status is ReturnStatus.LABEL_ISSUED and len(done.labels) == 1
    assert shop.carrier.purchases == 2 and len(shop.carrier.bought) == 1
    assert (await run_label_work(shop.deps)).retried == 0


async def test_a_carrier_that_stays_down_is_given_up_after_the_last_attempt(easypost):
    shop = easypost

    # given the carrier times out on every purchase
    shop.carrier.fail_with = LabelError("timeout", retryable=True, code=LabelErrorCode.CARRIER_TIMEOUT)
    ret = await laptop(shop)

    # when the worker keeps passing, each time after the longest backoff
    for _ in range(MAX_PURCHASE_ATTEMPTS + 2):
        shop.clock.advance(hours=7)  # longer than the longest backoff
        await run_label_work(shop.deps)

    # then it stops after the last attempt, saying so
    failed = (await shop.get(ret.id)).label_failure
    assert failed.attempts == MAX_PURCHASE_ATTEMPTS and failed.next_attempt_at is None
    assert shop.carrier.purchases == MAX_PURCHASE_ATTEMPTS


async def test_a_purchase_left_in_flight_by_a_crash_is_taken_over_after_its_lease_on_the_same_shipment(easypost):
    shop = easypost
    # given the process died while the carrier was selling the label (the shipment was prepared)
    shop.carrier.crash = True
    with pytest.raises(RuntimeError):
        await laptop(shop)
    [ret] = shop.db.returns.values()
    [label] = ret.labels
    assert label.status is LabelStatus.PURCHASING and label.carrier_reference is not None

    # when the worker passes within the lease, then it leaves the attempt alone
    assert (await run_label_work(shop.deps)).retried == 0

    # when the lease has passed, then it buys on the shipment prepared before, under the same key
    shop.clock.advance(minutes=2)
    work = await run_label_work(shop.deps)
    assert (work.retried, work.issued) == (1, 1)
    first, second = shop.carrier.requests
    assert (second.carrier_reference, second.idempotency_key) == (label.carrier_reference, first.idempotency_key)
    assert shop.carrier.prepared == 1  # no second shipment
    assert (await shop.get(ret.id)).status is ReturnStatus.LABEL_ISSUED


async def test_a_store_down_during_a_retried_purchase_is_a_passing_failure(easypost):
    shop = easypost

    # given the label's purchase waits for a retry, and then the store cannot be reached
    shop.carrier.fail_with = LabelError("503", retryable=True, code=LabelErrorCode.CARRIER_UNAVAILABLE)
    ret = await laptop(shop)
    shop.carrier.fail_with, shop.orders.down = None, True

    # when the worker retries (the purchase needs the order)
    shop.clock.advance(minutes=1)
    await run_label_work(shop.deps)

    # then it failed for a passing reason and will be tried again; the carrier was not called
    failure = (await shop.get(ret.id)).label_failure
    assert (failure.error_code, failure.error_message) == (
        LabelErrorCode.CARRIER_UNAVAILABLE, "the store could not be reached")
    assert failure.next_attempt_at is not None and shop.carrier.purchases == 1


async def test_a_carrier_no_longer_configured_fails_the_purchase_and_waits_to_void():
    # given the laptop's label came from a carrier that the deployment then stopped using
    carrier = RecordingCarrier(name="easypost")
    shop = await open_shop(make_shop(carrier=carrier))
    carrier.fail_with = LabelError("503", retryable=True, code=LabelErrorCode.CARRIER_UNAVAILABLE)
    ret = await laptop(shop)
    shop.deps.carriers = CarrierRouter({"shippo": MemoryCarrier(name="shippo")}, "shippo")

    # when the worker retries the purchase, then it fails for good, saying so
    shop.clock.advance(minutes=1)
    await run_label_work(shop.deps)
    failure = (await shop.get(ret.id)).label_failure
    assert failure.error_code is LabelErrorCode.CARRIER_NOT_CONFIGURED and failure.next_attempt_at is None
    assert carrier.purchases == 1


async def test_a_void_through_a_carrier_no_longer_configured_waits_for_it():
    # given the laptop's label came from a carrier the deployment then stopped using
    carrier = RecordingCarrier(name="easypost")
    shop = await open_shop(make_shop(carrier=carrier))
    ret = await laptop(shop)
    shop.deps.carriers = CarrierRouter({"shippo": MemoryCarrier(name="shippo")}, "shippo")
    from saleor_returns.services.cancel_return import cancel_return

    # when the return is cancelled
    await cancel_return(shop.deps, STAFF, ret.id)

    # then the void waits (it may be configured again) and nobody else is asked
    label = (await shop.get(ret.id)).labels[0]
    assert label.void_status is VoidStatus.PENDING and label.next_attempt_at is not None
    assert carrier.voids == []


# --- expiry and new labels ----------------------------------------------------------------------

async def test_an_unused_label_expires_is_voided_with_its_carrier_and_the_shopper_gets_a_new_one(easypost):
    shop = easypost
    # given a label bought today, valid until 30 days after the ship-by date
    ret = await laptop(shop)
    first = ret.labels[0]

    # when it is past its expiry and the worker runs (twice)
    shop.clock.at = first.expires_at + timedelta(minutes=1)
    work = await run_label_work(shop.deps)
    again = await run_label_work(shop.deps)

    # then it is voided here and with the carrier, once; the return still waits for its parcel
    assert (work.expired, work.voided, again.expired, again.voided) == (1, 1, 0, 0)
    assert str(work) == "1 expired, 0 purchases retried (0 issued), 1 voided with the carrier"
    expired = await shop.get(ret.id)
    assert expired.status is ReturnStatus.LABEL_ISSUED and expired.active_label is None
    assert types(expired)[-2:] == ["LABEL_EXPIRED", "LABEL_VOIDED"] and shop.carrier.voids == [first.tracking_number]

    # when Ada asks for a new one, then a second label is bought under the return's second key
    await reissue_label(shop.deps, shop.shopper("ORD-1001"), ret.id)
    new = await shop.get(ret.id)
    assert new.active_label is not None and new.active_label.id != first.id
    assert shop.carrier.requests[-1].idempotency_key == f"saleor-returns-label-{ret.id}-2"
    # the new ship-by date is the label's own validity from today (the deadlines are past)
    assert shop.carrier.requests[-1].deadline == shop.clock.at + timedelta(days=30)


async def test_the_label_work_log_counts_the_voids_of_the_labels_it_expired(easypost, caplog):
    shop = easypost
    # given a carrier label past its expiry
    first = (await laptop(shop)).labels[0]
    shop.clock.at = first.expires_at + timedelta(minutes=1)

    # when the worker expires it (and voids it with the carrier)
    with caplog.at_level(logging.INFO, logger="saleor_returns.services.label_expiry"):
        work = await run_label_work(shop.deps)

    # then the operator's log line says what the pass did: one expired, one voided
    [line] = [r for r in caplog.records if r.getMessage() == "label work"]
    assert (line.expired, line.voided) == (work.expired, work.voided) == (1, 1)


async def test_an_expired_drawn_label_needs_no_void(shop):
    # given a locally drawn label
    ret = await laptop(shop)

    # when it expires and the worker passes
    shop.clock.at = ret.labels[0].expires_at
    work = await run_label_work(shop.deps)
    after = await shop.get(ret.id)

    # then it is void here, and no carrier is asked: nothing was paid
    assert (work.expired, work.voided) == (1, 0) and shop.carrier.voids == []
    assert after.labels[0].void_status is VoidStatus.NOT_NEEDED


async def test_a_scanned_label_never_expires(shop):
    # given the laptop's parcel was scanned
    ret = await laptop(shop)
    label = ret.labels[0]
    await apply_tracking(shop.deps, TrackingUpdate(label.carrier, "e1", label.tracking_number,
                                                   ParcelStatus.IN_TRANSIT))

    # when the label's expiry passes, then the worker leaves it
    shop.clock.at = label.expires_at + timedelta(days=1)
    assert (await run_label_work(shop.deps)).expired == 0
    # and a worker that listed it just before the scan arrived does not count it as expired
    item = WorkItem(ReturnRef(ret.tenant, ret.id, ret.order_id), label.id)
    assert await expire_label(shop.deps, item) is False
    assert (await shop.get(ret.id)).active_label is not None


async def test_a_valid_label_is_printed_again_not_bought_again(shop):
    # given the laptop has a valid label
    ret = await laptop(shop)

    # when Ada asks for a new one, then she is told to print this one; nothing is bought
    with pytest.raises(ReturnError) as err:
        await reissue_label(shop.deps, shop.shopper("ORD-1001"), ret.id)
    assert err.value.code is ReturnErrorCode.INVALID_TRANSITION and "print it again" in err.value.message
    assert shop.carrier.purchases == 1


@pytest.mark.parametrize(("order_id", "line_id"), [
    pytest.param("ORD-1002", "L-1002-1", id="kept-item"),
    pytest.param("ORD-1004", "L-1004-1", id="in-review"),
])
async def test_returns_without_a_parcel_to_send_get_no_label(shop, order_id, line_id):
    # given a kept item, or a return still in review
    ret = await shop.ask(order_id, (line_id, 1, "DAMAGED"))

    # when staff ask for a label, then there is none to give
    with pytest.raises(ReturnError) as err:
        await reissue_label(shop.deps, STAFF, ret.id)
    assert err.value.code is ReturnErrorCode.INVALID_TRANSITION and shop.carrier.purchases == 0


async def test_strangers_cannot_ask_for_a_label_and_a_vanished_order_is_said_so(shop):
    # given Ada's laptop return
    ret = await laptop(shop)

    # when a stranger asks for a label, then there is no such return for her
    with pytest.raises(ReturnError) as err:
        await reissue_label(shop.deps, Actor.guest("eve@example.com"), ret.id)
    assert err.value.code is ReturnErrorCode.RETURN_NOT_FOUND

    # when the order is gone from the store, then staff are told so
    del shop.orders.orders["ORD-1001"]
    with pytest.raises(ReturnError) as err:
        await reissue_label(shop.deps, STAFF, ret.id)
    assert err.value.code is ReturnErrorCode.ORDER_NOT_FOUND


async def test_label_work_reports_nothing_when_nothing_is_due(shop):
    # when nothing is due, then a pass does nothing
    assert await run_label_work(shop.deps) == LabelWork()


async def test_two_workers_racing_for_one_purchase_buy_one_label(easypost):
    shop = easypost
    from saleor_returns.services.labels import retry_purchase

    # given a failed purchase that is due for a retry
    shop.carrier.fail_with = LabelError("503", retryable=True, code=LabelErrorCode.CARRIER_UNAVAILABLE)
    ret = await laptop(shop)
    shop.carrier.fail_with = None
    shop.clock.advance(minutes=1)
    item = WorkItem(ReturnRef(ret.tenant, ret.id, ret.order_id), ret.labels[0].id)

    # when two workers that both listed the purchase take it one after the other
    first, second = await retry_purchase(shop.deps, item), await retry_purchase(shop.deps, item)

    # then the first buys it and the second finds nothing to do
    assert (first, second) == (True, False) and shop.carrier.purchases == 2 and len(shop.carrier.bought) == 1


async def test_a_label_already_bought_or_already_voided_is_left_alone(easypost):
    shop = easypost
    from saleor_returns.services.label_voiding import void_label
    from saleor_returns.services.labels import buy_requested_label

    # given the laptop's label was bought
    ret = await laptop(shop)
    ref = ReturnRef(ret.tenant, ret.id, ret.order_id)

    # when a late caller buys it, voids it, or buys for a return that does not exist
    await buy_requested_label(shop.deps, ref, ret.labels[0].id)
    assert await void_label(shop.deps, WorkItem(ref, ret.labels[0].id)) is False  # no void was asked for
    await buy_requested_label(shop.deps, ReturnRef(ret.tenant, "no-such-return", ret.order_id), "x")

    # then the carrier was not asked again
    assert shop.carrier.purchases == 1 and shop.carrier.voids == []


async def test_a_retried_purchase_whose_order_is_gone_fails_for_good(easypost):
    shop = easypost

    # given a purchase waiting for a retry, and its order is deleted from the store
    shop.carrier.fail_with = LabelError("503", retryable=True, code=LabelErrorCode.CARRIER_UNAVAILABLE)
    ret = await laptop(shop)
    shop.carrier.fail_with = None
    del shop.orders.orders["ORD-1001"]

    # when the worker retries it
    shop.clock.advance(minutes=1)
    await run_label_work(shop.deps)

    # then it fails for good, saying why, without calling the carrier
    failure = (await shop.get(ret.id)).label_failure
    assert failure.error_message == "the order of this return no longer exists" and failure.next_attempt_at is None
    assert shop.carrier.purchases == 1


async def test_the_expire_command_expires_every_stores_due_labels(easypost):
    shop = easypost
    from saleor_returns.services.label_expiry import expire_due

    # given a bought label past its expiry
    ret = await laptop(shop)
    shop.clock.at = ret.labels[0].expires_at

    # when `labels expire` runs twice, then it expires (and voids) it once
    assert await expire_due(shop.deps) == 1 and await expire_due(shop.deps) == 0
    assert shop.carrier.voids == [ret.labels[0].tracking_number]
