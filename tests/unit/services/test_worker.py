"""The worker drives every store's durable work from rows, whichever store it was started for: refunds left
pending, refunds due but never planned, label purchases, expiry and voids, write-backs, refunds on first
scan. A second store (a Saleor instance, by its API URL) proves each is done through the row's own store:
the standalone store is down throughout, so any read of the wrong store would fail the work."""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from conftest import NOW, STAFF, Shop, make_shop, open_shop, types
from saleor_returns.adapters.demo.orders_file import load_demo_store
from saleor_returns.adapters.memory.providers import MemoryCarrier, MemoryOrders
from saleor_returns.bootstrap import StoreDirectory
from saleor_returns.domain.actors import Actor
from saleor_returns.domain.decision import RequestedLine
from saleor_returns.domain.labels import LabelErrorCode, VoidStatus
from saleor_returns.domain.lifecycle import ReturnStatus
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.domain.tracking import ParcelStatus, TrackingUpdate
from saleor_returns.ports import LabelError, ProviderEvent, ProviderRefund, UpstreamUnavailable
from saleor_returns.services.context import Deps
from saleor_returns.services.policies import seed_policies
from saleor_returns.services.refund_events import apply_provider_event
from saleor_returns.services.request_return import ReturnInput, request_return
from saleor_returns.services.staff_actions import mark_received
from saleor_returns.services.tracking import Applied, apply_tracking
from saleor_returns.services.worker import PassReport, run_once, run_worker
from support.constants import EXAMPLES

SALEOR = "https://shop-two.example.com/graphql/"


@dataclass
class Installed:
    """ports.Stores' view of installed Saleor instances: their order sources by API URL."""

    sources: dict

    async def orders_for(self, tenant: str):
        return self.sources.get(tenant)


@dataclass
class SecondStore:
    deps: Deps  # the wiring acting for the Saleor store (what its web requests get)
    orders: MemoryOrders

    def shopper(self, order_id: str) -> Actor:
        return Actor.guest(self.orders.orders[order_id].user_email)

    async def ask(self, order_id: str, line_id: str, reason: str = "DAMAGED"):
        return await request_return(self.deps, self.shopper(order_id),
                                    ReturnInput(order_id, (RequestedLine(line_id, 1, reason),)))


async def install_second_store(shop: Shop) -> SecondStore:
    """A Saleor instance served by the same deployment, with its own orders (the demo's, under its URL)."""
    store = load_demo_store(EXAMPLES / "demo-orders.json", NOW)
    orders = MemoryOrders(dict(store.orders), dict(store.channels), dict(store.return_addresses))
    shop.deps.stores = StoreDirectory(shop.deps.settings.tenant, shop.orders, Installed({SALEOR: orders}))
    deps = shop.deps.for_tenant(SALEOR, orders)
    await seed_policies(deps, json.loads((EXAMPLES / "policy.json").read_text()))
    return SecondStore(deps, orders)


@pytest.fixture
async def stores():
    """The standalone demo store (which has no books of its own) and a Saleor store (which has), on one
    deployment with a carrier that charges for labels."""
    shop = await open_shop(make_shop(recorder_tenants=frozenset({SALEOR}), carrier=MemoryCarrier(name="easypost")))
    return shop, await install_second_store(shop)


def reads(second: SecondStore) -> int:
    return second.orders.reads


async def test_a_refund_owed_by_a_saleor_store_while_it_was_down_is_paid_through_that_store(stores):
    shop, saleor = stores
    # given the Saleor store's laptop was received while that store could not be reached
    ret = await saleor.ask("ORD-1001", "L-1001-1")
    saleor.orders.down = True
    waiting = await mark_received(saleor.deps, STAFF, ret.id, None)
    assert (waiting.tenant, waiting.status, types(waiting)[-1]) == (SALEOR, ReturnStatus.RECEIVED, "REFUND_WAITING")

    # when that store is back, the standalone one is down, and the worker (started for standalone) passes
    saleor.orders.down, shop.orders.down = False, True
    before = reads(saleor)
    report = await run_once(shop.deps)

    # then the refund was planned from the Saleor store's order and paid, once; the store's books were told
    assert report.work["refunds planned"] == 1 and reads(saleor) > before
    paid = await get(saleor, ret.id)
    assert paid.status is ReturnStatus.REFUNDED and [c.tenant for c in shop.gateway.refunds] == [SALEOR]
    assert [(r.tenant, r.status) for r in shop.recorder.records] == [(SALEOR, "REFUNDED")]


async def get(second: SecondStore, return_id: str):
    async with second.deps.uow(readonly=True) as uow:
        return await uow.returns.get(SALEOR, return_id)


async def test_a_saleor_stores_delayed_refund_is_finished_by_the_worker_with_its_own_key(stores):
    shop, saleor = stores

    # given the provider was down when the Saleor store's cover was kept
    shop.gateway.unavailable = True
    ret = await saleor.ask("ORD-1002", "L-1002-1", "DOES_NOT_FIT")
    assert [r.status for r in ret.refunds] == [RefundStatus.PENDING]

    # when it is back (the standalone store is down) and the worker passes
    shop.gateway.unavailable, shop.orders.down = False, True
    shop.clock.advance(minutes=1)
    report = await run_once(shop.deps)

    # then the refund is paid and that store's books are told
    assert dict(report.outcomes) == {"SUCCEEDED": 1}
    done = await get(saleor, ret.id)
    assert done.status is ReturnStatus.REFUNDED and done.record_due_at is None
    assert [(r.tenant, r.status) for r in shop.recorder.records][-1] == (SALEOR, "REFUNDED")


async def test_a_saleor_stores_label_purchase_is_retried_with_that_stores_order(stores):
    shop, saleor = stores
    # given the carrier was down when the Saleor store's laptop was returned
    shop.carrier.fail_with = LabelError("503", retryable=True, code=LabelErrorCode.CARRIER_UNAVAILABLE)
    ret = await saleor.ask("ORD-1001", "L-1001-1")
    assert ret.status is ReturnStatus.APPROVED

    # when the carrier is back (the standalone store is down) and the worker passes
    shop.carrier.fail_with, shop.orders.down = None, True
    shop.clock.advance(minutes=1)
    report = await run_once(shop.deps)

    # then the label is bought for that store's shopper
    assert (report.work["labels retried"], report.work["labels issued"]) == (1, 1)
    assert (await get(saleor, ret.id)).status is ReturnStatus.LABEL_ISSUED


async def test_a_saleor_stores_unused_label_expires_and_is_voided_with_its_carrier(stores):
    shop, saleor = stores

    # given the Saleor store's laptop has a bought label
    ret = await saleor.ask("ORD-1001", "L-1001-1")
    label = ret.labels[0]

    # when it is past expiry and the worker passes (the standalone store is down)
    shop.orders.down = True
    shop.clock.at = label.expires_at + timedelta(hours=1)
    report = await run_once(shop.deps)

    # then it is voided here and with its carrier
    assert (report.work["labels expired"], report.work["labels voided"]) == (1, 1)
    after = await get(saleor, ret.id)
    assert after.active_label is None and after.labels[0].void_status is VoidStatus.DONE
    assert shop.carrier.voids == [label.tracking_number]


async def test_a_saleor_stores_failed_void_is_retried(stores):
    shop, saleor = stores
    from saleor_returns.ports import VoidOutcome
    from saleor_returns.services.cancel_return import cancel_return

    # given the carrier did not answer the void when the Saleor store's return was cancelled
    ret = await saleor.ask("ORD-1001", "L-1001-1")
    shop.carrier.void_with = VoidOutcome(voided=False, retryable=True, detail="503")
    await cancel_return(saleor.deps, saleor.shopper("ORD-1001"), ret.id)
    shop.carrier.void_with = VoidOutcome(voided=True)

    # when the worker passes after the backoff
    shop.clock.advance(minutes=5)
    report = await run_once(shop.deps)

    # then the void goes through
    assert report.work["labels voided"] == 1 and (await get(saleor, ret.id)).labels[0].void_status is VoidStatus.DONE


async def test_a_saleor_stores_failed_write_back_is_retried(stores):
    shop, saleor = stores

    # given the Saleor store could not take the write-back of its kept cover
    shop.recorder.fail_with = UpstreamUnavailable("saleor is down")
    ret = await saleor.ask("ORD-1002", "L-1002-1", "DOES_NOT_FIT")
    assert types(await get(saleor, ret.id))[-1] == "STORE_RECORD_FAILED"

    # when it can again and the worker passes after the backoff
    shop.recorder.fail_with = None
    shop.clock.advance(minutes=1)
    report = await run_once(shop.deps)

    # then that store's books hear of it
    assert report.work["store records"] == 1
    assert shop.recorder.written[ret.id].tenant == SALEOR and (await get(saleor, ret.id)).record_due_at is None


async def test_a_first_scan_for_a_saleor_store_is_refunded_through_that_store(stores):
    shop, saleor = stores
    # given that store refunds at the first scan
    from saleor_returns.services.policies import update_policy

    await update_policy(saleor.deps, STAFF, "default-channel", {"refund_timing": "ON_FIRST_SCAN"})
    ret = await saleor.ask("ORD-1001", "L-1001-1")
    label = ret.labels[0]

    # when the carrier's webhook arrives on the standalone wiring (its URL is the deployment's), standalone down
    shop.orders.down = True
    result = await apply_tracking(shop.deps, TrackingUpdate(label.carrier, "evt-1", label.tracking_number,
                                                            ParcelStatus.IN_TRANSIT))

    # then the return moves and is refunded at once, from the Saleor store's order
    assert result is Applied.RECORDED
    after = await get(saleor, ret.id)
    assert after.status is ReturnStatus.IN_TRANSIT
    assert [(r.status, r.amount.amount) for r in after.refunds] == [(RefundStatus.SUCCEEDED, Decimal("1299.00"))]


async def test_a_first_scan_refund_a_saleor_store_could_not_take_is_paid_by_the_worker(stores):
    shop, saleor = stores
    from saleor_returns.services.policies import update_policy

    # given the Saleor store refunds at the first scan, and was down when the scan came in
    await update_policy(saleor.deps, STAFF, "default-channel", {"refund_timing": "ON_FIRST_SCAN"})
    ret = await saleor.ask("ORD-1001", "L-1001-1")
    label = ret.labels[0]
    saleor.orders.down = True
    await apply_tracking(shop.deps, TrackingUpdate(label.carrier, "evt-1", label.tracking_number,
                                                   ParcelStatus.IN_TRANSIT))
    assert (await get(saleor, ret.id)).refunds == []

    # when it is back (the standalone store is down) and the worker passes, then the refund is paid
    saleor.orders.down, shop.orders.down = False, True
    assert (await run_once(shop.deps)).work["refunds planned"] == 1
    assert [r.status for r in (await get(saleor, ret.id)).refunds] == [RefundStatus.SUCCEEDED]


async def test_a_provider_webhook_for_a_saleor_stores_refund_writes_into_that_stores_books(stores):
    shop, saleor = stores
    # given the Saleor store's cover was refunded and kept, and its books know
    ret = await saleor.ask("ORD-1002", "L-1002-1", "DOES_NOT_FIT")
    assert ret.status is ReturnStatus.REFUNDED and shop.recorder.written[ret.id].status == "REFUNDED"

    # when the provider reverses the refund (its webhook arrives on the standalone wiring), standalone down
    shop.orders.down = True
    word = ProviderRefund(ret.refunds[0].psp_reference, "pi_demo_1002", None, RefundStatus.FAILED, None)
    await apply_provider_event(shop.deps, ProviderEvent("simulated", "evt_9", "refund.failed", shop.clock.at, word))

    # then the return is re-opened for that store's staff, and that store's books are told
    assert (await get(saleor, ret.id)).status is ReturnStatus.REFUND_FAILED
    assert (shop.recorder.records[-1].tenant, shop.recorder.records[-1].status) == (SALEOR, "REFUND_FAILED")


async def test_a_first_scan_for_a_store_no_longer_served_pays_nothing(stores):
    shop, saleor = stores
    from saleor_returns.services.policies import update_policy

    # given the Saleor store refunds at the first scan, then uninstalled the app
    await update_policy(saleor.deps, STAFF, "default-channel", {"refund_timing": "ON_FIRST_SCAN"})
    ret = await saleor.ask("ORD-1001", "L-1001-1")
    label = ret.labels[0]
    shop.deps.stores = StoreDirectory(shop.deps.settings.tenant, shop.orders, Installed({}))

    # when the scan comes in
    result = await apply_tracking(shop.deps, TrackingUpdate(label.carrier, "evt-1", label.tracking_number,
                                                            ParcelStatus.IN_TRANSIT))

    # then the return moves, but nobody is paid: the store is not served here
    after = await get(saleor, ret.id)
    assert result is Applied.RECORDED and after.status is ReturnStatus.IN_TRANSIT
    assert after.refund_due_at is not None and shop.gateway.calls == 0


async def test_work_of_a_store_no_longer_served_is_left_alone(stores):
    shop, saleor = stores
    # given the Saleor store owes a refund (received while it was down), then uninstalled the app
    ret = await saleor.ask("ORD-1001", "L-1001-1")
    saleor.orders.down = True
    await mark_received(saleor.deps, STAFF, ret.id, None)
    shop.deps.stores = StoreDirectory(shop.deps.settings.tenant, shop.orders, Installed({}))
    label = ret.labels[0]

    # when its label is past expiry and the worker passes, then no refund is planned and no label expired
    # (its write-back is the recorder's to refuse: the books are not ours)
    shop.clock.at = label.expires_at + timedelta(hours=1)
    report = await run_once(shop.deps)
    assert "refunds planned" not in report.work and "labels expired" not in report.work
    assert shop.gateway.calls == 0 and shop.carrier.voids == []
    after = await get(saleor, ret.id)
    assert after.refund_due_at is not None and after.active_label is not None


# --- the loop -------------------------------------------------------------------------------------

async def test_one_pass_reports_what_it_did_and_a_second_finds_nothing(shop):
    # given a delayed refund that is due
    shop.gateway.unavailable = True
    await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    shop.gateway.unavailable = False
    shop.clock.advance(minutes=1)

    # when the worker makes one pass (`--once`)
    total = await run_worker(shop.deps, once=True)

    # then it says what it did, and a second pass finds nothing
    assert (total.claimed, dict(total.outcomes), total.busy) == (1, {"SUCCEEDED": 1}, 1)
    assert (await run_worker(shop.deps, once=True)).busy == 0


async def test_the_loop_survives_a_failing_pass_and_stops_when_asked(shop):
    # given the database fails on the first pass, and the operator stops the worker meanwhile
    stop = asyncio.Event()
    real_uow, calls = shop.deps.uow, []

    def failing_uow(readonly: bool = False):
        calls.append(readonly)
        if len(calls) == 1:
            stop.set()
            raise ConnectionError("database down")
        return real_uow(readonly)

    shop.deps.uow = failing_uow

    # when the worker loops, then the failure is logged, not raised, and it stops
    total = await run_worker(shop.deps, interval=60, stop=stop)
    assert total.busy == 0 and len(calls) == 1

    # and a single pass (`--once`) does raise it, so cron sees the failure
    calls.clear()
    with pytest.raises(ConnectionError):
        await run_worker(shop.deps, once=True)


async def test_the_loop_waits_between_idle_passes_until_stopped(shop):
    # given a store with nothing due, and a count of the transactions each pass opens
    stop = asyncio.Event()
    opened: list[bool] = []
    real_uow, per_pass = shop.deps.uow, 10**6

    def counting_uow(readonly: bool = False):
        opened.append(readonly)
        if len(opened) > 2 * per_pass:  # the third pass has begun: the operator stops the worker
            stop.set()
        return real_uow(readonly)

    shop.deps.uow = counting_uow
    await run_once(shop.deps)
    per_pass = len(opened)
    opened.clear()

    # when the worker loops without pausing between idle passes
    total = await run_worker(shop.deps, interval=0, stop=stop)

    # then it passed again and again until stopped, finishing the pass it was in, doing nothing
    assert len(opened) == 3 * per_pass and total.busy == 0


def test_pass_reports_add_up():
    # given two passes' reports
    one, two = PassReport(claimed=1), PassReport(claimed=2)
    one.outcomes["SUCCEEDED"] += 1
    two.outcomes["SUCCEEDED"] += 2
    two.work["store records"] += 3

    # when they are added, then every count adds up
    one.add(two)
    assert (one.claimed, one.outcomes["SUCCEEDED"], one.work["store records"], one.busy) == (3, 3, 3, 6)
