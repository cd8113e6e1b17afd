"""Use case: a shopper (or staff for them) asks to return lines of an order (requestReturn)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from ..adapters.db.models import ReturnLineRow, ReturnRow
from ..domain.decision import Decision, RequestedLine
from ..domain.eligibility import LineEligibility
from ..domain.lifecycle import Resolution, ReturnStatus
from ..domain.money import Money
from ..domain.order import Order
from ..domain.policy import RefundTiming
from ..domain.refunds import RefundCommand
from .context import SYSTEM, Actor, Deps
from .decide_return import gather_and_decide
from .labels import issue_label
from .loading import PolicyVersion, order_for
from .queries import reload
from .refunding import call_gateway, command_for, plan_refunds, refund_return
from .saleor_writeback import record_in_store


@dataclass(frozen=True, slots=True)
class ReturnInput:
    order_id: str
    lines: tuple[RequestedLine, ...]
    exception_requested: bool = False
    note: str | None = None


@dataclass(frozen=True, slots=True)
class NotEligible:
    lines: list[LineEligibility]


async def request_return(deps: Deps, actor: Actor, inp: ReturnInput) -> ReturnRow | NotEligible:
    """Decide at once; save the return, its trace and any refund intent in one transaction; then act."""
    order = await order_for(deps, actor, inp.order_id)
    now = deps.clock.now()
    async with deps.uow() as tx:
        await tx.repo.lock_order(deps.tenant, order.id, now)  # racing requests for one order queue here
        decided = await gather_and_decide(tx.repo, deps, order, inp.lines, inp.exception_requested, now)
        decision, lines, pv = decided.decision, decided.lines, decided.policy
        if decision.status is ReturnStatus.REJECTED:
            requested = {r.line_id for r in inp.lines}
            return NotEligible([el for el in lines if el.line.id in requested])
        ret = _new_return(deps, order, inp, decision, lines, pv, now)
        tx.session.add(ret)
        tx.repo.add_event(ret, now, actor.label, ReturnStatus.REQUESTED.value, inp.note)
        tx.repo.add_event(ret, now, SYSTEM.label, decision.status.value, _decided(decision))
        await tx.session.flush()
        ret.number = f"R-{10000 + ret.seq}"
        planned: list[RefundCommand] = []
        if decision.status is ReturnStatus.APPROVED and decision.resolution is Resolution.KEEP_ITEM:
            planned = [command_for(row, ret) for row in await plan_refunds(tx, deps, ret, order)]
        await tx.commit()
        return_id, resolution, timing = ret.id, ret.resolution, ret.decision["refund_timing"]
    if decision.status is ReturnStatus.APPROVED:
        await carry_out(deps, return_id, order, resolution, timing, planned)
    return await reload(deps, return_id)


async def carry_out(deps: Deps, return_id: str, order: Order, resolution: str | None, timing: str | None,
                    planned: list[RefundCommand] | None = None) -> None:
    """What an approved return sets in motion: a keep-item refund, or a label (and maybe a refund).
    `planned`: the refund intents saved with the approval (None: plan them now, under the order lock)."""
    if resolution == Resolution.KEEP_ITEM.value:
        if planned is None:
            await refund_return(deps, return_id, order)
        for command in planned or ():
            await call_gateway(deps, command)
        await record_in_store(deps, return_id)  # the store's own books (Saleor: services/saleor_writeback.py)
        return
    await issue_label(deps, return_id, order)
    if timing == RefundTiming.ON_APPROVAL.value:
        await refund_return(deps, return_id, order)


def _new_return(deps: Deps, order: Order, inp: ReturnInput, decision: Decision, lines: list[LineEligibility],
                pv: PolicyVersion, now) -> ReturnRow:
    by_id = {el.line.id: el for el in lines}
    accepted_deadlines = [d for r in decision.accepted if (d := by_id[r.line_id].deadline) is not None]
    refund = decision.refund
    assert refund is not None
    ret = ReturnRow(
        id=str(uuid.uuid4()), number=f"~{uuid.uuid4().hex[:24]}", tenant=deps.tenant, order_id=order.id,
        order_number=order.number, channel=order.channel.slug, timezone=order.channel.timezone,
        customer_email=order.user_email.lower(), customer_id=order.user_id, status=decision.status.value,
        resolution=decision.resolution.value if decision.resolution else None, currency=order.currency,
        refund_total=refund.total.amount, shipping_deduction=refund.shipping_deduction.amount,
        shipping_refund=refund.shipping_refund.amount, policy_version=decision.policy_version,
        decision=_decision_record(decision, pv), out_of_policy=decision.out_of_policy,
        exception_requested=inp.exception_requested,
        deadline=max((d.deadline for d in accepted_deadlines), default=None),
        grace_deadline=max((d.grace_deadline for d in accepted_deadlines), default=None),
        note=inp.note, created_at=now, updated_at=now, lines=[], refunds=[], labels=[], events=[])
    for r in decision.accepted:
        line = order.line(r.line_id)
        assert line is not None
        ret.lines.append(ReturnLineRow(order_line_id=r.line_id, product_name=line.product_name, sku=line.sku,
                                       quantity=r.quantity, reason=r.reason, comment=r.comment,
                                       refund_amount=refund.lines.get(r.line_id, Money.zero(order.currency)).amount))
    return ret


def _decided(decision: Decision) -> str | None:
    """The note of the decision event: why staff must look, else the resolution."""
    if decision.review_codes:
        return ", ".join(decision.review_codes)
    return decision.resolution.value if decision.resolution else None


def _decision_record(decision: Decision, pv: PolicyVersion) -> dict:
    refund = decision.refund
    return {
        "trace": [{"rule": t.rule, "verdict": t.verdict, "detail": t.detail} for t in decision.trace],
        "review_codes": list(decision.review_codes),
        "flags": [f.value for f in decision.flags],
        "refused": [{"orderLineId": r.line_id, "quantity": r.quantity, "codes": [c.value for c in codes]}
                    for r, codes in decision.refused],
        "refund_timing": pv.policy.refund_timing.value,
        "restocking_fee": str(refund.restocking_fee.amount) if refund else "0",
        "capped": refund.capped_by is not None if refund else False,
    }
