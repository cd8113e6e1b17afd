"""The worker: every kind of durable work, for every store the deployment serves (`saleor-returns worker`,
and in-process in the demo). Each kind is rows that say what is owed — refunds PENDING, refunds due but
never planned, labels to buy, expire or void, write-backs the store has not heard — so a crash, an outage
or a restart never loses work, and nothing waits for "the return's next change". Any number of workers may
run: each item is claimed (SKIP LOCKED on PostgreSQL) or re-checked under its order's lock."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass, field

from ..ports import ReturnRef, UpstreamUnavailable
from .context import Deps
from .exchanging import send_due_replacement
from .label_expiry import run_label_work
from .loading import locked
from .mail_delivery import deliver_due
from .mail_reminders import remind_expiring_labels
from .refund_worker import attempt, claim_due
from .refunding import refund_return
from .store_records import record_in_store

log = logging.getLogger(__name__)


@dataclass
class PassReport:
    """What one pass did: refunds claimed and how each ended, and the other kinds of work done."""

    claimed: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    work: Counter[str] = field(default_factory=Counter)

    def add(self, other: "PassReport") -> None:
        self.claimed += other.claimed
        self.outcomes.update(other.outcomes)
        self.work.update(other.work)

    @property
    def busy(self) -> int:
        return self.claimed + sum(self.work.values())


async def run_refunds(base: Deps, batch: int) -> PassReport:
    items = await claim_due(base, batch)
    report = PassReport(claimed=len(items))
    for status in await asyncio.gather(*(attempt(base, item) for item in items)):
        report.outcomes[status.value] += 1
    return report


async def run_refund_plans(base: Deps, batch: int) -> int:
    """Refunds that became due when they could not be planned (the store was down): plan and pay them."""
    async with base.uow(readonly=True) as uow:
        due = await uow.work.due_refund_plans(base.clock.now(), batch)
    done = 0
    for ref in due:
        deps = await base.of_store(ref.tenant)
        if deps is None:
            continue
        try:
            order = await deps.orders.get_order(ref.order_id)
        except UpstreamUnavailable:
            await _later(deps, ref)
            continue
        if order is not None:
            await refund_return(deps, ref, order)
            done += 1
    return done


async def run_exchanges(base: Deps, batch: int) -> int:
    """Replacements due and not sent (a crash or an outage after the change that made them due): send them."""
    async with base.uow(readonly=True) as uow:
        due = await uow.work.due_exchanges(base.clock.now(), batch)
    done = 0
    for ref in due:
        deps = await base.of_store(ref.tenant)
        if deps is None:
            continue
        try:
            order = await deps.orders.get_order(ref.order_id)
        except UpstreamUnavailable:
            continue
        if order is not None and await send_due_replacement(deps, ref, order):
            done += 1
    return done


async def _later(deps: Deps, ref: ReturnRef) -> None:
    """The store is still down: look again after a refund lease (not on every pass)."""
    async with deps.uow() as uow:
        ret = await locked(uow, ref)
        ret.postpone_refund(deps.clock.now() + deps.settings.refund_lease)
        await uow.commit()


async def run_records(base: Deps, batch: int) -> int:
    async with base.uow(readonly=True) as uow:
        due = await uow.work.due_records(base.clock.now(), batch)
    written = 0
    for ref in due:
        deps = await base.of_store(ref.tenant) or base.for_tenant(ref.tenant, base.orders)
        written += bool(await record_in_store(deps, ref))
    return written


async def run_once(base: Deps, *, batch: int = 10) -> PassReport:
    """One pass over every kind of due work."""
    report = await run_refunds(base, batch)
    report.work["refunds planned"] += await run_refund_plans(base, batch)
    labels = await run_label_work(base, batch * 10)
    report.work.update({"labels expired": labels.expired, "labels retried": labels.retried,
                        "labels issued": labels.issued, "labels voided": labels.voided})
    report.work["replacements sent"] += await run_exchanges(base, batch)
    report.work["store records"] += await run_records(base, batch)
    report.work["labels reminded"] += await remind_expiring_labels(base, batch * 5)
    report.work.update({f"messages {k.lower()}": v for k, v in (await deliver_due(base, batch * 2)).items()})
    report.work = +report.work  # drop the zeros
    if report.busy:
        log.info("worker pass", extra={"refunds": report.claimed, **dict(report.outcomes), **dict(report.work)})
    return report


async def run_worker(base: Deps, *, once: bool = False, interval: float = 5.0, batch: int = 10,
                     stop: asyncio.Event | None = None) -> PassReport:
    """Passes until `stop` is set (or one pass with `once`); sleeps `interval` seconds when little was due."""
    stop = stop or asyncio.Event()
    total = PassReport()
    log.info("worker started", extra={"gateway": base.refunds.default.name, "once": once, "batch": batch,
                                      "give_up_after_s": base.settings.refund_give_up_after.total_seconds()})
    while not stop.is_set():
        try:
            report = await run_once(base, batch=batch)
        except Exception:  # the database or the network is down: say so, wait, try again
            if once:
                raise
            log.exception("worker pass failed")
            report = PassReport()
        total.add(report)
        if once:
            break
        if report.claimed < batch:
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass
    log.info("worker stopped", extra={"refunds": total.claimed, **dict(total.outcomes), **dict(total.work)})
    return total
