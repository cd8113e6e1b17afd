"""Write-backs: a return shows up in the store's own books (Saleor: returned units, a note, a summary)
once it is due — a keep-item return when approved, a shipped one when received — and again when its
money's outcome changes. Durable: Return.record_due_at says a write-back is owed; whoever changed the
return tries at once, the worker tries again (with backoff) until the store has heard."""
from __future__ import annotations

import logging
from datetime import timedelta

from ..domain.events import EventType
from ..domain.lifecycle import ReturnStatus
from ..domain.returns import RECORDED_KEEP_ITEM, Return
from ..ports import RecordedLine, RecordedRefund, ReturnRecord, ReturnRef, StoreRecordError, UpstreamUnavailable
from .context import Deps
from .loading import locked

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)  # a writer that crashed holds a return's write-back this long at most
MAX_PASSES = 3
MONEY_BACK = frozenset({ReturnStatus.REFUNDED, ReturnStatus.CLOSED})
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6))


async def record_in_store(deps: Deps, ref: ReturnRef) -> list[str]:
    """Write the return back into its store when due; never fails the caller (the trail says why).

    One writer per return at a time (a webhook and the request that caused it often arrive together);
    a caller that finds the write-back taken asks the writer for one more pass, so nothing is missed.
    """
    recorder = deps.recorder
    if recorder is None or not recorder.handles(ref.tenant):
        await _settle(deps, ref, [])  # a store without books of its own: nothing is owed
        return []
    if not await _claim(deps, ref):
        return []
    steps: list[str] = []
    try:
        for _ in range(MAX_PASSES):
            steps += await _record_once(deps, ref)
            if await _release(deps, ref):
                return steps
    except BaseException:
        await _release(deps, ref, force=True)  # let the next writer in
        raise
    await _release(deps, ref, force=True)
    return steps


async def _claim(deps: Deps, ref: ReturnRef) -> bool:
    async with deps.uow() as uow:
        claimed = await uow.installations.claim_writeback(ref.tenant, ref.return_id, deps.clock.now(), LEASE)
        await uow.commit()
    return claimed


async def _release(deps: Deps, ref: ReturnRef, force: bool = False) -> bool:
    async with deps.uow() as uow:
        done = await uow.installations.release_writeback(ref.return_id, force=force)
        await uow.commit()
    return done


async def _record_once(deps: Deps, ref: ReturnRef) -> list[str]:
    assert deps.recorder is not None
    async with deps.uow(readonly=True) as uow:
        ret = await uow.returns.get(ref.tenant, ref.return_id)
    record = record_of(ret) if ret is not None else None
    if record is None:
        await _settle(deps, ref, [])
        return []
    try:
        steps = await deps.recorder.record(record)
    except (UpstreamUnavailable, StoreRecordError) as exc:
        log.warning("could not record the return in the store", extra={"tenant": ref.tenant,
                                                                        "return": record.number, "error": str(exc)})
        await _failed(deps, ref, str(exc))
        return []
    await _settle(deps, ref, steps)
    return steps


async def _settle(deps: Deps, ref: ReturnRef, steps: list[str]) -> None:
    async with deps.uow() as uow:
        ret = await locked(uow, ref)
        if ret.record_due_at is None and not steps:
            return
        ret.recorded(steps, deps.clock.now())
        await uow.commit()


async def _failed(deps: Deps, ref: ReturnRef, error: str) -> None:
    now = deps.clock.now()
    async with deps.uow() as uow:
        ret = await locked(uow, ref)
        ret.record_failed(error, now, now + BACKOFF[min(_failures(ret), len(BACKOFF) - 1)])
        await uow.commit()


def _failures(ret: Return) -> int:
    """Failed write-backs since the store last heard about the return."""
    count = 0
    for event in reversed(ret.events):
        if event.type is EventType.RECORDED_IN_STORE:
            break
        count += event.type is EventType.STORE_RECORD_FAILED
    return count


def record_of(ret: Return) -> ReturnRecord | None:
    """What the store should remember about the return (with its refunds' real outcomes), or None while
    nothing is due."""
    if not ret.record_due:
        return None
    label = next((lb for lb in reversed(ret.labels) if lb.voided_at is None), None)
    refunds = tuple(RecordedRefund(r.id, r.gateway, r.status.value, r.amount, r.payment_id, r.psp_reference,
                                   f"{r.failure_code}: {r.failure_message}" if r.failure_code else r.failure_message)
                    for r in ret.refunds)
    keep = ret.keeps_items and ret.status in RECORDED_KEEP_ITEM
    return ReturnRecord(
        tenant=ret.tenant, return_id=ret.id, number=ret.number, order_id=ret.order_id, status=ret.status.value,
        resolution=ret.resolution.value if ret.resolution else None, refund_total=ret.refund_total,
        lines=tuple(RecordedLine(ln.order_line_id, ln.product_name, ln.quantity, ln.reason, ln.comment)
                    for ln in ret.lines),
        received=keep or ret.received, tracking_number=label.tracking_number if label else None,
        carrier=label.carrier if label else None,
        # the shopper keeps the items: they count as returned once the money is back, not before (a refund that
        # fails may end in a cancelled return, and a store cannot un-return units)
        units_back=ret.received or (keep and ret.status in MONEY_BACK), refunds=refunds)
