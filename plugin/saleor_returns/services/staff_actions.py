"""Use cases for store staff: approve (maybe as keep-item), reject, mark received, retry a refund, close."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.exchanges import RefundMethod
from ..domain.goodwill import Budget, check_spend
from ..domain.lifecycle import Resolution
from ..domain.money import Money
from ..domain.returns import Return
from ..ports import ReturnRef, UnitOfWork
from .context import Actor, Deps
from .goodwill_budgets import daily_budget
from .loading import current_policy, find_locked, order_for
from .queries import reload
from .refunding import call_gateway, pending_work, plan, refund_return
from .request_return import carry_out
from .store_records import record_in_store


def require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise ReturnError(ReturnErrorCode.FORBIDDEN, "This needs a staff member's token.")


async def approve_return(deps: Deps, actor: Actor, return_id: str, resolution: Resolution | None,
                         note: str | None) -> Return:
    """PENDING_REVIEW → APPROVED. Out-of-policy approvals and keep-item conversions spend goodwill."""
    require_staff(actor)
    seen = await reload(deps, return_id)
    order = await order_for(deps, actor, seen.order_id)  # the store down: UPSTREAM_UNAVAILABLE, nothing changed
    now = deps.clock.now()
    async with deps.uow() as uow:
        ret = await find_locked(uow, deps.tenant, return_id)
        spend = ret.goodwill_needed(resolution)
        if spend is not None:
            await _spend_goodwill(uow, deps, actor, ret, spend)
        ret.approve(actor, resolution, note, now, carrier=deps.carriers.for_channel(ret.channel).name)
        if ret.refund_due_at is not None:
            await plan(deps, uow, ret, order)
        await uow.commit()
    await carry_out(deps, ret, order)
    return await reload(deps, return_id)


async def _spend_goodwill(uow: UnitOfWork, deps: Deps, actor: Actor, ret: Return, amount: Money) -> None:
    now = deps.clock.now()
    day = now.astimezone(ZoneInfo(ret.timezone)).date()
    await uow.lock(deps.tenant, f"goodwill:{actor.id}")  # two approvals never both pass
    spent = await uow.goodwill.spent(deps.tenant, actor.id, day, amount.currency)
    budget = Budget(await daily_budget(uow, deps, actor, amount.currency), Money(spent, amount.currency))
    check_spend(budget, amount, is_owner=actor.is_owner)
    uow.goodwill.spend(deps.tenant, actor.id, day, amount, ret.id, now)
    ret.spend_goodwill(actor, amount, budget, now)


async def reject_return(deps: Deps, actor: Actor, return_id: str, note: str) -> Return:
    require_staff(actor)
    async with deps.uow() as uow:
        ret = await find_locked(uow, deps.tenant, return_id)
        ret.reject(actor, note, deps.clock.now())
        await uow.commit()
    return await reload(deps, return_id)


async def close_return(deps: Deps, actor: Actor, return_id: str, note: str | None) -> Return:
    """REFUNDED or REFUND_FAILED → CLOSED (staff decided nothing more will happen)."""
    require_staff(actor)
    async with deps.uow() as uow:
        ret = await find_locked(uow, deps.tenant, return_id)
        ret.close(actor, note, deps.clock.now())
        await uow.commit()
    return await reload(deps, return_id)


async def mark_received(deps: Deps, actor: Actor, return_id: str, note: str | None) -> Return:
    """The parcel is at the warehouse; refunds that wait for receipt follow. The receipt stands even when
    the store cannot be reached: the refund stays due, and the worker (or retryRefund) pays it."""
    require_staff(actor)
    async with deps.uow() as uow:
        ret = await find_locked(uow, deps.tenant, return_id)
        ret.receive(actor, note, deps.clock.now())
        await uow.commit()
    ref = ReturnRef(ret.tenant, ret.id, ret.order_id)
    if ret.refund_due_at is None:  # refunded on approval or first scan: only the store's books are due
        await record_in_store(deps, ref)
        return await reload(deps, return_id)
    await _refund_when_reachable(deps, actor, ref)
    return await reload(deps, return_id)


async def retry_refund(deps: Deps, actor: Actor, return_id: str) -> Return:
    """Try a waiting refund again with its own key, or start again after a failure (Return.retry_refunds)."""
    require_staff(actor)
    async with deps.uow() as uow:
        ret = await find_locked(uow, deps.tenant, return_id)
        ret.retry_refunds(actor, deps.clock.now(), deps.settings.refund_lease)
        await uow.commit()
    if ret.refund_due_at is not None:
        await _refund_when_reachable(deps, actor, ReturnRef(ret.tenant, ret.id, ret.order_id))
    else:
        for item, command in pending_work(ret):
            await call_gateway(deps, item, command)
    return await reload(deps, return_id)


async def _refund_when_reachable(deps: Deps, actor: Actor, ref: ReturnRef) -> None:
    """Pay what the return is owed now; when the store cannot be reached the change that made it due stands,
    the refund stays due (REFUND_WAITING) and the worker, or another retryRefund, pays it."""
    try:
        order = await order_for(deps, actor, ref.order_id)
    except ReturnError as err:
        if err.code is not ReturnErrorCode.UPSTREAM_UNAVAILABLE:
            raise
        async with deps.uow() as uow:
            waiting = await find_locked(uow, deps.tenant, ref.return_id)
            waiting.refund_waiting("the store could not be reached; the refund is retried automatically",
                                   deps.clock.now())
            await uow.commit()
        return
    await refund_return(deps, ref, order)


async def switch_refund_method(deps: Deps, actor: Actor, return_id: str, method: RefundMethod) -> Return:
    """Staff change a return's refund method before its refund is carried out (store credit at the bonus the
    channel's policy offers now)."""
    require_staff(actor)
    async with deps.uow() as uow:
        ret = await find_locked(uow, deps.tenant, return_id)
        pv = await current_policy(uow, deps.tenant, ret.channel)
        ret.switch_refund_method(method, pv.policy.store_credit_bonus_percent, actor, deps.clock.now())
        await uow.commit()
    return await reload(deps, return_id)
