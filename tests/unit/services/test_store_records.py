"""Write-backs into the store's own books (store_records): due once a keep-item return is approved or a parcel
is received, and again when the money's outcome changes; a store that cannot take it is tried again by the
worker with backoff; two writers at once write once and miss nothing; stores without books owe nothing."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from conftest import STAFF, ProviderGateway, make_shop, open_shop, types
from saleor_returns.adapters.memory.providers import MemoryRecorder
from saleor_returns.domain.refunds import RefundStatus
from saleor_returns.ports import ProviderEvent, ProviderRefund, ReturnRef, StoreRecordError, UpstreamUnavailable
from saleor_returns.services.refund_events import apply_provider_event
from saleor_returns.services.staff_actions import mark_received
from saleor_returns.services.store_records import BACKOFF, MAX_PASSES, record_in_store
from saleor_returns.services.worker import run_once


def ref(ret) -> ReturnRef:
    return ReturnRef(ret.tenant, ret.id, ret.order_id)


async def test_a_shipped_back_return_is_written_only_once_received(shop):
    # given the laptop ships back
    ret = await shop.ask("ORD-1001", ("L-1001-1", 1, "DAMAGED"))

    # then the store hears nothing while it is on its way, and asking changes nothing
    assert await record_in_store(shop.deps, ref(ret)) == [] and shop.recorder.records == []

    # when it is received (and refunded), then the store is told once, with everything
    done = await mark_received(shop.deps, STAFF, ret.id, None)
    [record] = shop.recorder.records
    assert (record.number, record.status, record.resolution, record.carrier) == (
        done.number, "REFUNDED", "SHIP_BACK", "local")
    assert [(ln.order_line_id, ln.quantity, ln.reason) for ln in record.lines] == [("L-1001-1", 1, "DAMAGED")]
    assert done.events[-1].note == "returned products, note, summary"


async def test_a_kept_item_is_written_when_approved_and_again_when_the_money_settles():
    # given refunds settle later, at the provider
    shop = await open_shop(make_shop(gateway=ProviderGateway()))

    # when Ben keeps the cover, then the store hears of the approval at once
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    assert [r.status for r in shop.recorder.records] == ["APPROVED"]

    # when the provider says the refund went through, then the store's summary follows
    await apply_provider_event(shop.deps, ProviderEvent("stripe", "evt_1", "refund.updated", shop.clock.at,
                                                        ProviderRefund("re_1", "pi_demo_1002", None,
                                                                       RefundStatus.SUCCEEDED, None)))
    assert [r.status for r in shop.recorder.records] == ["APPROVED", "REFUNDED"]
    assert types(await shop.get(ret.id)).count("RECORDED_IN_STORE") == 2


@pytest.mark.parametrize("failure", [UpstreamUnavailable("saleor is down"), StoreRecordError("permission denied"),
                                     ValueError("odd answer")], ids=["down", "refused", "odd"])
async def test_a_store_that_cannot_take_the_write_back_is_tried_again_with_backoff(shop, failure):
    # given the store cannot take write-backs when Ben keeps the cover
    shop.recorder.fail_with = failure
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))

    # then the return says why and when it is tried again (a minute)
    failed = await shop.get(ret.id)
    assert types(failed)[-1] == "STORE_RECORD_FAILED" and str(failure) in failed.events[-1].note
    assert failed.record_due_at == shop.clock.at + BACKOFF[0]

    # when the worker passes after that and it fails again, then the next try is further away (5 minutes)
    shop.clock.advance(minutes=1)
    assert (await run_once(shop.deps)).work["store records"] == 0
    assert (await shop.get(ret.id)).record_due_at == shop.clock.at + BACKOFF[1]

    # when the store is back and the backoff passed, then the worker writes it, once
    shop.recorder.fail_with = None
    shop.clock.advance(minutes=4)
    assert (await run_once(shop.deps)).work["store records"] == 0  # not due yet
    shop.clock.advance(minutes=1)
    assert (await run_once(shop.deps)).work["store records"] == 1
    done = await shop.get(ret.id)
    assert done.record_due_at is None and types(done)[-1] == "RECORDED_IN_STORE"
    assert shop.recorder.written[ret.id].status == "REFUNDED"
    assert (await run_once(shop.deps)).busy == 0

    # and when the money's outcome changes later (the refund is reversed) and the store is down again,
    # then the next try starts from the first backoff: failures count since the store last heard
    shop.recorder.fail_with = failure
    reversal = ProviderRefund(done.refunds[0].psp_reference, "pi_demo_1002", None, RefundStatus.FAILED, None)
    await apply_provider_event(shop.deps, ProviderEvent("simulated", "evt_r", "refund.failed", shop.clock.at,
                                                        reversal))
    assert (await shop.get(ret.id)).record_due_at == shop.clock.at + BACKOFF[0]


@pytest.mark.parametrize("books", ["none", "another-store"])
async def test_a_store_without_books_of_its_own_owes_nothing(books):
    # given the deployment writes back nowhere, or only into another store's books
    shop = await open_shop(make_shop(recorder_tenants=frozenset({"https://other.example.com/graphql/"})))
    if books == "none":
        shop.deps.recorder = None

    # when Ben keeps the cover
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))

    # then nothing is written or owed
    assert shop.recorder.records == [] and ret.record_due_at is None
    assert "RECORDED_IN_STORE" not in types(ret) and (await run_once(shop.deps)).busy == 0


class GatedRecorder(MemoryRecorder):
    """A store that takes its time: a write waits for `gate` (when set up), so another writer can come in."""

    gate: asyncio.Event | None = None
    entered: asyncio.Event | None = None
    call_back = None  # called inside every write (another writer arriving meanwhile)

    async def record(self, record):
        if self.gate is not None and not self.gate.is_set():
            self.entered.set()
            await self.gate.wait()
        if self.call_back is not None:
            await self.call_back()
        return await super().record(record)


async def test_two_writers_at_once_write_once_and_the_later_change_is_not_missed():
    # given refunds settle later, and the store is slow to take the approval's write-back
    shop = await open_shop(make_shop(gateway=ProviderGateway()))
    shop.deps.recorder = shop.recorder = GatedRecorder()
    shop.recorder.gate, shop.recorder.entered = asyncio.Event(), asyncio.Event()
    asking = asyncio.create_task(shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT")))
    await shop.recorder.entered.wait()

    # when the refund succeeds meanwhile (its webhook wants to write too) and then the store answers
    await apply_provider_event(shop.deps, ProviderEvent("stripe", "evt_1", "refund.updated", shop.clock.at,
                                                        ProviderRefund("re_1", "pi_demo_1002", None,
                                                                       RefundStatus.SUCCEEDED, None)))
    assert shop.recorder.records == []  # the webhook did not write beside the first writer
    shop.recorder.gate.set()
    ret = await asking

    # then the first writer wrote the approval, then went again for the refund: nothing twice, nothing missed
    assert [r.status for r in shop.recorder.records] == ["APPROVED", "REFUNDED"]
    done = await shop.get(ret.id)
    assert types(done).count("RECORDED_IN_STORE") == 2 and done.record_due_at is None
    assert (shop.db.tables.writebacks[ret.id].until, shop.db.tables.writebacks[ret.id].again) == (None, False)


async def test_a_writer_asked_again_on_every_pass_stops_after_a_few_passes(shop):
    # given a return the store must hear about, and another writer arriving during every write
    shop.recorder.fail_with = UpstreamUnavailable("down")
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    shop.deps.recorder = recorder = GatedRecorder()
    recorder.call_back = lambda: record_in_store(shop.deps, ref(ret))

    # when it writes
    steps = await record_in_store(shop.deps, ref(ret))

    # then it stops after MAX_PASSES and lets the next writer in
    assert len(recorder.records) == MAX_PASSES and steps == ["returned products", "note", "summary"]
    assert shop.db.tables.writebacks[ret.id].until is None


class CrashingRecorder(MemoryRecorder):
    async def record(self, record):
        raise RuntimeError("the process is going down")


async def test_a_writer_that_crashes_lets_the_next_one_in(shop):
    # given the write-back is due and the writer crashes in the middle of it
    shop.recorder.fail_with = UpstreamUnavailable("down")
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    shop.deps.recorder = CrashingRecorder()
    with pytest.raises(RuntimeError):
        await record_in_store(shop.deps, ref(ret))

    # when the store is fine again and the worker passes, then it is written (the crash held nothing)
    shop.deps.recorder, shop.recorder.fail_with = shop.recorder, None
    shop.clock.advance(minutes=1)
    assert (await run_once(shop.deps)).work["store records"] == 1
    assert shop.recorder.written[ret.id].status == "REFUNDED"


async def test_a_writer_that_finds_the_write_back_taken_leaves_it_to_the_holder(shop):
    # given a write-back is due and another process holds it
    shop.recorder.fail_with = UpstreamUnavailable("down")
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    shop.recorder.fail_with = None
    async with shop.deps.uow() as uow:  # another process holds it
        assert await uow.installations.claim_writeback(ret.tenant, ret.id, shop.clock.at, timedelta(minutes=5))
        await uow.commit()

    # when a second writer comes, then it writes nothing and asks the holder for one more pass
    assert await record_in_store(shop.deps, ref(ret)) == [] and shop.recorder.written == {}
    assert shop.db.tables.writebacks[ret.id].again is True
