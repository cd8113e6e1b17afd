"""Use case: a carrier says where a parcel is. The first scan moves the return to IN_TRANSIT (and, with
refund_timing ON_FIRST_SCAN, refunds it); delivery to the warehouse is recorded for staff to see.

Carriers repeat their webhooks: each event is kept once (unique carrier + event id), inside the same
transaction as the change it causes, so a repeat changes nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.engine import CursorResult

from ..adapters.db.dialect import insert_for
from ..adapters.db.models import LabelRow, ReturnRow, TrackingEventRow
from ..adapters.db.uow import SqlUnitOfWork
from ..domain.lifecycle import ReturnStatus, can_move
from ..ports import UpstreamUnavailable
from .context import Deps
from .refunding import refund_return

log = logging.getLogger(__name__)
ARRIVED = "ARRIVED"  # the event staff see when the carrier delivered the parcel to the warehouse


class ParcelStatus(str, Enum):
    PRE_TRANSIT = "PRE_TRANSIT"
    IN_TRANSIT = "IN_TRANSIT"
    OUT_FOR_DELIVERY = "OUT_FOR_DELIVERY"
    DELIVERED = "DELIVERED"
    RETURNED = "RETURNED"  # back to the shopper
    FAILURE = "FAILURE"
    UNKNOWN = "UNKNOWN"


MOVING = frozenset({ParcelStatus.IN_TRANSIT, ParcelStatus.OUT_FOR_DELIVERY, ParcelStatus.DELIVERED})


@dataclass(frozen=True, slots=True)
class TrackingUpdate:
    carrier: str
    event_id: str  # what makes a repeat a repeat
    tracking_number: str
    status: ParcelStatus
    detail: str | None = None
    occurred_at: datetime | None = None


class Applied(str, Enum):
    DUPLICATE = "duplicate"
    UNKNOWN_LABEL = "unknown_label"
    RECORDED = "recorded"


@dataclass(frozen=True, slots=True)
class _Effect:
    return_id: str
    order_id: str
    refund_now: bool


async def apply_tracking(deps: Deps, update: TrackingUpdate) -> Applied:
    """Record one carrier event once and move the return as it says."""
    now = deps.clock.now()
    async with deps.uow() as tx:
        label = await _label(tx, update)
        if label is None:
            log.info("tracking for an unknown label", extra={"carrier": update.carrier,
                                                             "tracking": update.tracking_number})
            return Applied.UNKNOWN_LABEL
        ret = await tx.repo.get_return_by_seq(label.return_seq)
        assert ret is not None
        await tx.repo.lock_order(ret.tenant, ret.order_id, now)
        if not await _first_time(tx, update, label.id, now):
            return Applied.DUPLICATE
        await tx.session.refresh(ret)
        await tx.session.refresh(label)
        effect = _move(tx, ret, label, update, now)
        await tx.commit()
    if effect is not None and effect.refund_now:
        await _refund_on_first_scan(deps, effect)
    return Applied.RECORDED


async def _label(tx: SqlUnitOfWork, update: TrackingUpdate) -> LabelRow | None:
    stmt = (select(LabelRow).where(LabelRow.carrier == update.carrier,
                                   LabelRow.tracking_number == update.tracking_number)
            .order_by(LabelRow.created_at.desc()).limit(1))
    return (await tx.session.execute(stmt)).scalar_one_or_none()


async def _first_time(tx: SqlUnitOfWork, update: TrackingUpdate, label_id: str, now: datetime) -> bool:
    """Insert the event; False when it was already there (a repeated webhook)."""
    values = {"carrier": update.carrier, "event_id": update.event_id[:255], "label_id": label_id,
              "tracking_number": update.tracking_number, "status": update.status.value,
              "detail": update.detail, "occurred_at": update.occurred_at, "received_at": now}
    ins = insert_for(tx.session, TrackingEventRow).values(**values)
    result = cast(CursorResult[Any], await tx.session.execute(ins.on_conflict_do_nothing(
        index_elements=["carrier", "event_id"])))
    return bool(result.rowcount)


def _move(tx: SqlUnitOfWork, ret: ReturnRow, label: LabelRow, update: TrackingUpdate,
          now: datetime) -> _Effect | None:
    actor = f"webhook:{update.carrier}"
    effect = None
    if update.status in MOVING and label.first_scan_at is None:
        label.first_scan_at = update.occurred_at or now
        current = ReturnStatus(ret.status)
        if current is not ReturnStatus.IN_TRANSIT and can_move(current, ReturnStatus.IN_TRANSIT):
            ret.status = ReturnStatus.IN_TRANSIT.value
            ret.updated_at = now
            tx.repo.add_event(ret, now, actor, ReturnStatus.IN_TRANSIT.value,
                              f"{update.carrier} {update.tracking_number}: {update.detail or 'first scan'}")
            effect = _Effect(ret.id, ret.order_id, ret.decision.get("refund_timing") == "ON_FIRST_SCAN")
    if update.status is ParcelStatus.DELIVERED and label.delivered_at is None:
        label.delivered_at = update.occurred_at or now
        tx.repo.add_event(ret, now, actor, ARRIVED,
                          f"delivered to the warehouse ({update.carrier} {update.tracking_number}); "
                          "check the items and mark the return received")
    elif update.status in (ParcelStatus.RETURNED, ParcelStatus.FAILURE):
        tx.repo.add_event(ret, now, actor, "TRACKING_PROBLEM",
                          f"{update.carrier} {update.tracking_number}: {update.status.value} "
                          f"({update.detail or 'no detail'})")
    return effect


async def _refund_on_first_scan(deps: Deps, effect: _Effect) -> None:
    try:
        order = await deps.orders.get_order(effect.order_id)
    except UpstreamUnavailable:
        log.warning("refund on first scan postponed: the store is unreachable", extra={"return": effect.return_id})
        return
    if order is None:
        log.error("refund on first scan: the order is gone", extra={"return": effect.return_id})
        return
    await refund_return(deps, effect.return_id, order)
