"""Refunds through Saleor, the engine's side: what a grant books (lines), and Saleor's word on our grants."""
from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from ..adapters.db.uow import SqlUnitOfWork
from ..adapters.refunds.saleor_gateway import GrantLine, GrantPlan, PlanLookup, outcome_of
from ..adapters.saleor.markers import recorded_only, refund_id_in
from ..domain.refunds import RefundStatus
from .context import Actor, ActorKind, Deps
from .refunding import record_outcome

log = logging.getLogger(__name__)
SALEOR_WEBHOOK = Actor(ActorKind.SYSTEM, "saleor-webhook")


def grant_plans(uow: Callable[..., SqlUnitOfWork]) -> PlanLookup:
    """The lines a granted refund books: the return's lines when this refund is the whole return."""

    async def plan(refund_id: str) -> GrantPlan | None:
        async with uow(readonly=True) as tx:
            row = await tx.repo.get_refund(refund_id)
            if row is None:
                return None
            ret = await tx.repo.get_return_by_seq(row.return_seq)
        if ret is None or row.amount != ret.refund_total:
            return None  # split over payments, or a top-up: the amount alone, Saleor cannot split lines
        lines = tuple(GrantLine(line.order_line_id, line.quantity, line.reason) for line in ret.lines)
        return GrantPlan(lines, shipping=ret.shipping_refund > Decimal(0))

    return plan


async def confirm_grants(deps: Deps, order_id: str, grants: list[dict[str, Any]]) -> list[str]:
    """Apply Saleor's status of our granted refunds on one order (a signed webhook said so).

    Only refunds of this tenant, this order and the saleor gateway move, and only from PENDING
    (record_outcome keeps every later word out). Returns the ids of the returns that changed.
    """
    changed = []
    for grant in grants:
        refund_id = refund_id_in(grant.get("reason"))
        if refund_id is None or recorded_only(grant.get("reason")):
            continue
        outcome = outcome_of(grant)
        if outcome.status is RefundStatus.PENDING:
            continue
        ours = await _ours(deps, refund_id, order_id)
        if ours is None:
            continue
        return_id, before = ours
        after = await record_outcome(deps, refund_id, outcome, actor=SALEOR_WEBHOOK)
        if after is not before:
            changed.append(return_id)
            log.info("saleor confirmed a refund", extra={"tenant": deps.tenant, "refund_id": refund_id,
                                                         "status": after.value, "grant": grant.get("id")})
    return changed


async def _ours(deps: Deps, refund_id: str, order_id: str) -> tuple[str, RefundStatus] | None:
    """The return and current status of our saleor refund on this tenant's order; None when it is not one."""
    async with deps.uow(readonly=True) as tx:
        row = await tx.repo.get_refund(refund_id)
        if row is None or row.tenant != deps.tenant or row.order_id != order_id or row.gateway != "saleor":
            return None
        ret = await tx.repo.get_return_by_seq(row.return_seq)
        return (ret.id, RefundStatus(row.status)) if ret is not None else None
