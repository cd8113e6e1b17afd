"""Portal area (shoppers): find an order by the number on the receipt."""
from __future__ import annotations

import strawberry

from ..domain.codes import ReturnError as DomainError
from ..services.eligibility import eligibility_of
from ..services.order_lookup import find_order
from .context import Info
from .types import OrderReturnEligibility, OrderReturnEligibilityResult, ReturnError


@strawberry.type
class PortalQuery:
    @strawberry.field(description="Like orderReturnEligibility, for the order number printed on the receipt "
                                  "(\"1001\" or \"#1001\"; an order id works too).")
    async def order_return_eligibility_by_number(self, info: Info, order_number: str,
                                                 email: str | None = None) -> OrderReturnEligibilityResult:
        ctx = info.context
        try:
            actor = ctx.shopper(email)
            order = await find_order(ctx.deps, actor, order_number)  # the actor may see it: no second fetch
            view = await eligibility_of(ctx.deps, order)
        except DomainError as err:
            return ReturnError.of(err)
        return OrderReturnEligibility.of(view)
