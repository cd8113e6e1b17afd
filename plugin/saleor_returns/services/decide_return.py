"""Gather what the decision needs for an order (policy, earlier returns, money left, keep-item history,
label cost) and decide: the one path shared by requestReturn (which then saves) and previewReturn (which
does not), and by a policy replay."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from ..domain.decision import Decision, DecisionInput, RequestedLine, decide
from ..domain.decision_snapshot import KEEP_ITEM_LOOKBACK, DecisionSnapshot, keep_item_history
from ..domain.eligibility import LineEligibility, check_order
from ..domain.order import Order
from ..domain.policy import ReturnShipping
from ..ports import PolicyVersion, UnitOfWork
from .context import Deps
from .loading import current_policy, left_to_refund


@dataclass(frozen=True, slots=True)
class Decided:
    decision: Decision
    lines: list[LineEligibility]  # the lines asked for, checked
    policy: PolicyVersion
    inputs: DecisionInput  # what decided it, so a caller can ask "and this line alone?"
    committed: dict[str, Decimal]  # what this app refunds per payment of the order (for planning refunds)
    seen: DecisionSnapshot  # what the decision read, kept with the return (policy simulations replay it)


async def gather_and_decide(uow: UnitOfWork, deps: Deps, order: Order, requested: tuple[RequestedLine, ...],
                            exception_requested: bool, now: datetime) -> Decided:
    """The decision requestReturn would take now. Reads only; the expected label cost is configuration,
    so no provider is called."""
    pv = await current_policy(uow, deps.tenant, order.channel.slug)
    returned = await uow.returns.returned_units(deps.tenant, order.id)
    committed = await uow.returns.committed_refunds(deps.tenant, order.id)
    left = left_to_refund(order, committed)
    lines = check_order(order, pv.policy, returned, left, now, only={r.line_id for r in requested})
    # the customer's keep-item returns, read far enough back for any policy a simulation might propose
    since = pv.policy.keep_item_limits.since(now)  # never an OverflowError, whatever was saved
    kept = await uow.returns.keep_item_returns(deps.tenant, order.user_email, min(since, now - KEEP_ITEM_LOOKBACK),
                                               order.currency)
    history = keep_item_history(kept, since, order.currency)
    expected = deps.carriers.for_channel(order.channel.slug).expected_cost(order.currency)
    label_cost = expected if pv.policy.return_shipping is ReturnShipping.LABEL_COST else None
    inputs = DecisionInput(order, pv.policy, pv.version, requested, {el.line.id: el for el in lines},
                           returned, history, left, exception_requested, label_cost)
    decision = decide(inputs)
    seen = DecisionSnapshot.of(order=order, requested=requested, exception_requested=exception_requested,
                               decided_at=now, returned=returned, committed=committed, keep_item_returns=kept,
                               label_cost=expected, decision=decision)
    return Decided(decision, lines, pv, inputs, committed, seen)
