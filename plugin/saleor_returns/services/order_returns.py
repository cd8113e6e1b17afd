"""Use case: what the federation subgraph adds to a page of Saleor's orders, all at once: each order's
return eligibility and its returns.

N orders cost one read of the order source (Saleor: one `orders(filter: {ids})` query) and one read-only
unit of work with two statements (the orders' returns, whole; the newest policy of their channels),
however large N is. The eligibility rules are the ones orderReturnEligibility runs (eligibility_view).
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.lifecycle import ACTIVE
from ..domain.order import Order
from ..domain.policy import Policy
from ..domain.returns import Return
from ..ports import PolicyVersion, UpstreamUnavailable
from .context import Actor, Deps
from .eligibility import OrderEligibilityView, eligibility_view
from .loading import NOT_FOUND, UNREACHABLE, may_see
from .queries import visible_to


@dataclass(frozen=True, slots=True)
class OrderReturns:
    """One order as the subgraph shows it: its eligibility and the caller's returns of it."""

    eligibility: OrderEligibilityView
    returns: list[Return]  # newest first; a shopper's own only, every one for staff


OrderReturnsOrError = OrderReturns | ReturnError


async def returns_of(deps: Deps, actor: Actor, order_ids: Sequence[str]) -> list[OrderReturnsOrError]:
    """For each id, in order: the order's returns view, or ORDER_NOT_FOUND when it does not exist or `actor`
    may not see it (the two look the same), or UPSTREAM_UNAVAILABLE for all when the store cannot be read."""
    try:
        orders = await deps.orders.get_orders(order_ids)
    except UpstreamUnavailable:
        unreachable = ReturnError(ReturnErrorCode.UPSTREAM_UNAVAILABLE, UNREACHABLE)
        return [unreachable for _ in order_ids]
    visible = {i: o for i, o in orders.items() if may_see(actor, o)}
    views = await _views(deps, actor, visible) if visible else {}
    return [views.get(i) or ReturnError(ReturnErrorCode.ORDER_NOT_FOUND, NOT_FOUND, "id") for i in order_ids]


async def _views(deps: Deps, actor: Actor, orders: dict[str, Order]) -> dict[str, OrderReturns]:
    async with deps.uow(readonly=True) as uow:
        returns = await uow.returns.of_orders(deps.tenant, list(orders))
        policies = await uow.policies.latest_of(deps.tenant, {o.channel.slug for o in orders.values()})
    now = deps.clock.now()
    out = {}
    for order_id, order in orders.items():
        rows = returns.get(order_id, [])
        pv = policies.get(order.channel.slug) or PolicyVersion(Policy(), 0)
        view = eligibility_view(order, pv, returned_units(rows), committed_refunds(rows), now)
        out[order_id] = OrderReturns(view, [r for r in rows if visible_to(actor, r)])
    return out


def returned_units(returns: list[Return]) -> dict[str, int]:
    """Units per order line in returns that were not rejected or cancelled: ReturnRepository.returned_units,
    over returns already loaded (a test keeps the two equal)."""
    out: dict[str, int] = defaultdict(int)
    for ret in returns:
        if ret.status in ACTIVE:
            for line in ret.lines:
                out[line.order_line_id] += line.quantity
    return dict(out)


def committed_refunds(returns: list[Return]) -> dict[str, Decimal]:
    """Per payment, what this app refunded or is refunding: ReturnRepository.committed_refunds, over returns
    already loaded (a test keeps the two equal)."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    for ret in returns:
        for refund in ret.refunds:
            if refund.committed:
                out[refund.payment_id] += refund.amount.amount
    return dict(out)
