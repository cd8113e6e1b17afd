"""Console area (staff): the goodwill budget left today and the channels to configure."""
from __future__ import annotations

from datetime import date

import strawberry

from ..domain.codes import ReturnError as DomainError
from ..services.channels import known_channels
from ..services.goodwill import goodwill_today
from .context import Info
from .types import Money, top_level


@strawberry.type(description="A staff member's goodwill for out-of-policy approvals, for one store day.")
class GoodwillBudget:
    staff: str
    currency: str
    day: date = strawberry.field(description="The store's day the spending is booked on.")
    timezone: str
    daily: Money
    spent: Money
    left: Money


@strawberry.type(description="A sales channel staff can set a return policy for.")
class ReturnChannel:
    slug: str
    currency: str
    timezone: str
    policy_version: int = strawberry.field(description="0 while the built-in defaults apply.")


@strawberry.type
class ConsoleQuery:
    @strawberry.field(description="What the asking staff member may still approve today out of policy (staff).")
    async def goodwill_budget(self, info: Info, currency: str, channel: str | None = None) -> GoodwillBudget:
        ctx = info.context
        staff = ctx.require_staff()
        try:
            today = await goodwill_today(ctx.deps, staff, currency, channel)
        except DomainError as err:
            raise top_level(err) from err
        b = today.budget
        return GoodwillBudget(staff=today.staff, currency=b.daily.currency, day=today.day, timezone=today.timezone,
                              daily=Money.of(b.daily), spent=Money.of(b.spent_today), left=Money.of(b.left))

    @strawberry.field(description="Channels with a policy or a return, with currency and time zone (staff).")
    async def return_channels(self, info: Info) -> list[ReturnChannel]:
        ctx = info.context
        staff = ctx.require_staff()
        try:
            found = await known_channels(ctx.deps, staff)
        except DomainError as err:
            raise top_level(err) from err
        return [ReturnChannel(slug=k.channel.slug, currency=k.channel.currency, timezone=k.channel.timezone,
                              policy_version=k.policy_version) for k in found]
