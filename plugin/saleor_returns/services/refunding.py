"""Refunds, exactly once: save the intent, call the gateway with a key from the intent, save the outcome.

A crash between the call and saving the outcome leaves the refund PENDING; the next attempt (the
worker, or a staff retry) calls again with the same key, so the provider never pays twice.
"""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from decimal import Decimal

from ..adapters.db.models import RefundRow, ReturnRow
from ..adapters.db.uow import SqlUnitOfWork
from ..domain.lifecycle import Resolution, ReturnStatus, can_move
from ..domain.money import Money
from ..domain.order import Order
from ..domain.refund_math import split_over_payments
from ..domain.refunds import COMMITTED, FINAL, RefundCommand, RefundOutcome, RefundStatus, refund_key
from .context import SYSTEM, Actor, Deps
from .loading import left_per_payment
from .refund_gateways import gateway_for
from .saleor_writeback import record_refund_outcome

log = logging.getLogger(__name__)
BACKOFF = (timedelta(seconds=30), timedelta(minutes=2), timedelta(minutes=10), timedelta(hours=1))
PROVIDER_POLL = timedelta(hours=1)  # accepted by the provider, still processing: look again (webhooks may be lost)


def money_on_its_way(ret: ReturnRow) -> bool:
    """A refund of this return succeeded, is pending or waits for the shopper: it can't be undone by us."""
    return any(RefundStatus(r.status) in COMMITTED for r in ret.refunds)


def refunded_or_pending(ret: ReturnRow) -> Decimal:
    return sum((r.amount for r in ret.refunds if RefundStatus(r.status) in COMMITTED), Decimal(0))


async def plan_refunds(tx: SqlUnitOfWork, deps: Deps, ret: ReturnRow, order: Order) -> list[RefundRow]:
    """Inside the order lock: refund intents for what the return still has to get back, capped by what
    is left on each payment. Returns the new PENDING rows (none when nothing is left)."""
    now = deps.clock.now()
    owed = Money(ret.refund_total - refunded_or_pending(ret), ret.currency)
    if owed.amount <= 0:
        return []
    committed = await tx.repo.committed_refunds(deps.tenant, order.id)
    payments = {p.id: p for p in order.payments}
    rows = []
    for payment_id, amount in split_over_payments(owed, left_per_payment(order, committed)):
        refund_id = str(uuid.uuid4())
        payment = payments[payment_id]
        row = RefundRow(id=refund_id, tenant=deps.tenant, order_id=order.id, payment_id=payment_id,
                        payment_reference=payment.psp_reference, gateway=deps.refunds.name, amount=amount.amount,
                        currency=amount.currency, status=RefundStatus.PENDING.value,
                        idempotency_key=refund_key(refund_id), attempts=0, created_at=now, updated_at=now,
                        next_attempt_at=now + deps.settings.refund_lease)  # the worker leaves in-flight calls alone
        ret.refunds.append(row)
        rows.append(row)
    planned = sum((r.amount for r in rows), Decimal(0))
    if rows:
        tx.repo.add_event(ret, now, SYSTEM.label, "REFUND_REQUESTED",
                          f"{Money(planned, ret.currency)} to the original payment")
    if planned < owed.amount:  # the order has less left to refund than the return is owed (refunded elsewhere)
        short = owed.amount - planned
        ret.refund_total -= short
        tx.repo.add_event(ret, now, SYSTEM.label, "REFUND_CAPPED",
                          f"{Money(short, ret.currency)} less: only what is left to refund on the order goes back")
        move_if_fully_refunded(tx, ret, now, SYSTEM)
    return rows


def command_for(row: RefundRow, ret: ReturnRow) -> RefundCommand:
    return RefundCommand(refund_id=row.id, idempotency_key=row.idempotency_key,
                         amount=Money(row.amount, row.currency), psp_reference=row.payment_reference,
                         payment_gateway=row.gateway, order_id=row.order_id, return_number=ret.number,
                         tenant=row.tenant, metadata={"return_number": ret.number, "order_id": row.order_id,
                                                      "tenant": row.tenant, "refund_id": row.id},
                         provider_refund_id=row.psp_reference, attempt=row.attempts)


async def pending_command(deps: Deps, refund_id: str) -> tuple[RefundCommand, RefundRow] | None:
    """The command for a refund that is still PENDING, with its row; None when it was settled meanwhile."""
    async with deps.uow(readonly=True) as tx:
        row = await tx.repo.get_refund(refund_id)
        if row is None or row.status != RefundStatus.PENDING.value:
            return None
        ret = await tx.repo.get_return_by_seq(row.return_seq)
        assert ret is not None
        return command_for(row, ret), row


async def perform_refund(deps: Deps, refund_id: str) -> RefundStatus | None:
    """Call the gateway for one PENDING refund and save what it said (None: it was settled meanwhile)."""
    loaded = await pending_command(deps, refund_id)
    return await call_gateway(deps, loaded[0]) if loaded is not None else None


async def call_gateway(deps: Deps, command: RefundCommand) -> RefundStatus:
    """The call of a saved intent, with its key, through the gateway that began it; then the outcome saved."""
    outcome = await gateway_for(deps, command).refund(command)
    return await record_outcome(deps, command.refund_id, outcome)


async def record_outcome(deps: Deps, refund_id: str, outcome: RefundOutcome, actor: Actor = SYSTEM) -> RefundStatus:
    """Save what the provider said about a PENDING refund, under the order lock; settle the return."""
    now = deps.clock.now()
    async with deps.uow() as tx:
        row = await tx.repo.get_refund(refund_id)
        assert row is not None
        await tx.repo.lock_order(row.tenant, row.order_id, now)
        await tx.session.refresh(row)
        if row.status != RefundStatus.PENDING.value:
            return RefundStatus(row.status)  # another attempt already recorded it
        ret = await tx.repo.get_return_by_seq(row.return_seq)  # read under the lock
        assert ret is not None
        row.attempts += 1
        row.updated_at = now
        row.psp_reference = outcome.psp_reference or row.psp_reference
        if outcome.status is RefundStatus.PENDING and outcome.retryable:
            row.failure_code, row.failure_message = outcome.failure_code, outcome.failure_message
            row.next_attempt_at = now + BACKOFF[min(row.attempts - 1, len(BACKOFF) - 1)]
            tx.repo.add_event(ret, now, actor.label, "REFUND_DELAYED",
                              f"{outcome.failure_message or 'the payment provider did not answer'}; will retry")
        else:
            row.status = outcome.status.value
            row.failure_code, row.failure_message = outcome.failure_code, outcome.failure_message
            row.next_attempt_at = now + PROVIDER_POLL if outcome.status is RefundStatus.PENDING else None
            settle_return(tx, ret, row, now, actor)
        await tx.commit()
        status, tenant, return_id = RefundStatus(row.status), row.tenant, ret.id
    if status in FINAL:  # a later success or failure reaches the store's books too (Saleor: a note)
        await record_refund_outcome(deps, tenant, return_id)
    return status


def settle_return(tx: SqlUnitOfWork, ret: ReturnRow, row: RefundRow, now, actor: Actor) -> None:
    """The return's events and status after a refund reached a final (or action-needed) state."""
    status = RefundStatus(row.status)
    if status is RefundStatus.SUCCEEDED:
        tx.repo.add_event(ret, now, actor.label, "REFUND_SUCCEEDED",
                          f"{Money(row.amount, row.currency)} refunded ({row.psp_reference or 'no reference'})")
        move_if_fully_refunded(tx, ret, now, actor)
    elif status in (RefundStatus.FAILED, RefundStatus.CANCELED):
        tx.repo.add_event(ret, now, actor.label, "REFUND_FAILED",
                          f"{row.failure_code or status.value}: {row.failure_message or 'refund failed'}")
        current = ReturnStatus(ret.status)
        if can_move(current, ReturnStatus.REFUND_FAILED):
            ret.status = ReturnStatus.REFUND_FAILED.value
            ret.updated_at = now
    elif status is RefundStatus.REQUIRES_ACTION:
        tx.repo.add_event(ret, now, actor.label, "REFUND_REQUIRES_ACTION", row.failure_message)


def fully_refunded(ret: ReturnRow) -> bool:
    paid = sum((r.amount for r in ret.refunds if r.status == RefundStatus.SUCCEEDED.value), Decimal(0))
    return paid >= ret.refund_total


def move_if_fully_refunded(tx: SqlUnitOfWork, ret: ReturnRow, now, actor: Actor) -> None:
    """KEEP_ITEM returns are done when the money is back; shipped ones once the parcel is received too."""
    if not fully_refunded(ret):
        return
    current = ReturnStatus(ret.status)
    done = ret.resolution == Resolution.KEEP_ITEM.value or current in (ReturnStatus.RECEIVED,
                                                                        ReturnStatus.REFUND_FAILED)
    if done and can_move(current, ReturnStatus.REFUNDED):
        ret.status = ReturnStatus.REFUNDED.value
        ret.updated_at = now
        tx.repo.add_event(ret, now, actor.label, ReturnStatus.REFUNDED.value, None)


async def refund_return(deps: Deps, return_id: str, order: Order) -> None:
    """Plan what the return is still owed, then perform every pending refund of it."""
    now = deps.clock.now()
    async with deps.uow() as tx:
        await tx.repo.lock_order(deps.tenant, order.id, now)
        ret = await tx.repo.get_return(deps.tenant, return_id)
        assert ret is not None
        await plan_refunds(tx, deps, ret, order)
        pending = [command_for(r, ret) for r in ret.refunds if r.status == RefundStatus.PENDING.value]
        await tx.commit()
    for command in pending:  # read under the lock just now: called with their keys, outcomes saved after
        await call_gateway(deps, command)
