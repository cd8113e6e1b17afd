"""What approving a return in review would spend of the asking staff member's goodwill: the rule
Return.approval_spend applies, so the console's hint says what the server will do."""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from ..domain.lifecycle import Resolution
from ..domain.money import Money
from ..domain.returns import Return
from .context import Actor, Deps
from .goodwill_budgets import daily_budget


@dataclass(frozen=True, slots=True)
class ApprovalCost:
    spends: Money
    daily: Money
    left: Money

    def allowed(self, actor: Actor) -> bool:
        """Whether this staff member may approve it (owners may go beyond the budget)."""
        return actor.is_owner or self.spends <= self.left


async def approval_cost(deps: Deps, actor: Actor, ret: Return, resolution: Resolution | None) -> ApprovalCost:
    """What approving `ret` as `resolution` would spend now, against what `actor` has left today."""
    day = deps.clock.now().astimezone(ZoneInfo(ret.timezone)).date()  # goodwill is booked on the store's day
    async with deps.uow(readonly=True) as uow:
        daily = await daily_budget(uow, deps, actor, ret.currency)
        spent = await uow.goodwill.spent(deps.tenant, actor.id, day, ret.currency)
    left = (daily - Money(spent, ret.currency)).max(Money.zero(ret.currency))
    return ApprovalCost(ret.approval_spend(resolution), daily, left)
