"""Voiding labels with their carrier, exactly once: after a cancellation, or when an unused label expires.

void_status: None (nothing asked), PENDING (intent saved), VOIDING (a caller holds it), DONE, REJECTED,
NOT_NEEDED (a local label: nothing was paid). Only the caller whose UPDATE claims the row calls the carrier.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

from ..adapters.carriers.router import carrier_named
from ..adapters.db.models import LabelRow, ReturnRow
from ..ports import VoidOutcome
from .context import SYSTEM, Deps
from .labels import FAILED, ISSUED, LEASE, due, label_with_return

log = logging.getLogger(__name__)
BACKOFF = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=12))


def plan_voids(ret: ReturnRow) -> list[str]:
    """The intents after a cancellation marked the labels void here: bought labels get a PENDING void (their
    ids are returned, for void_label_row), the others need none. Call inside the cancelling transaction."""
    pending = []
    for row in ret.labels:
        if row.voided_at is None or row.void_status is not None or row.status not in (ISSUED, FAILED):
            continue
        if row.carrier == "local" or (row.status == FAILED and not row.carrier_reference):
            row.void_status = "NOT_NEEDED"
        else:
            row.void_status = "PENDING"
            pending.append(row.id)
    return pending


async def void_label_row(deps: Deps, label_id: str) -> bool:
    """Claim one PENDING void (or one stuck past its lease), call the carrier, save what it said."""
    now = deps.clock.now()
    async with deps.uow() as tx:
        result = cast(CursorResult[Any], await tx.session.execute(
            update(LabelRow).where(LabelRow.id == label_id, LabelRow.void_status.in_(("PENDING", "VOIDING")),
                                   due(now))
            .values(void_status="VOIDING", next_attempt_at=now + LEASE).execution_options(synchronize_session=False)))
        row = await tx.session.get(LabelRow, label_id) if result.rowcount == 1 else None
        await tx.commit()
    if row is None:
        return False
    carrier = carrier_named(deps.carrier, row.carrier)
    if carrier is None:
        outcome = VoidOutcome(voided=False, retryable=True, detail=f"carrier {row.carrier!r} is not configured")
    else:
        outcome = await carrier.void_label(row.carrier_reference, row.tracking_number)
    await _record(deps, label_id, outcome)
    return outcome.voided


async def _record(deps: Deps, label_id: str, outcome: VoidOutcome) -> None:
    now = deps.clock.now()
    async with deps.uow() as tx:
        row, ret = await label_with_return(tx, label_id)
        if outcome.voided:
            row.void_status, row.carrier_voided_at, row.next_attempt_at = "DONE", now, None
            what = row.tracking_number or "(not bought)"
            tx.repo.add_event(ret, now, SYSTEM.label, "LABEL_VOIDED",
                              f"{row.carrier} label {what}: {outcome.detail or 'voided'}")
        elif outcome.retryable:
            row.void_status = "PENDING"
            row.next_attempt_at = now + BACKOFF[min(row.attempts, len(BACKOFF) - 1)]
        else:
            row.void_status, row.next_attempt_at = "REJECTED", None
            tx.repo.add_event(ret, now, SYSTEM.label, "LABEL_VOID_FAILED",
                              f"{row.carrier} label {row.tracking_number}: {outcome.detail or 'refused'}")
        await tx.commit()
    log.info("label void", extra={"label": label_id, "voided": outcome.voided, "retryable": outcome.retryable,
                                  "detail": outcome.detail})


async def due_voids(deps: Deps, limit: int = 100) -> list[str]:
    """Voids waiting for a (re)try, for the worker."""
    now = deps.clock.now()
    stmt = (select(LabelRow.id).join(ReturnRow, ReturnRow.seq == LabelRow.return_seq)
            .where(ReturnRow.tenant == deps.tenant, LabelRow.void_status.in_(("PENDING", "VOIDING")), due(now))
            .order_by(LabelRow.created_at).limit(limit))
    async with deps.uow(readonly=True) as tx:
        return list((await tx.session.execute(stmt)).scalars())
