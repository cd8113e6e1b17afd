"""Use case: returnAnalytics. What returns cost over a period, per status, reason, resolution, product and day,
computed where the returns are kept (ports.insight.InsightRepository.figures)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..domain.analytics import Period, ReturnFigures, check_period, with_every_day
from .context import Actor, Deps
from .loading import channel_of
from .staff_actions import require_staff

UTC_ZONE = "UTC"  # days across channels are UTC days


@dataclass(frozen=True, slots=True)
class ReturnAnalytics:
    channel: str | None
    timezone: str
    period: Period
    figures: ReturnFigures


async def return_analytics(deps: Deps, actor: Actor, slug: str | None, since: datetime,
                           until: datetime | None = None) -> ReturnAnalytics:
    """Figures for one channel (days in its time zone) or every channel (UTC days)."""
    require_staff(actor)
    timezone = (await channel_of(deps, slug)).timezone if slug else UTC_ZONE
    period = check_period(since, until, deps.clock.now(), deps.settings.insight_retention)
    async with deps.uow(readonly=True) as uow:
        figures = await uow.insight.figures(deps.tenant, slug, period, timezone)
    return ReturnAnalytics(slug, timezone, period, with_every_day(figures, period, timezone))
