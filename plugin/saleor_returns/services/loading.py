"""Loading what a decision needs: the order (if the asker may see it), the policy, a return under its lock."""
from __future__ import annotations

from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.order import Channel, Order
from ..domain.policy import Policy
from ..domain.refund_math import left_per_payment, left_to_refund
from ..domain.returns import Return
from ..ports import PolicyVersion, ReturnRef, UnitOfWork, UpstreamUnavailable
from .context import Actor, Deps

__all__ = ["NOT_FOUND", "channel_of", "current_policy", "left_per_payment", "left_to_refund", "locked", "order_for",
           "fetch_order", "may_see", "PolicyVersion", "UNREACHABLE"]

NOT_FOUND = "We could not find an order with that number and e-mail address."
UNREACHABLE = "The store cannot be reached right now; please try again in a minute."


async def fetch_order(deps: Deps, order_id: str) -> Order | None:
    """The order as its store has it; UPSTREAM_UNAVAILABLE when the store cannot be reached."""
    try:
        return await deps.orders.get_order(order_id)
    except UpstreamUnavailable as exc:
        raise ReturnError(ReturnErrorCode.UPSTREAM_UNAVAILABLE, UNREACHABLE) from exc


async def order_for(deps: Deps, actor: Actor, order_id: str) -> Order:
    """The order, when `actor` may act on it. A wrong e-mail and a missing order look the same."""
    order = await fetch_order(deps, order_id)
    if order is not None and may_see(actor, order):
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


async def current_policy(uow: UnitOfWork, tenant: str, channel: str) -> PolicyVersion:
    """The channel's saved policy, or the built-in defaults (version 0)."""
    return await uow.policies.latest(tenant, channel) or PolicyVersion(Policy(), 0)


async def locked(uow: UnitOfWork, ref: ReturnRef, known: Return | None = None) -> Return:
    """The return, read under its order's lock (every write about one order queues there); `known`: the copy
    the caller saved a moment ago, read again only if somebody wrote the return since."""
    await uow.lock_order(ref.tenant, ref.order_id)
    ret = await uow.returns.get(ref.tenant, ref.return_id, known)
    assert ret is not None, "returns are never deleted"
    return ret


async def find_locked(uow: UnitOfWork, tenant: str, return_id: str) -> Return:
    """A return of this store under its order's lock; RETURN_NOT_FOUND when there is none."""
    ref = await uow.returns.locate(tenant, return_id)
    if ref is None:
        raise ReturnError(ReturnErrorCode.RETURN_NOT_FOUND, f"There is no return {return_id}.", "id")
    return await locked(uow, ref)
