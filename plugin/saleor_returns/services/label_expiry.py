"""The labels' background work, for every store (the worker, or `saleor-returns labels run` from cron):
expire unused labels and void them with their carrier, retry purchases that failed for a passing reason
(or were left in flight by a crash), retry voids that did not go through."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from ..ports import WorkItem
from .context import Deps
from .label_voiding import void_label
from .labels import retry_purchase
from .loading import locked

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LabelWork:
    expired: int = 0
    retried: int = 0
    issued: int = 0
    voided: int = 0

    def __str__(self) -> str:
        return (f"{self.expired} expired, {self.retried} purchases retried ({self.issued} issued), "
                f"{self.voided} voided with the carrier")


async def expire_label(deps: Deps, item: WorkItem) -> bool:
    """One unused label past its expiry: void here (the shopper may ask for a new one) and with the carrier.
    True when it expired now (not when it was scanned or voided meanwhile)."""
    return (await _expire(deps, item))[0]


async def _expire(deps: Deps, item: WorkItem) -> tuple[bool, bool]:
    """(expired now, voided with its carrier now)."""
    async with deps.uow() as uow:
        ret = await locked(uow, item.ref)
        label = ret.label(item.item_id)
        was_printable = label.printable
        due = label.expires_at is not None and label.expires_at <= deps.clock.now()
        ask_carrier = due and ret.expire_label(item.item_id, deps.clock.now())
        expired = due and was_printable and not label.printable
        await uow.commit()
    return expired, ask_carrier and await void_label(deps, item)


async def expire_due(base: Deps, limit: int = 100) -> int:
    """Every store's unused labels past their expiry, voided here and with their carrier."""
    return (await _expire_due(base, limit))[0]


async def _expire_due(base: Deps, limit: int) -> tuple[int, int]:
    """(expired, voided with their carrier) of every store."""
    async with base.uow(readonly=True) as uow:
        due = await uow.work.expired_labels(base.clock.now(), limit)
    expired = voided = 0
    for item in due:
        if (deps := await base.of_store(item.ref.tenant)) is not None:
            now_expired, now_voided = await _expire(deps, item)
            expired, voided = expired + now_expired, voided + now_voided
    return expired, voided


async def retry_due(base: Deps, limit: int = 100) -> tuple[int, int, int]:
    """(retried, issued, voided): every store's due label purchases, then its due voids."""
    async with base.uow(readonly=True) as uow:
        purchases = await uow.work.due_label_purchases(base.clock.now(), limit)
    retried = issued = voided = 0
    for item in purchases:
        if (deps := await base.of_store(item.ref.tenant)) is not None:
            retried += 1
            issued += await retry_purchase(deps, item)
    async with base.uow(readonly=True) as uow:
        voids = await uow.work.due_voids(base.clock.now(), limit)
    for item in voids:
        if (deps := await base.of_store(item.ref.tenant)) is not None:
            voided += await void_label(deps, item)
    return retried, issued, voided


async def run_label_work(base: Deps, limit: int = 100) -> LabelWork:
    """One pass of everything above; safe to run from many workers at once."""
    expired, expiry_voids = await _expire_due(base, limit)
    retried, issued, voided = await retry_due(base, limit)
    work = LabelWork(expired, retried, issued, voided + expiry_voids)
    if expired or retried or work.voided:  # voided: the voids retried and those of the labels expired now
        log.info("label work", extra={"expired": expired, "retried": retried, "issued": issued, "voided": work.voided})
    return work
