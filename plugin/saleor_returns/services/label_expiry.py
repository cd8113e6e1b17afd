"""The labels' background work (worker or `saleor-returns labels run`): expire unused labels and void them
with the carrier, retry label purchases that failed for a passing reason, retry voids that did not go through."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select

from ..adapters.db.models import LabelRow, ReturnRow
from .context import SYSTEM, Deps
from .label_voiding import due_voids, void_label_row
from .labels import FAILED, ISSUED, PURCHASING, claim_attempt, purchase

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


async def expire_labels(deps: Deps, limit: int = 100) -> int:
    """Unused labels past their expiry: void here (the shopper may ask for a new one) and with the carrier."""
    now = deps.clock.now()
    stmt = (select(LabelRow).join(ReturnRow, ReturnRow.seq == LabelRow.return_seq)
            .where(ReturnRow.tenant == deps.tenant, LabelRow.status == ISSUED, LabelRow.voided_at.is_(None),
                   LabelRow.first_scan_at.is_(None), LabelRow.expires_at.is_not(None), LabelRow.expires_at <= now)
            .order_by(LabelRow.expires_at).limit(limit))
    expired = []
    async with deps.uow() as tx:
        for row in (await tx.session.execute(stmt)).scalars():
            ret = await tx.repo.get_return_by_seq(row.return_seq)
            assert ret is not None
            row.voided_at = now
            row.void_status = "NOT_NEEDED" if row.carrier == "local" else "PENDING"
            tx.repo.add_event(ret, now, SYSTEM.label, "LABEL_EXPIRED",
                              f"{row.carrier} label {row.tracking_number} expired unused; a new one can be issued")
            expired.append((row.id, row.void_status))
        await tx.commit()
    for label_id, status in expired:
        if status == "PENDING":
            await void_label_row(deps, label_id)
    return len(expired)


async def due_attempts(deps: Deps, limit: int = 100) -> list[str]:
    """Purchases to try again: failed for a passing reason and due, or in flight past their lease (a crash)."""
    now = deps.clock.now()
    stmt = (select(LabelRow.id).join(ReturnRow, ReturnRow.seq == LabelRow.return_seq)
            .where(ReturnRow.tenant == deps.tenant, LabelRow.status.in_((FAILED, PURCHASING)),
                   LabelRow.voided_at.is_(None), LabelRow.next_attempt_at <= now)  # NULL: nothing more to try
            .order_by(LabelRow.next_attempt_at).limit(limit))
    async with deps.uow(readonly=True) as tx:
        return list((await tx.session.execute(stmt)).scalars())


async def retry_purchases(deps: Deps) -> tuple[int, int]:
    """(claimed, issued): each due attempt is claimed by one worker and bought (or found bought) once."""
    claimed = issued = 0
    for label_id in await due_attempts(deps):
        if not await claim_attempt(deps, label_id):
            continue
        claimed += 1
        if await purchase(deps, label_id) is not None:
            issued += 1
    return claimed, issued


async def retry_voids(deps: Deps) -> int:
    """Voids that did not go through yet, tried again; how many the carriers accepted."""
    voided = 0
    for label_id in await due_voids(deps):
        voided += int(await void_label_row(deps, label_id))
    return voided


async def run_label_work(deps: Deps) -> LabelWork:
    """One pass of everything above; safe to run from many workers at once."""
    expired = await expire_labels(deps)
    retried, issued = await retry_purchases(deps)
    voided = await retry_voids(deps)
    work = LabelWork(expired, retried, issued, voided)
    log.info("label work", extra={"expired": expired, "retried": retried, "issued": issued, "voided": voided})
    return work
