"""Gather what the decision needs for an order (policy, earlier returns, money left, keep-item history,
label cost) and decide: the one path shared by requestReturn (which then saves) and previewReturn (which
does not), and by a policy replay."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from ..domain.decision import Decision, DecisionInput, KeepItemHistory, RequestedLine, decide
from ..domain.eligibility import LineEligibility, check_order
from ..domain.money import Money
from ..domain.order import Order
from ..domain.policy import ReturnShipping
from ..ports import PolicyVersion, UnitOfWork
from .context import Deps
from .loading import current_policy, left_to_refund


@dataclass(frozen=True, slots=True)
class Decided:
    decision: Decision
    lines: list[LineEligibility]  # every line of the order, checked
    policy: PolicyVersion
    inputs: DecisionInput  # what decided it, so a caller can ask "and this line alone?"
    committed: dict[str, Decimal]  # what this app refunds per payment of the order (for planning refunds)


async def gather_and_decide(uow: UnitOfWork, deps: Deps, order: Order, requested: tuple[RequestedLine, ...],
                            exception_requested: bool, now: datetime) -> Decided:
    """The decision requestReturn would take now. Reads only; the expected label cost is configuration,
    so no provider is called."""
    pv = await current_policy(uow, deps.tenant, order.channel.slug)
    returned = await uow.returns.returned_units(deps.tenant, order.id)
    committed = await uow.returns.committed_refunds(deps.tenant, order.id)
    left = left_to_refund(order, committed)
    lines = check_order(order, pv.policy, returned, left, now)
    history = await keep_history(uow, deps, order, pv, now)
    label_cost = deps.carriers.for_channel(order.channel.slug).expected_cost(order.currency) \
        if pv.policy.return_shipping is ReturnShipping.LABEL_COST else None
    inputs = DecisionInput(order, pv.policy, pv.version, requested, {el.line.id: el for el in lines},
                           returned, history, left, exception_requested, label_cost)
    return Decided(decide(inputs), lines, pv, inputs, committed)


async def keep_history(uow: UnitOfWork, deps: Deps, order: Order, pv: PolicyVersion,
                       now: datetime) -> KeepItemHistory:
    """The customer's keep-item refunds inside the policy's rolling period."""
    since = now - timedelta(days=pv.policy.keep_item_limits.days)
    count, amount = await uow.returns.keep_item_history(deps.tenant, order.user_email, since, order.currency)
    return KeepItemHistory(count, Money(amount, order.currency))
