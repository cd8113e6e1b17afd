"""Use case: cancel a return: the shopper until the parcel is scanned, staff any time before the refund."""
from __future__ import annotations

from ..domain.returns import Return
from ..ports import ReturnRef, WorkItem
from .context import Actor, Deps
from .label_voiding import void_label
from .loading import locked
from .queries import get_return, reload


async def cancel_return(deps: Deps, actor: Actor, return_id: str) -> Return:
    seen = await get_return(deps, actor, return_id)  # RETURN_NOT_FOUND for other people's returns
    ref = ReturnRef(seen.tenant, seen.id, seen.order_id)
    async with deps.uow() as uow:
        ret = await locked(uow, ref)
        voids = ret.cancel(actor, deps.clock.now())  # the void intents are saved with the cancellation
        await uow.commit()
    for label_id in voids:
        await void_label(deps, WorkItem(ref, label_id))  # bought labels are voided with their carrier, once
    return await reload(deps, return_id)
