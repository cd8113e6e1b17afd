"""Saleor's `Order`, extended in the federation subgraph (key `id`) with what a storefront asks about returns.

A gateway asks for a page of Saleor orders at once (`_entities` with N representations); every field here
loads through one DataLoader per request, so the N orders cost one read of Saleor and one unit of work
(services/order_returns.py), not N of each.
"""
from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry.dataloader import DataLoader

from ..domain.codes import ReturnError as DomainError
from ..services.order_returns import OrderReturns, OrderReturnsOrError, returns_of
from .context import Context, Info
from .types import OrderReturnEligibility, OrderReturnEligibilityResult, ReturnError, ReturnRequest

LOADER = "order_returns"


@strawberry.type(description="The caller's returns of one order (a shopper's own; staff see every one).")
class OrderReturnRequests:
    order_id: strawberry.ID
    items: list[ReturnRequest] = strawberry.field(description="Newest first.")


OrderReturnRequestsResult = Annotated[OrderReturnRequests | ReturnError, strawberry.union("OrderReturnRequestsResult")]


# no description: the supergraph would show ours instead of Saleor's on Saleor's own type
@strawberry.federation.type(keys=["id"])
class Order:
    """Saleor's order (the Saleor subgraph owns it), with what can be returned and the returns made."""

    id: strawberry.ID

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> "Order":  # noqa: A002  (the key's name)
        return cls(id=id)

    @strawberry.field(description="Which lines of this order can be returned, until when, and why: the answer of "
                                  "orderReturnEligibility. ReturnError ORDER_NOT_FOUND when the caller may not see "
                                  "the order.")
    async def return_eligibility(self, info: Info) -> OrderReturnEligibilityResult:
        try:
            found = await _load(info, self.id)
        except DomainError as err:
            return ReturnError.of(err)
        return OrderReturnEligibility.of(found.eligibility)

    @strawberry.field(description="The returns of this order. ReturnError ORDER_NOT_FOUND when the caller may not "
                                  "see the order.")
    async def return_requests(self, info: Info) -> OrderReturnRequestsResult:
        try:
            found = await _load(info, self.id)
        except DomainError as err:
            return ReturnError.of(err)
        return OrderReturnRequests(order_id=self.id, items=[ReturnRequest.of(r) for r in found.returns])


async def _load(info: Info, order_id: strawberry.ID) -> OrderReturns:
    """The order's returns view, batched with every other order of this request (raises the domain error)."""
    ctx = info.context
    loader = ctx.extras.get(LOADER)
    if not isinstance(loader, DataLoader):
        loader = ctx.extras[LOADER] = DataLoader(load_fn=lambda ids: _batch(ctx, ids))
    found: OrderReturns = await loader.load(str(order_id))
    return found


async def _batch(ctx: Context, order_ids: list[str]) -> list[OrderReturnsOrError]:
    try:
        actor = ctx.shopper(None)  # a signed-in customer or staff; a guest (no e-mail here) sees no order
    except DomainError as err:  # credentials presented and refused: every order says why
        return [err for _ in order_ids]
    return await returns_of(ctx.deps, actor, order_ids)
