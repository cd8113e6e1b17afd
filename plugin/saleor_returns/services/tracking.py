"""Use case: a carrier says where a parcel is. The first scan moves the return to IN_TRANSIT (and, with
refund_timing ON_FIRST_SCAN, makes its refund due); delivery to the warehouse is noted for staff.

Carriers repeat their webhooks: each event is kept once (unique carrier + event id), in the same transaction
as the change it causes, so a repeat changes nothing. The store of the label's return acts, whichever
store the webhook came through; a refund due on the first scan is durable (the worker finishes it when the
store cannot be reached now).
"""
from __future__ import annotations

import logging
from enum import Enum

from ..domain.tracking import MOVING, ParcelStatus, TrackingUpdate
from ..ports import ReturnRef, UpstreamUnavailable
from .context import Deps
from .loading import locked
from .refunding import refund_return

__all__ = ["MOVING", "Applied", "ParcelStatus", "TrackingUpdate", "apply_tracking"]
log = logging.getLogger(__name__)


class Applied(str, Enum):
    DUPLICATE = "duplicate"
    UNKNOWN_LABEL = "unknown_label"
    RECORDED = "recorded"


async def apply_tracking(base: Deps, update: TrackingUpdate) -> Applied:
    """Record one carrier event once and move the return as it says."""
    async with base.uow() as uow:
        item = await uow.returns.locate_tracking(update.carrier, update.tracking_number)
        if item is None:
            log.info("tracking for an unknown label", extra={"carrier": update.carrier,
                                                             "tracking": update.tracking_number})
            return Applied.UNKNOWN_LABEL
        ret = await locked(uow, item.ref)
        if not await uow.inbox.first_tracking_event(update, item.item_id, base.clock.now()):
            return Applied.DUPLICATE
        ret.track(item.item_id, update, base.clock.now())
        refund_now = ret.refund_due_at is not None
        await uow.commit()
    if refund_now:
        await _refund_on_first_scan(base, item.ref.tenant, item.ref)
    return Applied.RECORDED


async def _refund_on_first_scan(base: Deps, tenant: str, ref: ReturnRef) -> None:
    """The refund the first scan made due, through the return's own store; the worker retries it otherwise."""
    deps = await base.of_store(tenant)
    if deps is None:
        log.warning("refund on first scan: the store is not served here", extra={"tenant": tenant})
        return
    try:
        order = await deps.orders.get_order(ref.order_id)
    except UpstreamUnavailable as exc:  # the store is down: the refund stays due for the worker
        log.warning("refund on first scan postponed", extra={"return": ref.return_id, "error": str(exc)})
        return
    if order is None:
        log.error("refund on first scan: the order is gone", extra={"return": ref.return_id})
        return
    await refund_return(deps, ref, order)
