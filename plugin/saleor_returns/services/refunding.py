"""Refunds, exactly once: plan the intents under the order lock, call the gateway with each intent's key,
save the outcome. A crash between the call and the outcome leaves the refund PENDING; the next attempt
(the worker, or a staff retry) calls again with the same key, so the provider never pays twice.
"""
from __future__ import annotations

import logging
import uuid

from ..domain.order import Order
from ..domain.refunds import Refund, RefundCommand, RefundOutcome, RefundStatus
from ..domain.return_exchange import STORE_CREDIT_GATEWAY
from ..domain.returns import Return
from ..ports import ReturnRef, UnitOfWork, WorkItem
from .context import SYSTEM, Actor, Deps
from .exchanging import send_due_replacement
from .loading import locked
from .store_records import record_in_store

log = logging.getLogger(__name__)


def new_refund_id() -> str:
    return str(uuid.uuid4())


async def plan(deps: Deps, uow: UnitOfWork, ret: Return, order: Order) -> list[WorkItem]:
    """Inside the order lock: the refund intents the return is owed now (see Return.plan_refunds)."""
    committed = await uow.returns.committed_refunds(ret.tenant, ret.order_id)
    planned = ret.plan_refunds(order, committed, gateway=deps.refunds.default.name, new_id=new_refund_id,
                               now=deps.clock.now(), lease=deps.settings.refund_lease)
    return [WorkItem(ReturnRef(ret.tenant, ret.id, ret.order_id), r.id) for r in planned]


def pending_work(ret: Return) -> list[tuple[WorkItem, RefundCommand]]:
    """Every PENDING refund of the return with the command that performs it (read under the lock)."""
    ref = ReturnRef(ret.tenant, ret.id, ret.order_id)
    return [(WorkItem(ref, r.id), _command(ret, r)) for r in ret.pending_refunds]


def _command(ret: Return, refund: Refund) -> RefundCommand:
    command = refund.command(order_id=ret.order_id, return_number=ret.number, tenant=ret.tenant)
    if refund.gateway == STORE_CREDIT_GATEWAY:  # what the credit is worth and whose it is
        command.metadata.update(credit_bonus_percent=str(ret.credit_bonus_percent or 0),
                                customer_email=ret.customer_email, channel=ret.channel)
    return command


async def refund_return(deps: Deps, ref: ReturnRef, order: Order) -> None:
    """Send the replacement when one is due (out of stock, its lines are owed in full), then plan what the
    return is still owed, then perform every pending refund of it."""
    await send_due_replacement(deps, ref, order)
    async with deps.uow() as uow:
        ret = await locked(uow, ref)
        await plan(deps, uow, ret, order)
        work = pending_work(ret)
        await uow.commit()
    for item, command in work:  # read under the lock just now: called with their keys, outcomes saved after
        await call_gateway(deps, item, command)  # the store hears of each outcome (record_outcome)
    if not work and ret.record_due_at is not None:
        await record_in_store(deps, ref)


async def call_gateway(deps: Deps, item: WorkItem, command: RefundCommand) -> RefundStatus:
    """The call of a saved intent, with its key, through the gateway that began it; then the outcome."""
    return await record_outcome(deps, item, await ask_gateway(deps, command))


async def ask_gateway(deps: Deps, command: RefundCommand) -> RefundOutcome:
    """What the gateway that began the refund says now (never raises for provider errors)."""
    gateway = deps.refunds.named(command.payment_gateway)
    if gateway is None:  # switched gateways with refunds still pending: they wait for theirs
        return RefundOutcome(RefundStatus.PENDING, failure_code="gateway_not_configured", retryable=True,
                             failure_message=f"the refund gateway {command.payment_gateway!r} that began this "
                                             "refund is not configured here")
    return await gateway.refund(command)


async def perform_refund(deps: Deps, item: WorkItem) -> RefundStatus | None:
    """Call the gateway for one PENDING refund (None: it was settled meanwhile)."""
    async with deps.uow(readonly=True) as uow:
        ret = await uow.returns.get(item.ref.tenant, item.ref.return_id)
    found = [(i, c) for i, c in pending_work(ret) if i.item_id == item.item_id] if ret is not None else []
    return await call_gateway(deps, *found[0]) if found else None


async def record_outcome(deps: Deps, item: WorkItem, outcome: RefundOutcome, actor: Actor = SYSTEM) -> RefundStatus:
    """Save what the provider said about a PENDING refund, under the order lock; the return follows; the
    store's books are told when they should be."""
    ret, _ = await settle(deps, item, outcome, actor)
    return ret.refund(item.item_id).status


async def settle(deps: Deps, item: WorkItem, outcome: RefundOutcome,
                 actor: Actor = SYSTEM, known: Return | None = None) -> tuple[Return, bool]:
    """record_outcome, giving the return as saved and whether it is still current (False: the store's books
    were written after, which the trail shows: read it again for the whole of it)."""
    async with deps.uow() as uow:
        ret = await locked(uow, item.ref, known)
        ret.books = deps.keeps_books(ret.tenant)
        ret.record_refund_outcome(item.item_id, outcome, actor, deps.clock.now())
        tell_store = ret.record_due_at is not None
        await uow.commit()
    if tell_store:
        await record_in_store(deps, item.ref)
    return ret, not tell_store


async def pay(deps: Deps, item: WorkItem, command: RefundCommand,
              known: Return | None = None) -> tuple[Return, bool]:
    """call_gateway, giving the return as saved (see settle); `known`: the return as the caller saved it."""
    return await settle(deps, item, await ask_gateway(deps, command), known=known)
