"""What approving a return in review would spend of the asking staff member's goodwill: the same rule
approveReturn applies (services/staff_actions.py), so the console's hint says what the server will do."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from ..adapters.db.models import ReturnRow
from ..domain.lifecycle import Resolution
from ..domain.money import Money
from .context import Actor, Deps
from .goodwill_budgets import daily_budget


def approval_spend(ret: ReturnRow, resolution: Resolution | None) -> Money:
    """Goodwill an approval books: the refund when the return is out of policy or converted to keep-item
    (a conversion also refunds the shipping deduction, since nothing comes back); else nothing."""
    converting = resolution is Resolution.KEEP_ITEM and ret.resolution != Resolution.KEEP_ITEM.value
    if not (ret.out_of_policy or converting):
        return Money.zero(ret.currency)
    extra = ret.shipping_deduction if converting else Decimal(0)
    return Money(ret.refund_total + extra, ret.currency)


def store_day(ret: ReturnRow, now: datetime):
    """Goodwill is booked on the return's store day."""
    return now.astimezone(ZoneInfo(ret.timezone)).date()


@dataclass(frozen=True, slots=True)
class ApprovalCost:
    spends: Money
    daily: Money
    left: Money

    def allowed(self, actor: Actor) -> bool:
        """Whether this staff member may approve it (owners may go beyond the budget)."""
        return actor.is_owner or self.spends <= self.left


async def approval_cost(deps: Deps, actor: Actor, ret: ReturnRow, resolution: Resolution | None) -> ApprovalCost:
    """What approving `ret` as `resolution` would spend now, against what `actor` has left today."""
    day = store_day(ret, deps.clock.now())
    async with deps.uow(readonly=True) as tx:
        daily = await daily_budget(tx.session, deps, actor, ret.currency)
        spent = await tx.repo.goodwill_spent(deps.tenant, actor.id, day, ret.currency)
    left = (daily - Money(spent, ret.currency)).max(Money.zero(ret.currency))
    return ApprovalCost(approval_spend(ret, resolution), daily, left)
