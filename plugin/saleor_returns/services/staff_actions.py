"""Use cases for store staff: approve (maybe as keep-item), reject, mark received, retry a refund."""
from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

from ..adapters.db.models import ReturnRow
from ..adapters.db.uow import SqlUnitOfWork
from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.goodwill import Budget, check_spend
from ..domain.lifecycle import RECEIVABLE, Resolution, ReturnStatus, ensure_transition, status_after_retry
from ..domain.money import Money
from ..domain.order import Order
from ..domain.refunds import RefundStatus
from .context import SYSTEM, Actor, Deps
from .loading import order_for
from .queries import reload
from .refund_worker import reopen_given_up
from .refunding import money_on_its_way, move_if_fully_refunded, perform_refund, refund_return
from .request_return import carry_out
from .saleor_writeback import record_in_store


def require_staff(actor: Actor) -> None:
    if not actor.is_staff:
        raise ReturnError(ReturnErrorCode.FORBIDDEN, "This needs a staff member's token.")


async def _locked_return(tx: SqlUnitOfWork, deps: Deps, return_id: str) -> ReturnRow:
    ret = await tx.repo.get_return(deps.tenant, return_id)
    if ret is None:
        raise ReturnError(ReturnErrorCode.RETURN_NOT_FOUND, f"There is no return {return_id}.", "id")
    await tx.repo.lock_order(deps.tenant, ret.order_id, deps.clock.now())
    await tx.session.refresh(ret)  # read again under the lock
    return ret


async def approve_return(deps: Deps, actor: Actor, return_id: str, resolution: Resolution | None,
                         note: str | None) -> ReturnRow:
    """PENDING_REVIEW → APPROVED. Out-of-policy approvals and keep-item conversions spend goodwill."""
    require_staff(actor)
    order = await _order_of(deps, actor, return_id)  # the store down: UPSTREAM_UNAVAILABLE, nothing changed
    now = deps.clock.now()
    async with deps.uow() as tx:
        ret = await _locked_return(tx, deps, return_id)
        ensure_transition(ReturnStatus(ret.status), ReturnStatus.APPROVED)
        if ReturnStatus(ret.status) is not ReturnStatus.PENDING_REVIEW:
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION, f"a return that is {ret.status} needs no approval")
        converting = resolution is Resolution.KEEP_ITEM and ret.resolution != Resolution.KEEP_ITEM.value
        if converting:  # no parcel comes back: nothing to deduct for shipping it
            ret.refund_total = ret.refund_total + ret.shipping_deduction
            ret.shipping_deduction = Decimal(0)
            ret.resolution = Resolution.KEEP_ITEM.value
        elif resolution is not None:
            ret.resolution = resolution.value
        if ret.out_of_policy or converting:
            await _spend_goodwill(tx, deps, actor, ret, now)
        ret.status = ReturnStatus.APPROVED.value
        ret.updated_at = now
        tx.repo.add_event(ret, now, actor.label, ReturnStatus.APPROVED.value,
                          _join(f"as {ret.resolution}", note))
        await tx.commit()
        chosen, timing = ret.resolution, ret.decision.get("refund_timing")
    await carry_out(deps, return_id, order, chosen, timing)
    return await reload(deps, return_id)


async def _note(deps: Deps, return_id: str, type_: str, note: str) -> None:
    now = deps.clock.now()
    async with deps.uow() as tx:
        ret = await _locked_return(tx, deps, return_id)
        tx.repo.add_event(ret, now, SYSTEM.label, type_, note)
        await tx.commit()


async def _order_of(deps: Deps, actor: Actor, return_id: str) -> Order:
    async with deps.uow(readonly=True) as tx:
        ret = await tx.repo.get_return(deps.tenant, return_id)
    if ret is None:
        raise ReturnError(ReturnErrorCode.RETURN_NOT_FOUND, f"There is no return {return_id}.", "id")
    return await order_for(deps, actor, ret.order_id)


async def _spend_goodwill(tx: SqlUnitOfWork, deps: Deps, actor: Actor, ret: ReturnRow, now) -> None:
    day = now.astimezone(ZoneInfo(ret.timezone)).date()
    await tx.repo.lock_key(deps.tenant, f"goodwill:{actor.id}", now)  # two approvals never both pass
    budget = deps.settings.goodwill_budget(ret.currency)
    spent = await tx.repo.goodwill_spent(deps.tenant, actor.id, day, ret.currency)
    amount = Money(ret.refund_total, ret.currency)
    check_spend(Budget(budget, Money(spent, ret.currency)), amount, is_owner=actor.is_owner)
    tx.repo.spend_goodwill(deps.tenant, actor.id, day, amount.amount, amount.currency, ret, now)
    tx.repo.add_event(ret, now, actor.label, "GOODWILL_SPENT", f"{amount} of {budget} today")


async def reject_return(deps: Deps, actor: Actor, return_id: str, note: str) -> ReturnRow:
    require_staff(actor)
    if not note or not note.strip():
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "Say why the return is rejected; the shopper sees it.",
                          "note")
    now = deps.clock.now()
    async with deps.uow() as tx:
        ret = await _locked_return(tx, deps, return_id)
        if money_on_its_way(ret):
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION, "money has already gone back for this return")
        ensure_transition(ReturnStatus(ret.status), ReturnStatus.REJECTED)
        ret.status = ReturnStatus.REJECTED.value
        ret.updated_at = now
        tx.repo.add_event(ret, now, actor.label, ReturnStatus.REJECTED.value, note.strip())
        await tx.commit()
    return await reload(deps, return_id)


async def mark_received(deps: Deps, actor: Actor, return_id: str, note: str | None) -> ReturnRow:
    """The parcel is at the warehouse; refunds that wait for receipt (or the first scan) follow."""
    require_staff(actor)
    now = deps.clock.now()
    async with deps.uow() as tx:
        ret = await _locked_return(tx, deps, return_id)
        current = ReturnStatus(ret.status)
        if current not in RECEIVABLE:
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                              f"a return that is {current.value} cannot be marked received")
        if ret.resolution == Resolution.KEEP_ITEM.value:  # APPROVED(KEEP_ITEM) → REFUNDED: nothing ships back
            raise ReturnError(ReturnErrorCode.INVALID_TRANSITION,
                              "the shopper keeps the item: there is no parcel to receive")
        ret.status = ReturnStatus.RECEIVED.value
        ret.updated_at = now
        tx.repo.add_event(ret, now, actor.label, ReturnStatus.RECEIVED.value, note)
        move_if_fully_refunded(tx, ret, now, actor)  # refunded on approval: done now
        await tx.commit()
        order_id, done = ret.order_id, ret.status == ReturnStatus.REFUNDED.value
    if not done:
        try:
            order = await order_for(deps, actor, order_id)
        except ReturnError as err:  # the receipt stands (the parcel is here); the refund waits for a retry
            if err.code is not ReturnErrorCode.UPSTREAM_UNAVAILABLE:
                raise
            await _note(deps, return_id, "REFUND_WAITING", "the store could not be reached; retry the refund")
            return await reload(deps, return_id)
        await refund_return(deps, return_id, order)
    await record_in_store(deps, return_id)  # the store's own books (Saleor: services/saleor_writeback.py)
    return await reload(deps, return_id)


async def retry_refund(deps: Deps, actor: Actor, return_id: str) -> ReturnRow:
    """Try a waiting refund again with its own key, or start a new one after a failure."""
    require_staff(actor)
    async with deps.uow(readonly=True) as tx:
        ret = await tx.repo.get_return(deps.tenant, return_id)
        if ret is None:
            raise ReturnError(ReturnErrorCode.RETURN_NOT_FOUND, f"There is no return {return_id}.", "id")
        pending = [r.id for r in ret.refunds if r.status == RefundStatus.PENDING.value]
        status, order_id = ReturnStatus(ret.status), ret.order_id
        never_started = not ret.refunds and refund_due(ret)  # e.g. the store was down when it was due
    if never_started:
        await refund_return(deps, return_id, await order_for(deps, actor, order_id))
    elif pending:
        for refund_id in pending:
            await perform_refund(deps, refund_id)
    elif status is ReturnStatus.REFUND_FAILED:
        now = deps.clock.now()
        async with deps.uow() as tx:
            ret = await _locked_return(tx, deps, return_id)
            waiting = status_after_retry(ret.resolution, [e.type for e in ret.events])
            if ReturnStatus(ret.status) is ReturnStatus.REFUND_FAILED:  # the money is on its way again
                ret.status, ret.updated_at = waiting.value, now
            tx.repo.add_event(ret, now, actor.label, "REFUND_RETRIED",
                              f"waiting for the refund again ({waiting.value})")
            reopen_given_up(ret, now, deps.settings.refund_lease)  # unanswered ones again, with their own key
            await tx.commit()
        await refund_return(deps, return_id, await order_for(deps, actor, order_id))
    else:
        raise ReturnError(ReturnErrorCode.INVALID_TRANSITION, f"a return that is {status.value} has no refund to retry")
    return await reload(deps, return_id)


def refund_due(ret: ReturnRow) -> bool:
    """The refund should have started: a keep-item approval, or a parcel received."""
    status = ReturnStatus(ret.status)
    keep = ret.resolution == Resolution.KEEP_ITEM.value and status is ReturnStatus.APPROVED
    return ret.refund_total > 0 and (keep or status is ReturnStatus.RECEIVED)


def _join(a: str | None, b: str | None) -> str | None:
    parts = [p for p in (a, b) if p]
    return "; ".join(parts) if parts else None
