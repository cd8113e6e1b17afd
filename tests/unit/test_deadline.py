"""One deadline: the end of a day in the store's time zone, the same on the site, the receipt and the label."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from saleor_returns.domain.deadline import Deadline, compute_deadline
from saleor_returns.domain.policy import Policy, SeasonalWindow, WindowStart

UTC = UTC
NEW_YORK = "America/New_York"
TOKYO = "Asia/Tokyo"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(tz: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(tz))


def deadline_for(*, fulfilled_at: datetime | None, ordered_at: datetime | None = None, window_days: int = 30,
                 grace_days: int = 3, policy: Policy | None = None, tz: str = NEW_YORK) -> Deadline | None:
    return compute_deadline(ordered_at=ordered_at or fulfilled_at or utc(2024, 1, 1),
                            fulfilled_at=fulfilled_at, window_days=window_days, grace_days=grace_days,
                            policy=policy or Policy(), timezone=tz)


@pytest.mark.parametrize(
    ("tz", "fulfilled_at", "deadline", "grace_deadline"),
    [
        # 02:00 UTC on June 1st is still May 31st in New York, already June 1st in Tokyo
        (NEW_YORK, utc(2024, 6, 1, 2, 0), "2024-06-30T23:59:59-04:00", "2024-07-03T23:59:59-04:00"),
        (TOKYO, utc(2024, 6, 1, 2, 0), "2024-07-01T23:59:59+09:00", "2024-07-04T23:59:59+09:00"),
        # 16:00 UTC on June 1st is already June 2nd in Tokyo
        (TOKYO, utc(2024, 6, 1, 16, 0), "2024-07-02T23:59:59+09:00", "2024-07-05T23:59:59+09:00"),
        (NEW_YORK, utc(2024, 6, 1, 16, 0), "2024-07-01T23:59:59-04:00", "2024-07-04T23:59:59-04:00"),
    ],
    ids=["new-york-late-evening", "tokyo-next-morning", "tokyo-after-midnight", "new-york-noon"],
)
def test_deadline_is_the_end_of_the_day_in_the_store_time_zone(tz: str, fulfilled_at: datetime, deadline: str,
                                                                grace_deadline: str) -> None:
    # given a line shipped at one instant, a 30-day window and 3 grace days
    # when the deadline is computed for a store in `tz`
    d = deadline_for(fulfilled_at=fulfilled_at, tz=tz)

    # then it is 23:59:59 local on the last day, printed with the store's offset, plus its zone name
    assert d is not None
    assert d.deadline.isoformat() == deadline
    assert d.grace_deadline.isoformat() == grace_deadline
    assert d.timezone == tz
    assert d.seasonal is False


@pytest.mark.parametrize(
    ("window_starts", "expected"),
    [(WindowStart.FULFILLED, "2024-06-09T23:59:59-04:00"), (WindowStart.ORDERED, "2024-05-31T23:59:59-04:00")],
    ids=["from-fulfillment", "from-order"],
)
def test_window_starts_at_fulfillment_or_at_order(window_starts: WindowStart, expected: str) -> None:
    # given an order placed May 1st and shipped May 10th
    ordered, shipped = local(NEW_YORK, 2024, 5, 1, 9), local(NEW_YORK, 2024, 5, 10, 9)

    # when the deadline is computed under each setting
    d = deadline_for(ordered_at=ordered, fulfilled_at=shipped, policy=Policy(window_starts=window_starts))

    # then the 30 days count from the chosen start
    assert d is not None and d.deadline.isoformat() == expected


@pytest.mark.parametrize(
    ("window_starts", "has_deadline"), [(WindowStart.FULFILLED, False), (WindowStart.ORDERED, True)],
    ids=["fulfilled-not-started", "ordered-already-running"],
)
def test_an_unshipped_line_has_no_deadline_only_when_the_window_starts_at_fulfillment(
        window_starts: WindowStart, has_deadline: bool) -> None:
    # given a line that has not shipped
    # when the deadline is computed
    d = deadline_for(ordered_at=utc(2024, 5, 1, 12), fulfilled_at=None, policy=Policy(window_starts=window_starts))

    # then the window has not started when it counts from fulfillment, but runs when it counts from the order
    assert (d is not None) is has_deadline


@pytest.mark.parametrize(("grace_days", "grace_day"), [(0, 30), (1, 1), (3, 3), (10, 10)],
                         ids=["no-grace", "one-day", "three-days", "ten-days"])
def test_grace_adds_whole_days_after_the_window(grace_days: int, grace_day: int) -> None:
    # given a window ending June 30th
    # when grace days are added
    d = deadline_for(fulfilled_at=local(NEW_YORK, 2024, 5, 31, 12), grace_days=grace_days)

    # then the grace deadline is the end of the day that many days later
    assert d is not None
    assert d.deadline == local(NEW_YORK, 2024, 6, 30, 23, 59, 59)
    expected = local(NEW_YORK, 2024, 6, 30, 23, 59, 59) if grace_days == 0 else \
        local(NEW_YORK, 2024, 7, grace_day, 23, 59, 59)
    assert d.grace_deadline == expected


@pytest.mark.parametrize(
    ("shipped", "deadline", "offset_before", "offset_after"),
    [
        (local(NEW_YORK, 2024, 3, 1, 10), "2024-03-31T23:59:59-04:00", -5, -4),  # clocks go forward Mar 10
        (local(NEW_YORK, 2024, 10, 20, 10), "2024-11-19T23:59:59-05:00", -4, -5),  # clocks go back Nov 3
    ],
    ids=["spring-forward", "fall-back"],
)
def test_a_dst_change_inside_the_window_keeps_the_deadline_at_23_59_59_local(
        shipped: datetime, deadline: str, offset_before: int, offset_after: int) -> None:
    # given a line shipped before a daylight-saving change, with a window ending after it
    assert shipped.utcoffset() == timedelta(hours=offset_before)

    # when the deadline is computed
    d = deadline_for(fulfilled_at=shipped)

    # then it is still 23:59:59 on the wall clock, with the new offset
    assert d is not None
    assert d.deadline.isoformat() == deadline
    assert d.deadline.utcoffset() == timedelta(hours=offset_after)
    assert (d.grace_deadline.hour, d.grace_deadline.minute, d.grace_deadline.second) == (23, 59, 59)


HOLIDAYS = SeasonalWindow(ordered_from=date(2024, 11, 1), ordered_until=date(2024, 12, 24),
                          returnable_until=date(2025, 1, 31))


@pytest.mark.parametrize(
    ("ordered_at", "shipped", "seasonal", "deadline", "extended"),
    [
        (local(NEW_YORK, 2024, 11, 29, 10), local(NEW_YORK, 2024, 11, 30, 10), (HOLIDAYS,),
         local(NEW_YORK, 2025, 1, 31, 23, 59, 59), True),
        # ordered 22:00 Dec 24th in New York (already Dec 25th in UTC): still a holiday order
        (utc(2024, 12, 25, 3), utc(2024, 12, 26, 15), (HOLIDAYS,),
         local(NEW_YORK, 2025, 1, 31, 23, 59, 59), True),
        (local(NEW_YORK, 2024, 12, 26, 10), local(NEW_YORK, 2024, 12, 27, 10), (HOLIDAYS,),
         local(NEW_YORK, 2025, 1, 26, 23, 59, 59), False),
        # a seasonal date earlier than the normal window never shortens it
        (local(NEW_YORK, 2024, 11, 29, 10), local(NEW_YORK, 2024, 12, 20, 10),
         (SeasonalWindow(date(2024, 11, 1), date(2024, 12, 24), date(2025, 1, 5)),),
         local(NEW_YORK, 2025, 1, 19, 23, 59, 59), False),
    ],
    ids=["holiday-order-extended", "holiday-order-by-store-date", "after-the-season", "seasonal-never-shortens"],
)
def test_seasonal_window_extends_but_never_shortens(ordered_at: datetime, shipped: datetime,
                                                    seasonal: tuple[SeasonalWindow, ...], deadline: datetime,
                                                    extended: bool) -> None:
    # given a policy with a holiday window
    policy = Policy(seasonal=seasonal)

    # when the deadline is computed
    d = deadline_for(ordered_at=ordered_at, fulfilled_at=shipped, policy=policy)

    # then the later of the two dates wins, and grace still follows it
    assert d is not None
    assert d.deadline == deadline
    assert d.seasonal is extended
    assert d.grace_deadline == d.deadline + timedelta(days=3)


# --- phase at the exact boundaries --------------------------------------------------------------

LAPTOP_WINDOW = deadline_for(fulfilled_at=local(NEW_YORK, 2024, 5, 31, 12))  # closes June 30th, grace to July 3rd


@pytest.mark.parametrize(
    ("now", "phase"),
    [
        (local(NEW_YORK, 2024, 6, 1, 0, 0, 0), "open"),
        (local(NEW_YORK, 2024, 6, 30, 23, 59, 59), "open"),
        (datetime(2024, 6, 30, 23, 59, 59, 999_999, tzinfo=ZoneInfo(NEW_YORK)), "open"),
        (local(NEW_YORK, 2024, 7, 1, 0, 0, 0), "grace"),
        (utc(2024, 7, 1, 3, 59, 59), "open"),  # the same instant as 23:59:59 in New York
        (utc(2024, 7, 1, 4, 0, 0), "grace"),
        (local(NEW_YORK, 2024, 7, 3, 23, 59, 59), "grace"),
        (local(NEW_YORK, 2024, 7, 4, 0, 0, 0), "expired"),
        (local(TOKYO, 2024, 7, 4, 12, 59, 59), "grace"),  # 23:59:59 July 3rd in New York
        (local(TOKYO, 2024, 7, 4, 13, 0, 0), "expired"),
    ],
    ids=["first-day", "last-second", "last-microsecond", "next-midnight", "last-second-in-utc",
         "next-midnight-in-utc", "last-grace-second", "after-grace", "last-grace-second-from-tokyo",
         "after-grace-from-tokyo"],
)
def test_phase_changes_exactly_at_midnight_store_time(now: datetime, phase: str) -> None:
    # given a window closing 23:59:59 June 30th New York time, with 3 grace days
    assert LAPTOP_WINDOW is not None

    # when the phase is asked at `now` (in whatever zone the clock reports)
    # then open lasts through 23:59:59, grace starts at 00:00:00, and expired after the grace day
    assert LAPTOP_WINDOW.phase(now) == phase
