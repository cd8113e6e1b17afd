"""Use case: the payment provider tells us what became of a refund (a verified webhook event).

Each event is applied once (its id is saved in the same transaction as its effect) and in any order
(Return.provider_says: final states never move back, except SUCCEEDED → FAILED, which re-opens the
return for staff as REFUND_FAILED with the provider's reason). The refund's own store acts.
"""
from __future__ import annotations

import logging
from enum import Enum

from ..domain.actors import Actor
from ..domain.refunds import ProviderWord
from ..domain.return_money import ProviderVerdict
from ..ports import ProviderEvent, UnitOfWork
from .context import Deps
from .loading import locked
from .store_records import record_in_store

log = logging.getLogger(__name__)


class EventResult(str, Enum):
    APPLIED = "applied"
    DUPLICATE = "duplicate"  # this event id was processed before: nothing done
    UNCHANGED = "unchanged"  # our refund already says this, or knows better (a later or final word)
    IGNORED = "ignored"  # not about a refund
    UNKNOWN_REFUND = "unknown_refund"  # a refund made outside this app
    CONFLICT = "conflict"  # the provider holds a second refund for one of ours: reconcile shows it


async def apply_provider_event(base: Deps, event: ProviderEvent) -> EventResult:
    """Apply one verified provider event to our refund and its return, once."""
    async with base.uow() as uow:
        event_row = await uow.inbox.first_time(event.provider, event.event_id, event.type, base.clock.now())
        if event_row is None:
            result, tell = EventResult.DUPLICATE, None
        else:
            result, tell = await _apply(base, uow, event)
            await uow.inbox.set_result(event_row, result.value)
            await uow.commit()
    if tell is not None:
        deps = await base.of_store(tell.tenant) or base.for_tenant(tell.tenant, base.orders)
        await record_in_store(deps, tell)
    log.info("provider event", extra={"provider": event.provider, "event_id": event.event_id, "type": event.type,
                                      "result": result.value,
                                      "provider_refund": event.refund.provider_id if event.refund else None})
    return result


async def _apply(base: Deps, uow: UnitOfWork, event: ProviderEvent):  # type: ignore[no-untyped-def]
    reported = event.refund
    if reported is None:
        return EventResult.IGNORED, None
    item = await uow.returns.locate_provider_refund(event.provider, reported.provider_id, reported.refund_id)
    if item is None:
        return EventResult.UNKNOWN_REFUND, None
    ret = await locked(uow, item.ref)  # the same lock every refund write takes
    word = ProviderWord(reported.provider_id, reported.status, event.created, reported.failure_code,
                        reported.failure_message)
    refund = ret.refund(item.item_id)
    if reported.amount is not None and reported.amount != refund.amount:
        log.warning("provider refund amount differs from ours", extra={
            "refund_id": refund.id, "ours": str(refund.amount), "theirs": str(reported.amount)})
    verdict = ret.provider_says(item.item_id, word, Actor.system(f"{event.provider}-webhook"), base.clock.now())
    if verdict is ProviderVerdict.CONFLICT:
        log.error("provider holds a second refund for one of ours", extra={
            "refund_id": refund.id, "ours": refund.psp_reference, "theirs": reported.provider_id})
    tell = item.ref if ret.record_due_at is not None and verdict is ProviderVerdict.APPLIED else None
    return EventResult(verdict.value), tell
