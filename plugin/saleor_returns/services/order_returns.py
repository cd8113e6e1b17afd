"""The returns already made on an order, for whoever may see the order (OrderReturnEligibility.returns)."""
from __future__ import annotations

from ..adapters.db.models import ReturnRow
from ..adapters.db.repository import ReturnFilter
from .context import Deps

MAX_RETURNS = 100  # an order with more returns than this is not a shopper's order


async def returns_of_order(deps: Deps, order_id: str) -> list[ReturnRow]:
    """Newest first. The caller has already checked that the asker may see the order."""
    async with deps.uow(readonly=True) as tx:
        rows = await tx.repo.list_returns(deps.tenant, ReturnFilter(order_id=order_id), MAX_RETURNS, None)
    return rows[:MAX_RETURNS]
