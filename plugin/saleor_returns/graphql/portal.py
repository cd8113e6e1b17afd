"""Portal area (shoppers): find an order by the number on the receipt."""
from __future__ import annotations

import strawberry

from ..domain.codes import ReturnError as DomainError
from ..services.eligibility import check_eligibility
from ..services.order_lookup import find_order
from .context import Info
from .types import LineEligibility, OrderReturnEligibility, OrderReturnEligibilityResult, ReturnError


@strawberry.type
class PortalQuery:
    @strawberry.field(description="Like orderReturnEligibility, for the order number printed on the receipt "
                                  "(\"1001\" or \"#1001\"; an order id works too).")
    async def order_return_eligibility_by_number(self, info: Info, order_number: str,
                                                 email: str | None = None) -> OrderReturnEligibilityResult:
        ctx = info.context
        actor = ctx.shopper(email)
        try:
            order = await find_order(ctx.deps, actor, order_number)
            view = await check_eligibility(ctx.deps, actor, order.id)
        except DomainError as err:
            return ReturnError.of(err)
        o = view.order
        return OrderReturnEligibility(order_id=strawberry.ID(o.id), order_number=o.number, channel=o.channel.slug,
                                      timezone=o.channel.timezone, deadline=view.deadline,
                                      grace_deadline=view.grace_deadline,
                                      lines=[LineEligibility.of(el) for el in view.lines])
