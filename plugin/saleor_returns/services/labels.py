"""Use case: a prepaid label for a shipped-back return, bought at most once per return."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from ..adapters.db.models import LabelRow, ReturnRow
from ..domain.lifecycle import ReturnStatus, can_move
from ..domain.order import Order
from ..ports import LabelError, LabelLine, LabelRequest
from .context import SYSTEM, Deps


def active_label(ret: ReturnRow) -> LabelRow | None:
    labels = [lb for lb in ret.labels if lb.voided_at is None]
    return labels[-1] if labels else None


def ship_by(ret: ReturnRow, now: datetime, valid_days: int) -> datetime:
    """The one deadline while it is ahead; past it (grace, exceptions) the label's own validity."""
    for moment in (ret.deadline, ret.grace_deadline):
        if moment is not None and now <= moment:
            return moment
    return now + timedelta(days=valid_days)


def label_key(ret: ReturnRow) -> str:
    return f"saleor-returns-label-{ret.id}"


async def issue_label(deps: Deps, return_id: str, order: Order) -> LabelRow | None:
    """Draw or buy the label; on failure the return stays APPROVED with a LABEL_FAILED event."""
    async with deps.uow(readonly=True) as tx:
        ret = await tx.repo.get_return(deps.tenant, return_id)
        assert ret is not None
        if active_label(ret) is not None or not can_move(ReturnStatus(ret.status), ReturnStatus.LABEL_ISSUED):
            return active_label(ret)
        request = LabelRequest(
            return_id=ret.id, return_number=ret.number, order_number=order.number, ship_from=order.shipping_address,
            ship_to=deps.orders.return_address(order.channel.slug),
            deadline=ship_by(ret, deps.clock.now(), deps.settings.label_valid_days).astimezone(ZoneInfo(ret.timezone)),
            timezone=ret.timezone, lines=tuple(LabelLine(line.product_name, line.quantity) for line in ret.lines),
            idempotency_key=label_key(ret))
    now = deps.clock.now()
    try:
        issued = await deps.carrier.create_label(request)
    except LabelError as exc:
        async with deps.uow() as tx:
            ret = await tx.repo.get_return(deps.tenant, return_id)
            assert ret is not None
            tx.repo.add_event(ret, now, SYSTEM.label, "LABEL_FAILED", str(exc))
            await tx.commit()
        return None
    async with deps.uow() as tx:
        await tx.repo.lock_order(deps.tenant, order.id, now)
        ret = await tx.repo.get_return(deps.tenant, return_id)
        assert ret is not None
        if active_label(ret) is not None:  # a concurrent call got there first: keep one label
            return active_label(ret)
        row = LabelRow(id=str(uuid.uuid4()), carrier=issued.carrier, tracking_number=issued.tracking_number,
                       carrier_reference=issued.carrier_reference, pdf=issued.pdf,
                       cost=issued.cost.amount if issued.cost else None,
                       currency=issued.cost.currency if issued.cost else None, expires_at=issued.expires_at,
                       created_at=now)
        ret.labels.append(row)
        if can_move(ReturnStatus(ret.status), ReturnStatus.LABEL_ISSUED):
            ret.status = ReturnStatus.LABEL_ISSUED.value
            ret.updated_at = now
        tx.repo.add_event(ret, now, SYSTEM.label, ReturnStatus.LABEL_ISSUED.value,
                          f"{issued.carrier} label {issued.tracking_number}")
        await tx.commit()
        return row
