"""Use case: cancel a return: the shopper until the parcel is scanned, staff any time before the refund."""
from __future__ import annotations

from ..adapters.db.models import ReturnRow
from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.lifecycle import ReturnStatus, ensure_shopper_can_cancel, ensure_transition
from .context import Actor, Deps
from .label_voiding import plan_voids, void_label_row
from .queries import get_return, reload
from .refunding import money_on_its_way


async def cancel_return(deps: Deps, actor: Actor, return_id: str) -> ReturnRow:
    seen = await get_return(deps, actor, return_id)  # RETURN_NOT_FOUND for other people's returns
    now = deps.clock.now()
    async with deps.uow() as tx:
        await tx.repo.lock_order(deps.tenant, seen.order_id, now)
        ret = await tx.repo.get_return(deps.tenant, return_id)
        assert ret is not None
        current = ReturnStatus(ret.status)
        if money_on_its_way(ret):
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                              "This return has already been refunded (or the refund is on its way); "
                              "it can no longer be cancelled.")
        if not actor.is_staff:
            ensure_shopper_can_cancel(current)
        ensure_transition(current, ReturnStatus.CANCELLED)
        ret.status = ReturnStatus.CANCELLED.value
        ret.updated_at = now
        for label in ret.labels:
            if label.voided_at is None:
                label.voided_at = now  # a local label costs nothing; carriers void theirs (labels issue)
        voids = plan_voids(ret)  # the intents, saved with the cancellation
        tx.repo.add_event(ret, now, actor.label, ReturnStatus.CANCELLED.value, None)
        await tx.commit()
    for label_id in voids:
        await void_label_row(deps, label_id)  # bought labels are voided with their carrier, once
    return await reload(deps, return_id)
