"""Carrier tracking webhooks: the first scan moves the return to IN_TRANSIT (and pays an ON_FIRST_SCAN refund,
once), delivery is noted for staff, trouble is shown, repeats and unknown labels change nothing."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from conftest import STAFF, types
from saleor_returns.domain.lifecycle import ReturnStatus
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.domain.tracking import ParcelStatus, TrackingUpdate
from saleor_returns.services.policies import update_policy
from saleor_returns.services.staff_actions import mark_received
from saleor_returns.services.tracking import Applied, apply_tracking
from saleor_returns.services.worker import run_once


async def shipped_laptop(shop):
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))
    assert ret.status is ReturnStatus.LABEL_ISSUED
    return ret


def scan(ret, event_id: str, status: ParcelStatus = ParcelStatus.IN_TRANSIT, **kw) -> TrackingUpdate:
    label = ret.labels[-1]
    return TrackingUpdate(label.carrier, event_id, label.tracking_number, status, **kw)


async def test_the_first_scan_moves_the_return_in_transit_once_however_often_it_is_reported(shop):
    # given the laptop ships back with a label
    ret = await shipped_laptop(shop)
    when = shop.clock.at - timedelta(hours=2)

    # when the carrier reports the first scan, repeats it, then reports another scan
    results = [await apply_tracking(shop.deps, scan(ret, "evt-1", occurred_at=when, detail="picked up")),
               await apply_tracking(shop.deps, scan(ret, "evt-1", occurred_at=when)),
               await apply_tracking(shop.deps, scan(ret, "evt-2", ParcelStatus.OUT_FOR_DELIVERY))]

    # then the first and the new event are recorded, the repeat is a duplicate; the return moved once
    assert results == [Applied.RECORDED, Applied.DUPLICATE, Applied.RECORDED]
    moving = await shop.get(ret.id)
    assert moving.status is ReturnStatus.IN_TRANSIT and types(moving).count("IN_TRANSIT") == 1
    assert moving.labels[0].first_scan_at == when
    event = moving.events[-1]
    assert event.actor.id == "webhook:local" and "picked up" in event.note
    assert shop.gateway.calls == 0  # refunds wait for receipt


async def test_delivery_is_noted_for_staff_who_then_mark_it_received(shop):
    ret = await shipped_laptop(shop)

    # when the carrier's first word is that the parcel was delivered to the warehouse
    assert await apply_tracking(shop.deps, scan(ret, "evt-9", ParcelStatus.DELIVERED)) is Applied.RECORDED

    # then the return is on its way with an ARRIVED note telling staff to check it; it is not received yet
    arrived = await shop.get(ret.id)
    assert arrived.status is ReturnStatus.IN_TRANSIT and types(arrived)[-2:] == ["IN_TRANSIT", "ARRIVED"]
    assert "mark the return received" in arrived.events[-1].note and arrived.labels[0].delivered_at == shop.clock.at
    done = await mark_received(shop.deps, STAFF, ret.id, None)
    assert done.status is ReturnStatus.REFUNDED


@pytest.mark.parametrize("status", [ParcelStatus.FAILURE, ParcelStatus.RETURNED])
async def test_parcel_trouble_is_shown_to_staff_without_moving_the_return(shop, status):
    # given the laptop ships back
    ret = await shipped_laptop(shop)

    # when the carrier reports trouble
    await apply_tracking(shop.deps, scan(ret, "evt-x", status, detail="address not found"))

    # then staff see it in the trail; the return does not move
    after = await shop.get(ret.id)
    assert after.status is ReturnStatus.LABEL_ISSUED and types(after)[-1] == "TRACKING_PROBLEM"
    assert after.events[-1].note.endswith(f"{status.value} (address not found)")


async def test_a_pre_transit_word_changes_nothing(shop):
    # given the laptop ships back
    ret = await shipped_laptop(shop)

    # when the carrier only says the label was printed, then it is kept and nothing moves
    assert await apply_tracking(shop.deps, scan(ret, "evt-0", ParcelStatus.PRE_TRANSIT)) is Applied.RECORDED
    after = await shop.get(ret.id)
    assert after.status is ReturnStatus.LABEL_ISSUED and types(after) == types(ret)


async def test_tracking_for_a_label_we_never_issued_is_acknowledged_and_ignored(shop):
    # given the laptop ships back
    ret = await shipped_laptop(shop)

    # when a carrier reports a parcel we never labelled, or our number at another carrier
    stranger = TrackingUpdate("local", "evt-1", "NOT-OURS", ParcelStatus.IN_TRANSIT)
    assert await apply_tracking(shop.deps, stranger) is Applied.UNKNOWN_LABEL
    other_carrier = TrackingUpdate("shippo", "evt-1", ret.labels[0].tracking_number, ParcelStatus.IN_TRANSIT)
    assert await apply_tracking(shop.deps, other_carrier) is Applied.UNKNOWN_LABEL

    # then nothing is kept and nothing moves
    assert shop.db.tables.tracking == set() and (await shop.get(ret.id)).status is ReturnStatus.LABEL_ISSUED


async def on_first_scan(shop):
    await update_policy(shop.deps, STAFF, "default-channel", {"refund_timing": "ON_FIRST_SCAN"})
    ret = await shop.ask("ORD-1006", ("L-1006-2", 1, "DOES_NOT_FIT"))
    assert ret.status is ReturnStatus.LABEL_ISSUED and ret.refunds == []
    return ret


async def test_refund_on_first_scan_pays_once_however_often_the_scan_is_reported(shop):
    # given the default channel refunds at the first scan, and Fay's jacket ships back
    ret = await on_first_scan(shop)

    # when the carrier reports the first scan three times, under two event ids
    for event_id in ("evt-a", "evt-a", "evt-b"):
        await apply_tracking(shop.deps, scan(ret, event_id))

    # then the money went back once, and the return waits in transit for the parcel
    after = await shop.get(ret.id)
    assert after.status is ReturnStatus.IN_TRANSIT
    assert [(r.status, r.amount.amount) for r in after.refunds] == [(RefundStatus.SUCCEEDED, Decimal("171.67"))]
    assert shop.gateway.calls == 1
    # and receiving it finishes the return without paying again
    done = await mark_received(shop.deps, STAFF, ret.id, None)
    assert done.status is ReturnStatus.REFUNDED and shop.gateway.calls == 1


async def test_a_first_scan_while_the_store_is_down_is_refunded_by_the_worker(shop):
    # given refunds at the first scan, and the store cannot be reached when the scan comes in
    ret = await on_first_scan(shop)
    shop.orders.down = True

    # when the scan arrives, then the return moves but nobody is paid yet: the refund stays due
    assert await apply_tracking(shop.deps, scan(ret, "evt-a")) is Applied.RECORDED
    waiting = await shop.get(ret.id)
    assert waiting.status is ReturnStatus.IN_TRANSIT and waiting.refund_due_at is not None
    assert waiting.refunds == [] and shop.gateway.calls == 0

    # when the store is back and the worker passes, then the refund is paid, once
    shop.orders.down = False
    report = await run_once(shop.deps)
    assert report.work["refunds planned"] == 1
    paid = await shop.get(ret.id)
    assert [r.status for r in paid.refunds] == [RefundStatus.SUCCEEDED] and paid.refund_due_at is None
    await run_once(shop.deps)
    assert shop.gateway.calls == 1


async def test_a_first_scan_whose_order_is_gone_pays_nothing_and_the_refund_stays_owed(shop):
    # given refunds at the first scan, and the jacket's order is gone from the store
    ret = await on_first_scan(shop)
    del shop.orders.orders["ORD-1006"]

    # when the first scan comes in
    assert await apply_tracking(shop.deps, scan(ret, "evt-a")) is Applied.RECORDED

    # then the return moves, nobody is paid, and the refund stays owed for staff
    after = await shop.get(ret.id)
    assert after.status is ReturnStatus.IN_TRANSIT and after.refund_due_at is not None
    assert after.refunds == [] and shop.gateway.calls == 0
