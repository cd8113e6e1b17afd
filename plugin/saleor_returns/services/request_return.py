"""Use case: a shopper (or staff for them) asks to return lines of an order (requestReturn)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

from ..domain.decision import RequestedLine
from ..domain.eligibility import LineEligibility
from ..domain.lifecycle import ReturnStatus
from ..domain.order import Order
from ..domain.returns import Return
from ..ports import ReturnRef
from .context import Actor, Deps
from .decide_return import gather_and_decide
from .exchange_choices import AskedChoices, checked_choices
from .exchanging import send_due_replacement
from .labels import buy_requested_label
from .loading import order_for
from .queries import reload
from .refunding import pay, pending_work, refund_return
from .store_records import record_in_store


@dataclass(frozen=True, slots=True)
class ReturnInput:
    order_id: str
    lines: tuple[RequestedLine, ...]
    exception_requested: bool = False
    note: str | None = None
    choices: AskedChoices = field(default_factory=AskedChoices)  # refund method, variants to swap to


@dataclass(frozen=True, slots=True)
class NotEligible:
    lines: list[LineEligibility]


async def request_return(deps: Deps, actor: Actor, inp: ReturnInput) -> Return | NotEligible:
    """Decide at once; save the return, its trace and its first steps (refund intents, a label intent) in one
    transaction; then carry them out."""
    order = await order_for(deps, actor, inp.order_id)
    now = deps.clock.now()
    async with deps.uow() as uow:
        await uow.lock_order(deps.tenant, order.id)  # racing requests for one order queue here
        decided = await gather_and_decide(uow, deps, order, inp.lines, inp.exception_requested, now)
        if decided.decision.status is ReturnStatus.REJECTED:
            requested = {r.line_id for r in inp.lines}
            return NotEligible([el for el in decided.lines if el.line.id in requested])
        choices, said = await checked_choices(deps, order, decided.policy.policy, inp.lines, inp.choices)
        decision = replace(decided.decision, trace=decided.decision.trace + said)  # the choice, in the trace
        ret = Return.open(return_id=str(uuid.uuid4()), tenant=deps.tenant, order=order, decision=decision,
                          eligibility={el.line.id: el for el in decided.lines},
                          refund_timing=decided.policy.policy.refund_timing, actor=actor, note=inp.note,
                          exception_requested=inp.exception_requested,
                          carrier=deps.carriers.for_channel(order.channel.slug).name, now=now,
                          books=deps.keeps_books(deps.tenant), seen=decided.seen, choices=choices)
        uow.returns.add(ret)
        if ret.refund_due_at is not None:
            ret.plan_refunds(order, decided.committed, gateway=deps.refunds.default.name,
                             new_id=lambda: str(uuid.uuid4()), now=now, lease=deps.settings.refund_lease)
        await uow.commit()
    latest = await carry_out(deps, ret, order)
    return latest or await reload(deps, ret.id)


async def carry_out(deps: Deps, ret: Return, order: Order) -> Return | None:
    """What a return just saved sets in motion, each step with its intent already saved: refunds through
    their gateway, a label bought or drawn, the store's books. A crash here leaves the intents to the worker.
    Gives the return as it is now when it knows it (a keep-item refund's outcome), else None: read it again."""
    ref = ReturnRef(ret.tenant, ret.id, ret.order_id)
    # what is owed, as saved (the steps below save the same object again when nobody wrote it meanwhile)
    work = pending_work(ret)
    exchange_now = ret.exchange_waits and ret.refund_due_at is None  # an instant exchange of a ship-back return
    attempt = ret.open_attempt
    refund_owed = ret.refund_due_at is not None  # owed, not planned with the change (the caller had no order then)
    record_owed = ret.record_due_at is not None and not work
    latest: Return | None = ret
    for item, command in work:
        # the store hears of the outcome (settle); the return just saved is read again only if written since
        latest, current = await pay(deps, item, command, known=latest or ret)
        latest = latest if current else None
    if exchange_now:
        await send_due_replacement(deps, ref, order)
        latest = None
    if attempt is not None:
        latest = await buy_requested_label(deps, ref, attempt.id, order, known=latest)
    if refund_owed:
        await refund_return(deps, ref, order)
        latest = None
    elif record_owed:
        await record_in_store(deps, ref)
        latest = None
    return latest
