"""One deadline, computed once: end of day in the store's time zone (DOMAIN.md, "one truth")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .policy import Policy, SeasonalWindow, WindowStart

END_OF_DAY = time(23, 59, 59)
# the last day a deadline may fall on: a few days short of 9999-12-31, so that the end of that day in any time
# zone still converts to UTC (policies are bounded far below this when saved; versions saved before may not be)
LAST_DAY = date.max - timedelta(days=3)


@dataclass(frozen=True, slots=True)
class Deadline:
    deadline: datetime  # aware, in the store's time zone
    grace_deadline: datetime
    timezone: str
    seasonal: bool = False  # a seasonal window extended it

    def phase(self, now: datetime) -> str:
        """'open', 'grace' or 'expired' at `now`."""
        now = now.replace(microsecond=0)  # the deadline second lasts until the next midnight, 23:59:59.999 included
        if now <= self.deadline:
            return "open"
        if now <= self.grace_deadline:
            return "grace"
        return "expired"


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(min(day, LAST_DAY), END_OF_DAY, tzinfo=tz)


def plus_days(day: date, days: int) -> date:
    """`day` + `days`, never past LAST_DAY (no OverflowError, whatever a stored policy says)."""
    if days >= (LAST_DAY - min(day, LAST_DAY)).days:
        return LAST_DAY
    return day + timedelta(days=days)


def seasonal_until(seasonal: tuple[SeasonalWindow, ...], ordered_on: date) -> date | None:
    days = [s.returnable_until for s in seasonal if s.ordered_from <= ordered_on <= s.ordered_until]
    return max(days) if days else None


def compute_deadline(*, ordered_at: datetime, fulfilled_at: datetime | None, window_days: int,
                     grace_days: int, policy: Policy, timezone: str) -> Deadline | None:
    """The deadline for a line, or None when the window has not started (not fulfilled yet)."""
    tz = ZoneInfo(timezone)
    start = ordered_at if policy.window_starts is WindowStart.ORDERED else fulfilled_at
    if start is None:
        return None
    start_day = start.astimezone(tz).date()
    last_day = plus_days(start_day, window_days)
    seasonal = False
    extended = seasonal_until(policy.seasonal, ordered_at.astimezone(tz).date())
    if extended is not None and extended > last_day:  # seasonal extends, never shortens
        last_day, seasonal = min(extended, LAST_DAY), True
    return Deadline(
        deadline=end_of_day(last_day, tz),
        grace_deadline=end_of_day(plus_days(last_day, grace_days), tz),
        timezone=timezone,
        seasonal=seasonal,
    )
