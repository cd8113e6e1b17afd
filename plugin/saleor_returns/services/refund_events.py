"""Use case: the payment provider tells us what became of a refund (a verified webhook event).

Each event is applied once (its id is saved in the same transaction as its effect) and in any
order (`provider_may_move`: final states never move back, except SUCCEEDED → FAILED, which
re-opens the return for staff as REFUND_FAILED with the provider's reason).
"""
from __future__ import annotations

import logging
from datetime import datetime
from enum import Enum

from ..adapters.db.models import RefundRow, ReturnRow
from ..adapters.db.uow import SqlUnitOfWork
from ..domain.money import Money
from ..domain.refunds import RefundStatus, provider_may_move
from ..ports import ProviderEvent, ProviderRefund
from .context import Actor, ActorKind, Deps
from .refund_worker import GAVE_UP
from .refunding import PROVIDER_POLL, settle_return
from .saleor_writeback import record_refund_outcome

log = logging.getLogger(__name__)


class EventResult(str, Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this event id was processed before: nothing done
    UNCHANGED = "unchanged"  # our refund already says this, or knows better (a later or final word)
    IGNORED = "ignored"  # not about a refund
    UNKNOWN_REFUND = "unknown_refund"  # a refund made outside this app
    CONFLICT = "conflict"  # the provider holds a second refund for one of ours: reconcile shows it


async def apply_provider_event(deps: Deps, event: ProviderEvent) -> EventResult:
    """Apply one verified provider event to our refund and its return, once."""
    now = deps.clock.now()
    moved: tuple[str, str] | None = None
    async with deps.uow() as tx:
        event_row = await tx.repo.record_event(event.provider, event.event_id, event.type, now)
        if event_row is None:
            result = EventResult.DUPLICATE
        else:
            result = await _apply(tx, event, now)
            await tx.repo.set_event_result(event_row, result.value)
            await tx.commit()
            moved = await _moved_return(tx, event) if result is EventResult.APPLIED else None
    if moved is not None:  # the store's books hear of it (Saleor: a note)
        await record_refund_outcome(deps, *moved)
    log.info("provider event", extra={"provider": event.provider, "event_id": event.event_id, "type": event.type,
                                      "result": result.value,
                                      "provider_refund": event.refund.provider_id if event.refund else None})
    return result


async def _moved_return(tx: SqlUnitOfWork, event: ProviderEvent) -> tuple[str, str] | None:
    """The tenant and return of the refund an applied event moved."""
    assert event.refund is not None
    row = await tx.repo.find_provider_refund(event.refund.provider_id, event.refund.refund_id)
    ret = await tx.repo.get_return_by_seq(row.return_seq) if row is not None else None
    return (ret.tenant, ret.id) if ret is not None else None


async def _apply(tx: SqlUnitOfWork, event: ProviderEvent, now: datetime) -> EventResult:
    reported = event.refund
    if reported is None:
        return EventResult.IGNORED
    row = await tx.repo.find_provider_refund(reported.provider_id, reported.refund_id)
    if row is None or row.gateway != event.provider:
        return EventResult.UNKNOWN_REFUND
    await tx.repo.lock_order(row.tenant, row.order_id, now)  # the same lock every refund write takes
    await tx.session.refresh(row)
    if row.psp_reference and row.psp_reference != reported.provider_id:
        log.error("provider holds a second refund for one of ours", extra={
            "refund_id": row.id, "ours": row.psp_reference, "theirs": reported.provider_id})
        return EventResult.CONFLICT
    _warn_on_amount(row, reported)
    current = RefundStatus(row.status)
    newer = row.provider_updated_at is None or event.created >= row.provider_updated_at
    if not provider_may_move(current, reported.status, newer=newer, our_guess=row.failure_code == GAVE_UP):
        if row.psp_reference is None:  # still worth keeping: later look-ups go by the provider's id
            row.psp_reference = reported.provider_id
        return EventResult.UNCHANGED
    ret = await tx.repo.get_return_by_seq(row.return_seq)
    assert ret is not None
    _move(tx, ret, row, reported, event, now)
    return EventResult.APPLIED


def _move(tx: SqlUnitOfWork, ret: ReturnRow, row: RefundRow, reported: ProviderRefund, event: ProviderEvent,
          now: datetime) -> None:
    was = RefundStatus(row.status)
    row.status = reported.status.value
    row.psp_reference = reported.provider_id
    row.failure_code, row.failure_message = reported.failure_code, reported.failure_message
    row.provider_updated_at = max(event.created, row.provider_updated_at or event.created)
    row.next_attempt_at = now + PROVIDER_POLL if reported.status is RefundStatus.PENDING else None
    row.updated_at = now
    actor = Actor(ActorKind.SYSTEM, f"{event.provider}-webhook")
    if was is RefundStatus.SUCCEEDED:
        tx.repo.add_event(ret, now, actor.label, "REFUND_REVERSED",
                          f"{Money(row.amount, row.currency)} came back to the store ({row.psp_reference})")
    if reported.status is not RefundStatus.PENDING:
        settle_return(tx, ret, row, now, actor)


def _warn_on_amount(row: RefundRow, reported: ProviderRefund) -> None:
    if reported.amount is not None and reported.amount != Money(row.amount, row.currency):
        log.warning("provider refund amount differs from ours", extra={
            "refund_id": row.id, "ours": str(Money(row.amount, row.currency)), "theirs": str(reported.amount)})
