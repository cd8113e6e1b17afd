"""Gather what the decision needs for an order (policy, earlier returns, money left, keep-item history,
label cost) and decide: shared by requestReturn (which then saves) and previewReturn (which does not)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..adapters.carriers.router import carrier_for_channel
from ..domain.decision import Decision, DecisionInput, KeepItemHistory, RequestedLine, decide
from ..domain.eligibility import LineEligibility, check_order
from ..domain.money import Money
from ..domain.order import Order
from ..domain.policy import ReturnShipping
from .context import Deps
from .loading import PolicyVersion, current_policy, left_to_refund


@dataclass(frozen=True, slots=True)
class Decided:
    decision: Decision
    lines: list[LineEligibility]  # every line of the order, checked
    policy: PolicyVersion
    inputs: DecisionInput  # what decided it, so a caller can ask "and this line alone?"


async def gather_and_decide(repo, deps: Deps, order: Order, requested: tuple[RequestedLine, ...],
                            exception_requested: bool, now: datetime) -> Decided:
    """The decision requestReturn would take now. Reads only; the expected label cost is configuration,
    so no provider is called."""
    pv = await current_policy(repo, deps.tenant, order.channel.slug)
    returned = await repo.returned_units(deps.tenant, order.id)
    left = left_to_refund(order, await repo.committed_refunds(deps.tenant, order.id))
    lines = check_order(order, pv.policy, returned, left, now)
    history = await keep_history(repo, deps, order, pv, now)
    label_cost = carrier_for_channel(deps.carrier, order.channel.slug).expected_cost(order.currency) \
        if pv.policy.return_shipping is ReturnShipping.LABEL_COST else None
    inputs = DecisionInput(order, pv.policy, pv.version, requested, {el.line.id: el for el in lines},
                           returned, history, left, exception_requested, label_cost)
    return Decided(decide(inputs), lines, pv, inputs)


async def keep_history(repo, deps: Deps, order: Order, pv: PolicyVersion, now: datetime) -> KeepItemHistory:
    """The customer's keep-item refunds inside the policy's rolling period."""
    since = now - timedelta(days=pv.policy.keep_item_limits.days)
    count, amount = await repo.keep_item_history(deps.tenant, order.user_email, since, order.currency)
    return KeepItemHistory(count, Money(amount, order.currency))
