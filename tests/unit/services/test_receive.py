"""markReturnReceived: the parcel is at the warehouse; the refund follows, the store's books hear of it; a
store that cannot be reached leaves the refund due (REFUND_WAITING) and the worker pays it later."""
from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import STAFF, types
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.lifecycle import ReturnStatus
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.services.policies import update_policy
from saleor_returns.services.staff_actions import mark_received
from saleor_returns.services.worker import run_once


async def laptop(shop):
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    assert ret.status is ReturnStatus.LABEL_ISSUED
    return ret


async def test_a_received_laptop_is_refunded_once_and_the_store_hears_of_it(shop):
    # given the laptop ships back with a label (refund on receipt)
    ret = await laptop(shop)

    # when staff mark the parcel received
    done = await mark_received(shop.deps, STAFF, ret.id, "box intact")

    # then it is refunded once, to the original payment, and the trail says who and why
    assert done.status is ReturnStatus.REFUNDED
    assert [(c.amount.amount, c.psp_reference) for c in shop.gateway.refunds] == [(Decimal("1299.00"),
                                                                                    "pi_demo_1001")]
    assert types(done)[3:] == ["RECEIVED", "REFUND_REQUESTED", "REFUND_SUCCEEDED", "REFUNDED", "RECORDED_IN_STORE"]
    received = done.events[3]
    assert (received.actor, received.note) == (STAFF, "box intact")
    # and the store's books hold the return as received, with its tracking number
    [record] = shop.recorder.records
    assert (record.status, record.received, record.tracking_number) == (
        "REFUNDED", True, done.labels[0].tracking_number)
    assert done.record_due_at is None and done.refund_due_at is None


async def test_a_parcel_arriving_without_a_label_can_be_received_from_approved(shop):
    # given the carrier could not sell a label: the return is APPROVED without one
    from saleor_returns.ports import LabelError

    shop.carrier.fail_with = LabelError("address unknown", code="ADDRESS_INVALID")
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    assert ret.status is ReturnStatus.APPROVED

    # when the shopper sends it with her own label and staff receive it, then it is refunded
    done = await mark_received(shop.deps, STAFF, ret.id, None)
    assert done.status is ReturnStatus.REFUNDED and len(shop.gateway.refunds) == 1


async def test_the_store_down_at_receipt_keeps_the_receipt_and_the_worker_pays_later(shop):
    # given the laptop ships back and the store cannot be reached when it arrives
    ret = await laptop(shop)
    shop.orders.down = True

    # when staff mark it received
    waiting = await mark_received(shop.deps, STAFF, ret.id, None)

    # then the receipt stands, the refund is due and waits, and nobody was paid
    assert waiting.status is ReturnStatus.RECEIVED and types(waiting)[-1] == "REFUND_WAITING"
    assert waiting.refund_due_at == shop.clock.at and waiting.refunds == [] and shop.gateway.calls == 0

    # when the worker passes while the store is still down, then it looks again after a lease, not every pass
    report = await run_once(shop.deps)
    postponed = await shop.get(ret.id)
    assert postponed.refund_due_at == shop.clock.at + shop.deps.settings.refund_lease
    assert shop.gateway.calls == 0 and "refunds planned" not in report.work
    assert (await run_once(shop.deps)).busy == 0  # not due yet

    # when the store is back and the lease has passed, then the worker pays it, once
    shop.orders.down = False
    shop.clock.advance(minutes=5)
    report = await run_once(shop.deps)
    done = await shop.get(ret.id)
    assert report.work["refunds planned"] == 1
    assert done.status is ReturnStatus.REFUNDED and [r.status for r in done.refunds] == [RefundStatus.SUCCEEDED]
    assert [c.amount.amount for c in shop.gateway.refunds] == [Decimal("1299.00")]
    assert (await run_once(shop.deps)).busy == 0 and len(shop.gateway.refunds) == 1


async def test_a_return_refunded_on_approval_is_done_when_received_without_paying_again(shop):
    # given refunds go out on approval: the laptop was paid with its label
    await update_policy(shop.deps, STAFF, "default-channel", {"refund_timing": "ON_APPROVAL"})
    ret = await laptop(shop)
    assert [r.status for r in ret.refunds] == [RefundStatus.SUCCEEDED]

    # when the parcel arrives
    done = await mark_received(shop.deps, STAFF, ret.id, None)

    # then it is REFUNDED at once, paid only the first time, and the store's books heard of the money when it
    # went out (at approval) and of the parcel now
    assert done.status is ReturnStatus.REFUNDED and shop.gateway.calls == 1
    assert types(done)[-3:] == ["RECEIVED", "REFUNDED", "RECORDED_IN_STORE"]
    assert [(r.status, r.received, r.units_back) for r in shop.recorder.records] == [
        ("APPROVED", False, False), ("REFUNDED", True, True)]


async def test_a_declined_refund_at_receipt_leaves_the_return_for_staff(shop):
    # given the card issuer declines refunds to the laptop's payment
    ret = await laptop(shop)
    shop.gateway.decline.add("pi_demo_1001")

    # when the parcel is received
    failed = await mark_received(shop.deps, STAFF, ret.id, None)

    # then the return is REFUND_FAILED with the provider's reason, and the store's books know it arrived
    assert failed.status is ReturnStatus.REFUND_FAILED
    assert "declined" in next(e.note for e in failed.events if e.type.value == "REFUND_FAILED")
    assert [r.status for r in shop.recorder.records] == ["REFUND_FAILED"]


@pytest.mark.parametrize("order_id, line_id, status", [
    pytest.param("ORD-1002", "L-1002-1", ReturnStatus.REFUNDED, id="kept-item-has-no-parcel"),
    pytest.param("ORD-1004", "L-1004-1", ReturnStatus.PENDING_REVIEW, id="still-in-review"),
])
async def test_only_a_parcel_on_its_way_can_be_received(shop, order_id, line_id, status):
    # given a kept item, or a return still in review
    ret = await shop.ask(order_id, (line_id, 1, "DAMAGED"))
    assert ret.status is status

    # when staff mark it received, then that is not a move it can make
    with pytest.raises(ReturnError) as err:
        await mark_received(shop.deps, STAFF, ret.id, None)
    assert err.value.code is ReturnErrorCode.INVALID_TRANSITION
    assert (await shop.get(ret.id)).status is status


async def test_a_shopper_cannot_mark_her_own_parcel_received(shop):
    # given Ada's laptop is on its way
    ret = await laptop(shop)

    # when she marks it received herself, then she may not
    with pytest.raises(ReturnError) as err:
        await mark_received(shop.deps, shop.shopper("ORD-1001"), ret.id, None)
    assert err.value.code is ReturnErrorCode.FORBIDDEN


async def test_a_parcel_received_while_its_refund_waits_for_the_provider_is_not_paid_twice():
    from conftest import ProviderGateway, make_shop, open_shop

    # given refunds go out on approval, and the provider holds the laptop's refund until an action is taken
    shop = await open_shop(make_shop(gateway=ProviderGateway(answer=RefundStatus.REQUIRES_ACTION)))
    await update_policy(shop.deps, STAFF, "default-channel", {"refund_timing": "ON_APPROVAL"})
    ret = await laptop(shop)
    assert [r.status for r in ret.refunds] == [RefundStatus.REQUIRES_ACTION]

    # when the parcel arrives
    received = await mark_received(shop.deps, STAFF, ret.id, None)

    # then nothing more is asked of the provider (the money is on its way), and the store hears of the receipt
    assert received.status is ReturnStatus.RECEIVED and len(shop.gateway.commands) == 1
    assert len(received.refunds) == 1 and received.refund_due_at is None
    assert [r.status for r in shop.recorder.records] == ["RECEIVED"]
