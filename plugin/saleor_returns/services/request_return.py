"""Use case: a shopper (or staff for them) asks to return lines of an order (requestReturn)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.decision import Decision, DecisionInput, KeepItemHistory, RequestedLine, decide
from ..domain.eligibility import LineEligibility, check_order
from ..domain.lifecycle import ReturnStatus
from ..domain.money import Money
from ..domain.order import Order
from ..domain.policy import ReturnShipping
from ..domain.returns import Return
from ..ports import ReturnRef, UnitOfWork
from .context import Actor, Deps
from .labels import buy_requested_label
from .loading import PolicyVersion, current_policy, left_to_refund, order_for
from .queries import reload
from .refunding import call_gateway, pending_work, refund_return
from .store_records import record_in_store


@dataclass(frozen=True, slots=True)
class ReturnInput:
    order_id: str
    lines: tuple[RequestedLine, ...]
    exception_requested: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class NotEligible:
    lines: list[LineEligibility]


@dataclass(frozen=True, slots=True)
class Decided:
    """A decision and what it was made from (the same path for a live request and a preview)."""

    decision: Decision
    lines: list[LineEligibility]
    policy: PolicyVersion
    committed: dict


async def decide_request(deps: Deps, uow: UnitOfWork, order: Order, inp: ReturnInput, now: datetime) -> Decided:
    """Everything the decision needs, read in `uow`, then the decision (DOMAIN.md "Decision")."""
    pv = await current_policy(uow, deps.tenant, order.channel.slug)
    returned = await uow.returns.returned_units(deps.tenant, order.id)
    committed = await uow.returns.committed_refunds(deps.tenant, order.id)
    left = left_to_refund(order, committed)
    lines = check_order(order, pv.policy, returned, left, now)
    since = now - timedelta(days=pv.policy.keep_item_limits.days)
    count, amount = await uow.returns.keep_item_history(deps.tenant, order.user_email, since, order.currency)
    label_cost = deps.carriers.for_channel(order.channel.slug).expected_cost(order.currency) \
        if pv.policy.return_shipping is ReturnShipping.LABEL_COST else None
    decision = decide(DecisionInput(order, pv.policy, pv.version, inp.lines, {el.line.id: el for el in lines},
                                    returned, KeepItemHistory(count, Money(amount, order.currency)), left,
                                    inp.exception_requested, label_cost))
    return Decided(decision, lines, pv, committed)


async def request_return(deps: Deps, actor: Actor, inp: ReturnInput) -> Return | NotEligible:
    """Decide at once; save the return, its trace and its first steps (refund intents, a label intent) in one
    transaction; then carry them out."""
    order = await order_for(deps, actor, inp.order_id)
    now = deps.clock.now()
    async with deps.uow() as uow:
        await uow.lock_order(deps.tenant, order.id)  # racing requests for one order queue here
        decided = await decide_request(deps, uow, order, inp, now)
        if decided.decision.status is ReturnStatus.REJECTED:
            requested = {r.line_id for r in inp.lines}
            return NotEligible([el for el in decided.lines if el.line.id in requested])
        ret = Return.open(return_id=str(uuid.uuid4()), tenant=deps.tenant, order=order, decision=decided.decision,
                          eligibility={el.line.id: el for el in decided.lines},
                          refund_timing=decided.policy.policy.refund_timing, actor=actor, note=inp.note,
                          exception_requested=inp.exception_requested,
                          carrier=deps.carriers.for_channel(order.channel.slug).name, now=now)
        uow.returns.add(ret)
        await uow.flush()  # the number, for the refund's metadata
        if ret.refund_due_at is not None:
            ret.plan_refunds(order, decided.committed, gateway=deps.refunds.default.name,
                             new_id=lambda: str(uuid.uuid4()), now=now, lease=deps.settings.refund_lease)
        await uow.commit()
    await carry_out(deps, ret, order)
    return await reload(deps, ret.id)


async def carry_out(deps: Deps, ret: Return, order: Order) -> None:
    """What a return just saved sets in motion, each step with its intent already saved: refunds through
    their gateway, a label bought or drawn, the store's books. A crash here leaves the intents to the worker."""
    ref = ReturnRef(ret.tenant, ret.id, ret.order_id)
    work = pending_work(ret)
    for item, command in work:
        await call_gateway(deps, item, command)  # the store hears of the outcome (record_outcome)
    if (attempt := ret.open_attempt) is not None:
        await buy_requested_label(deps, ref, attempt.id, order)
    if ret.refund_due_at is not None:  # owed, not planned with the change (the caller had no order then)
        await refund_return(deps, ref, order)
    elif ret.record_due_at is not None and not work:
        await record_in_store(deps, ref)
