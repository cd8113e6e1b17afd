"""Voiding labels with their carrier, exactly once: after a cancellation, or when an unused label expires.
The intent (void PENDING) is saved with the change that causes it; only the caller that claims it (VOIDING,
for a lease) calls the carrier; the outcome is saved after; the worker retries what did not go through."""
from __future__ import annotations

import logging

from ..ports import VoidOutcome, WorkItem
from .context import Deps
from .loading import locked

log = logging.getLogger(__name__)


async def void_label(deps: Deps, item: WorkItem) -> bool:
    """Claim one pending void (or one stuck past its lease), ask the carrier, save what it said."""
    async with deps.uow() as uow:
        ret = await locked(uow, item.ref)
        claimed = ret.claim_void(item.item_id, deps.clock.now())
        label = ret.label(item.item_id)
        await uow.commit()
    if not claimed:
        return False
    carrier = deps.carriers.named(label.carrier)
    if carrier is None:
        outcome = VoidOutcome(voided=False, retryable=True, detail=f"carrier {label.carrier!r} is not configured")
    else:
        outcome = await carrier.void_label(label.carrier_reference, label.tracking_number)
    async with deps.uow() as uow:
        ret = await locked(uow, item.ref)
        ret.label_void_outcome(item.item_id, voided=outcome.voided, retryable=outcome.retryable,
                               detail=outcome.detail, now=deps.clock.now())
        await uow.commit()
    log.info("label void", extra={"label": item.item_id, "voided": outcome.voided, "retryable": outcome.retryable,
                                  "detail": outcome.detail})
    return outcome.voided
