"""Refunds through a Saleor store, the engine's side: what a granted refund books (the return's lines), and
the store's word on our grants (a signed webhook) applied to our refunds."""
from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from ..domain.actors import Actor
from ..domain.refunds import RefundStatus
from ..ports import GrantLine, GrantPlan, RefundWord, UnitOfWorkFactory
from .context import Deps
from .refunding import record_outcome

log = logging.getLogger(__name__)
SALEOR_WEBHOOK = Actor.system("saleor-webhook")
SALEOR_GATEWAY = "saleor"


def grant_plans(uow: UnitOfWorkFactory) -> Callable[[str], Awaitable[GrantPlan | None]]:
    """The lines a granted refund books: the return's lines when this refund is the whole return."""

    async def plan(refund_id: str) -> GrantPlan | None:
        async with uow(readonly=True) as tx:
            item = await tx.returns.locate_refund(refund_id)
            ret = await tx.returns.get(item.ref.tenant, item.ref.return_id) if item is not None else None
        if ret is None or ret.refund(refund_id).amount != ret.refund_total:
            return None  # split over payments, or a top-up: the amount alone, Saleor cannot split lines
        lines = tuple(GrantLine(line.order_line_id, line.quantity, line.reason) for line in ret.lines)
        return GrantPlan(lines, shipping=ret.shipping_refund.amount > 0)

    return plan


async def confirm_grants(deps: Deps, order_id: str, words: list[RefundWord]) -> list[str]:
    """Apply the store's status of our granted refunds on one of its orders.

    Only refunds of this tenant, this order and the saleor gateway move, and only from PENDING (a settled
    refund keeps its word). Returns the ids of the returns that changed.
    """
    changed = []
    for word in words:
        if word.outcome.status is RefundStatus.PENDING:
            continue
        async with deps.uow(readonly=True) as uow:
            item = await uow.returns.locate_refund(word.refund_id)
            ret = await uow.returns.get(item.ref.tenant, item.ref.return_id) if item is not None else None
        if item is None or ret is None or item.ref.tenant != deps.tenant or ret.order_id != order_id:
            continue
        refund = ret.refund(word.refund_id)
        if refund.gateway != SALEOR_GATEWAY:
            continue
        after = await record_outcome(deps, item, word.outcome, actor=SALEOR_WEBHOOK)
        if after is not refund.status:
            changed.append(ret.id)
            log.info("saleor confirmed a refund", extra={"tenant": deps.tenant, "refund_id": word.refund_id,
                                                         "status": after.value})
    return changed
