"""Use case: which lines of an order can be returned, until when, and why (orderReturnEligibility)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from ..domain.eligibility import LineEligibility, check_order
from ..domain.exchanges import ExchangeOption, RefundMethodOption, refund_methods
from ..domain.order import Order
from .context import Actor, Deps
from .exchange_offers import offers, products_of, stock_left
from .loading import PolicyVersion, current_policy, left_to_refund, order_for


@dataclass(frozen=True, slots=True)
class OrderEligibilityView:
    order: Order
    lines: list[LineEligibility]
    policy_version: int
    refund_methods: tuple[RefundMethodOption, ...] = ()
    # per order line, what it may be swapped for: read from the catalog by eligibility_of, one order at a time;
    # a batch (services/order_returns.py) reads no catalog, so it is not part of what a batch must answer alike
    exchange_options: dict[str, tuple[ExchangeOption, ...]] = field(default_factory=dict, compare=False)

    @property
    def deadline(self) -> datetime | None:
        """The order's deadline: the latest line deadline (until when anything can still be returned)."""
        dates = [el.deadline.deadline for el in self.lines if el.deadline]
        return max(dates) if dates else None

    @property
    def grace_deadline(self) -> datetime | None:
        dates = [el.deadline.grace_deadline for el in self.lines if el.deadline]
        return max(dates) if dates else None


async def check_eligibility(deps: Deps, actor: Actor, order_id: str) -> OrderEligibilityView:
    """The order's eligibility, when `actor` may see the order (ORDER_NOT_FOUND otherwise)."""
    return await eligibility_of(deps, await order_for(deps, actor, order_id))


async def eligibility_of(deps: Deps, order: Order) -> OrderEligibilityView:
    """The eligibility of an order the caller already loaded for an actor who may see it (no second fetch)."""
    async with deps.uow(readonly=True) as uow:
        pv = await current_policy(uow, deps.tenant, order.channel.slug)
        returned = await uow.returns.returned_units(deps.tenant, order.id)
        committed = await uow.returns.committed_refunds(deps.tenant, order.id)
    view = eligibility_view(order, pv, returned, committed, deps.clock.now())
    products = await products_of(deps, order, pv.policy)
    stock = await stock_left(deps, products) if products else {}
    return replace(view, exchange_options=offers(order, pv.policy, products, stock))


def eligibility_view(order: Order, pv: PolicyVersion, returned: dict[str, int], committed: dict[str, Decimal],
                     now: datetime) -> OrderEligibilityView:
    """The eligibility of an order from what was read about it: its policy version, the units already in
    returns per line, and what this app refunded per payment."""
    lines = check_order(order, pv.policy, returned, left_to_refund(order, committed), now)
    return OrderEligibilityView(order, lines, pv.version, refund_methods(pv.policy))
