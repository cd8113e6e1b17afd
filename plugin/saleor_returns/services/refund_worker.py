"""Refunds left PENDING (a crash, an outage, a rate limit) finished with their own key, for every store.

A pass claims the refunds that are due by pushing them one lease ahead inside the claiming transaction
(SKIP LOCKED on PostgreSQL; SQLite has one writer), so several workers never take the same refund; then it
calls the refund's own gateway with the refund's idempotency key, so even a call that overlaps another
(a lease that ran out, a staff retry) cannot pay twice. Retryable failures back off; after
RETURNS_REFUND_GIVE_UP_AFTER without an answer the refund becomes FAILED ("gave_up") and the return
REFUND_FAILED for staff, whose retryRefund starts the same refund again.
"""
from __future__ import annotations

import logging

from ..domain.refunds import RefundStatus
from ..domain.return_money import give_up
from ..ports import WorkItem
from .context import WORKER, Deps
from .refunding import ask_gateway, pending_work, record_outcome

log = logging.getLogger(__name__)


async def claim_due(base: Deps, limit: int) -> list[WorkItem]:
    """Refunds due now (every store), each pushed one lease ahead so no other worker takes them."""
    async with base.uow() as uow:
        items = await uow.work.claim_due_refunds(base.clock.now(), limit, base.settings.refund_lease)
        await uow.commit()
    return items


async def attempt(base: Deps, item: WorkItem) -> RefundStatus:
    """Call the refund's own gateway for one claimed refund and save the outcome; give up when it has waited
    too long without an answer."""
    deps = await base.of_store(item.ref.tenant) or base.for_tenant(item.ref.tenant, base.orders)
    async with deps.uow(readonly=True) as uow:
        ret = await uow.returns.get(item.ref.tenant, item.ref.return_id)
    found = [c for i, c in pending_work(ret) if i.item_id == item.item_id] if ret is not None else []
    if ret is None or not found:
        return RefundStatus.CANCELED  # settled meanwhile (a webhook, a staff retry)
    command, refund = found[0], ret.refund(item.item_id)
    outcome = await ask_gateway(deps, command)
    waited = deps.clock.now() - refund.waiting_since
    if outcome.retryable and command.provider_refund_id is None and waited >= deps.settings.refund_give_up_after:
        outcome = give_up(outcome, waited)
        log.warning("refund given up", extra={"refund_id": item.item_id, "waited_s": waited.total_seconds(),
                                              "last_failure": outcome.failure_message})
    return await record_outcome(deps, item, outcome, actor=WORKER)
