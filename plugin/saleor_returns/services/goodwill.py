"""Use case: how much goodwill a staff member has left today (the console's budget meter)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.goodwill import Budget
from ..domain.money import Money, is_known_currency
from .channels import known_slugs
from .context import Actor, Deps
from .goodwill_budgets import daily_budget
from .loading import channel_of
from .staff_actions import require_staff


@dataclass(frozen=True, slots=True)
class GoodwillToday:
    staff: str
    day: date  # the store's day the spending is booked on
    timezone: str
    budget: Budget


async def goodwill_today(deps: Deps, actor: Actor, currency: str, channel: str | None = None) -> GoodwillToday:
    """The actor's daily budget in `currency`, what they spent today and what is left.

    "Today" is the store's day: the day of `channel` when given, else of a channel selling in `currency`
    (approvals book spending on the return's store day), else UTC.
    """
    require_staff(actor)
    code = currency.strip().upper()
    if not is_known_currency(code):
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, f"{currency!r} is not a currency code", "currency")
    timezone = await _store_timezone(deps, code, channel)
    day = deps.clock.now().astimezone(ZoneInfo(timezone)).date()
    async with deps.uow(readonly=True) as uow:
        spent = await uow.goodwill.spent(deps.tenant, actor.id, day, code)
        daily = await daily_budget(uow, deps, actor, code)
    budget = Budget(daily, Money(spent, code))
    return GoodwillToday(actor.id, day, timezone, budget)


async def _store_timezone(deps: Deps, currency: str, channel: str | None) -> str:
    if channel:
        return (await channel_of(deps, channel)).timezone
    async with deps.uow(readonly=True) as uow:
        slugs = await known_slugs(uow, deps.tenant)
    for slug in slugs:
        found = await deps.orders.get_channel(slug)
        if found is not None and found.currency == currency:
            return found.timezone
    return "UTC"
