"""The refund worker: finishes refunds left PENDING (a crash, an outage, a rate limit) with their own key.

A pass claims the refunds that are due by pushing their `next_attempt_at` one lease ahead inside the
claiming transaction (SKIP LOCKED on PostgreSQL; SQLite has one writer), so several workers never
take the same refund; then it calls the gateway with the refund's idempotency key, so even a call
that overlaps another one (a lease that ran out, a staff retry) cannot pay twice. Retryable
failures back off (refunding.BACKOFF); after RETURNS_REFUND_GIVE_UP_AFTER without an answer the
refund becomes FAILED ("gave_up") and the return REFUND_FAILED for staff, whose retryRefund starts
the same refund again (`reopen_given_up`).
"""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from ..adapters.db.models import RefundRow, ReturnRow
from ..domain.refunds import RefundCommand, RefundOutcome, RefundStatus
from .context import Actor, ActorKind, Deps
from .refund_gateways import gateway_for
from .refunding import pending_command, record_outcome

log = logging.getLogger(__name__)
WORKER = Actor(ActorKind.SYSTEM, "worker")
GAVE_UP = "gave_up"  # failure code: no answer for too long (the provider may still hold the refund)


@dataclass
class PassReport:
    """What one pass did: refunds claimed, and the status each ended in."""

    claimed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)

    def add(self, other: "PassReport") -> None:
        self.claimed += other.claimed
        self.outcomes.update(other.outcomes)


async def claim_due(deps: Deps, limit: int) -> list[str]:
    """Refunds due now, each pushed one lease ahead in the claiming transaction (no other worker takes them)."""
    now = deps.clock.now()
    async with deps.uow() as tx:
        rows = await tx.repo.due_refunds(now, limit)
        for row in rows:
            row.next_attempt_at = now + deps.settings.refund_lease
        await tx.commit()
        return [row.id for row in rows]


async def run_once(deps: Deps, *, batch: int = 10) -> PassReport:
    """One pass: claim up to `batch` due refunds and attempt them side by side."""
    ids = await claim_due(deps, batch)
    report = PassReport(claimed=len(ids))
    for status in await asyncio.gather(*(attempt(deps, refund_id) for refund_id in ids)):
        report.outcomes[status.value] += 1
    if ids:
        log.info("refund worker pass", extra={"claimed": len(ids), **dict(report.outcomes)})
    return report


async def run_worker(deps: Deps, *, once: bool = False, interval: float = 5.0, batch: int = 10,
                     stop: asyncio.Event | None = None) -> PassReport:
    """Passes until `stop` is set (or one pass with `once`); sleeps `interval` seconds when nothing was due."""
    stop = stop or asyncio.Event()
    total = PassReport()
    log.info("refund worker started", extra={"gateway": deps.refunds.name, "once": once, "batch": batch,
                                              "give_up_after_s": deps.settings.refund_give_up_after.total_seconds()})
    while not stop.is_set():
        try:
            report = await run_once(deps, batch=batch)
        except Exception:  # the database or the network is down: say so, wait, try again
            if once:
                raise
            log.exception("refund worker pass failed")
            report = PassReport()
        total.add(report)
        if once:
            break
        if report.claimed < batch:
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass
    log.info("refund worker stopped", extra={"claimed": total.claimed, **dict(total.outcomes)})
    return total


async def attempt(deps: Deps, refund_id: str) -> RefundStatus:
    """Call the gateway for one claimed refund and save the outcome; give up when it has waited too long."""
    loaded = await _load(deps, refund_id)
    if loaded is None:
        return RefundStatus.CANCELED
    command, waiting_since = loaded
    outcome = await gateway_for(deps, command).refund(command)  # the gateway that began it, not today's default
    waited = deps.clock.now() - waiting_since
    if outcome.retryable and command.provider_refund_id is None and waited >= deps.settings.refund_give_up_after:
        outcome = _give_up(outcome, waited)
        log.warning("refund given up", extra={"refund_id": refund_id, "waited_s": waited.total_seconds(),
                                              "last_failure": outcome.failure_message})
    return await record_outcome(deps, refund_id, outcome, actor=WORKER)


async def _load(deps: Deps, refund_id: str) -> tuple[RefundCommand, datetime] | None:
    loaded = await pending_command(deps, refund_id)
    if loaded is None:
        return None  # settled meanwhile (a webhook, a staff retry)
    command, row = loaded
    return command, row.retrying_since or row.created_at


def _give_up(last: RefundOutcome, waited: timedelta) -> RefundOutcome:
    hours = round(waited.total_seconds() / 3600, 1)
    return RefundOutcome(RefundStatus.FAILED, failure_code=GAVE_UP,
                         failure_message=f"no answer from the payment provider for {hours} h "
                                         f"(last: {last.failure_code}: {last.failure_message}); retry to try again")


def reopen_given_up(ret: ReturnRow, now: datetime, lease: timedelta) -> list[RefundRow]:
    """retryRefund after a give-up: the same refund starts again with its own key (the provider may already
    hold it, so a new refund could pay twice). Call under the order lock; returns the re-opened rows."""
    rows = [r for r in ret.refunds if r.status == RefundStatus.FAILED.value and r.failure_code == GAVE_UP]
    for row in rows:
        row.status = RefundStatus.PENDING.value
        row.failure_code = row.failure_message = None
        row.retrying_since, row.updated_at, row.next_attempt_at = now, now, now + lease
    return rows
