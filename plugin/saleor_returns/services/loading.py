"""Loading what a decision needs: the order (if the asker may see it), the policy, the money left."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..adapters.db.repository import Repository
from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.money import Money, total
from ..domain.order import Channel, Order
from ..domain.policy import Policy, policy_from_dict
from ..ports import UpstreamUnavailable
from .context import Actor, Deps

if TYPE_CHECKING:
    from ..adapters.db.models import PolicyVersionRow

NOT_FOUND = "We could not find an order with that number and e-mail address."
UNREACHABLE = "The store cannot be reached right now; please try again in a minute."


async def order_for(deps: Deps, actor: Actor, order_id: str) -> Order:
    """The order, when `actor` may act on it. A wrong e-mail and a missing order look the same."""
    try:
        order = await deps.orders.get_order(order_id)
    except UpstreamUnavailable as exc:
        raise ReturnError(ReturnErrorCode.UPSTREAM_UNAVAILABLE, UNREACHABLE) from exc
    if order is None:
        raise ReturnError(ReturnErrorCode.ORDER_NOT_FOUND, NOT_FOUND, "orderId")
    if may_see(actor, order):
        return order
    raise ReturnError(ReturnErrorCode.ORDER_NOT_FOUND, NOT_FOUND, "orderId")


def may_see(actor: Actor, order: Order) -> bool:
    """Staff see every order of their store; a shopper only their own (by customer id or e-mail)."""
    return actor.is_staff or order.owned_by(actor.email, actor.user_id)


async def channel_of(deps: Deps, slug: str) -> Channel:
    """The channel named `slug`; INVALID_INPUT (field `channel`) when the order source has none."""
    channel = await deps.orders.get_channel(slug)
    if channel is None:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, f"There is no channel {slug!r}.", "channel")
    return channel


@dataclass(frozen=True, slots=True)
class PolicyVersion:
    policy: Policy
    version: int  # 0: the built-in defaults, never saved


async def current_policy(repo: Repository, tenant: str, channel: str) -> PolicyVersion:
    return policy_version(await repo.latest_policy(tenant, channel))


def policy_version(row: PolicyVersionRow | None) -> PolicyVersion:
    """A saved policy version, or the built-in defaults (version 0) when the channel has none."""
    if row is None:
        return PolicyVersion(Policy(), 0)
    return PolicyVersion(policy_from_dict(row.settings), row.version)


def left_per_payment(order: Order, committed: dict[str, Decimal]) -> list[tuple[str, Money]]:
    """What is left to refund on each payment: charged − refunded elsewhere − refunded by us."""
    out = []
    for p in order.payments:
        mine = Money(committed.get(p.id, Decimal(0)), order.currency)
        out.append((p.id, (p.charged - p.refunded - mine).max(Money.zero(order.currency))))
    return out


def left_to_refund(order: Order, committed: dict[str, Decimal]) -> Money:
    """What is left to refund on the whole order (the sum over its payments)."""
    return total([left for _, left in left_per_payment(order, committed)], order.currency)
