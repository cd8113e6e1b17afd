"""What returns cost a store over a period: counts and money per status, reason, resolution, product and day.

The figures are computed where the returns are kept (grouped SQL queries, or the in-memory fake with the
same definitions); this module names them, checks the period asked for, and fills the days without returns."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from .codes import ReturnError, ReturnErrorCode
from .money import Money


@dataclass(frozen=True, slots=True)
class Period:
    """[since, until): returns requested in it count."""

    since: datetime
    until: datetime


def check_period(since: datetime, until: datetime | None, now: datetime, retention: timedelta) -> Period:
    """The period asked for, or INVALID_INPUT naming the argument: it must have begun, end no later than now,
    and reach no further back than the retention (how far back simulations and reports look)."""
    if since.tzinfo is None or (until is not None and until.tzinfo is None):
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "give times with their offset (e.g. 2026-09-01T00:00:00Z)",
                          "since" if since.tzinfo is None else "until")
    end = now if until is None else until
    if since >= now:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "the period starts in the future", "since")
    if end > now:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "the period ends in the future", "until")
    if end <= since:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT, "the period ends before it starts", "until")
    if since < now - retention:
        raise ReturnError(ReturnErrorCode.INVALID_INPUT,
                          f"the period reaches further back than the {retention.days} days kept for this", "since")
    return Period(since, end)


@dataclass(frozen=True, slots=True)
class Bucket:
    """Returns sharing one key (a status, a reason, a resolution, a product)."""

    key: str
    returns: int
    units: int
    refunded: tuple[Money, ...]  # one per currency, by currency


@dataclass(frozen=True, slots=True)
class Day:
    date: date  # in the channel's time zone (UTC across channels)
    returns: int
    refunded: tuple[Money, ...]


@dataclass(frozen=True, slots=True)
class ReturnFigures:
    """Definitions (docs/insights.md): a return counts in the period it was requested in; `refunded` is money
    that went back (succeeded refunds); per reason and product it is the refund of the lines of returns whose
    money went back (shipping adjustments aside), and a return with lines of two reasons counts in both."""

    returns: int
    units: int
    by_status: tuple[Bucket, ...]
    by_reason: tuple[Bucket, ...]
    by_resolution: tuple[Bucket, ...]
    by_product: tuple[Bucket, ...]
    refunded: tuple[Money, ...]
    keep_item_value: tuple[Money, ...]  # refunded on returns whose items the shoppers kept
    label_cost: tuple[Money, ...]  # what the labels bought for these returns cost (voided ones aside)
    median_hours_to_refund: float | None  # from the request to the last succeeded refund
    daily: tuple[Day, ...]


def money_list(amounts: dict[str, Decimal]) -> tuple[Money, ...]:
    """One Money per currency, by currency code."""
    return tuple(Money(amounts[c], c) for c in sorted(amounts))


def add_to(acc: dict[str, Decimal], currency: str, amount: Decimal | None) -> None:
    if amount is not None:
        acc[currency] = acc.get(currency, Decimal(0)) + amount


def ranked(buckets: Iterable[Bucket]) -> tuple[Bucket, ...]:
    """Most returned first (units, then returns), then by key: the order charts and tables show."""
    return tuple(sorted(buckets, key=lambda b: (-b.units, -b.returns, b.key)))


def local_days(period: Period, timezone: str) -> list[date]:
    """Every calendar day the period touches in `timezone`."""
    zone = ZoneInfo(timezone)
    first = period.since.astimezone(zone).date()
    last = (period.until - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def with_every_day(figures: ReturnFigures, period: Period, timezone: str) -> ReturnFigures:
    """The same figures with a zero row for each day of the period without returns (charts need them)."""
    found = {d.date: d for d in figures.daily}
    days = tuple(found.get(day) or Day(day, 0, ()) for day in local_days(period, timezone))
    return replace(figures, daily=days)
