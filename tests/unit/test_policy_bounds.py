"""Issue 11, point 3: no policy can be saved that makes a later request fail; the deadline code copes with
versions saved before the bounds. (Point 4, unknown keys inside entries: tests/unit/test_policy.py.)"""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saleor_returns.domain.deadline import LAST_DAY, compute_deadline
from saleor_returns.domain.policy import KeepItemLimits, Policy, PolicyError, SeasonalWindow, policy_from_dict
from saleor_returns.domain.policy_bounds import (
    FIRST_SEASON_DAY,
    LAST_SEASON_DAY,
    MAX_DAYS,
    policy_for_saving,
)

ZONES = ["Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York", "UTC", "Asia/Tokyo"]


@pytest.mark.parametrize(("data", "field", "words"), [
    pytest.param({"seasonal": [{"ordered_from": "2026-11-01", "ordered_until": "2026-12-24",
                                "returnable_until": "9999-12-31"}]}, "seasonal", "seasonal[0].returnable_until",
                 id="seasonal-until-9999"),
    pytest.param({"seasonal": [{"ordered_from": "0001-01-01", "ordered_until": "2026-12-24",
                                "returnable_until": "2027-01-31"}]}, "seasonal", "seasonal[0].ordered_from",
                 id="seasonal-from-year-1"),
    pytest.param({"seasonal": [{"ordered_from": "2026-11-01", "ordered_until": "2026-12-24",
                                "returnable_until": "2040-01-31"}]}, "seasonal", "ten years", id="seasonal-13-years"),
    pytest.param({"keep_item_limits": {"days": 740_000}}, "keep_item_limits", "keep_item_limits.days",
                 id="keep-item-days-740000"),
    pytest.param({"keep_item_limits": {"days": 3651}}, "keep_item_limits", "3650", id="keep-item-days-3651"),
    pytest.param({"keep_item_limits": {"max_count": 10**12}}, "keep_item_limits", "max_count",
                 id="keep-item-count-absurd"),
    pytest.param({"keep_item_limits": {"max_amount": {"USD": "1000000000000.01"}}}, "keep_item_limits",
                 "max_amount", id="keep-item-amount-absurd"),
    pytest.param({"review_above": {"USD": "99999999999999"}}, "review_above", "review_above", id="review-absurd"),
    pytest.param({"return_shipping_fee": {"USD": "1e13"}}, "return_shipping_fee", "return_shipping_fee",
                 id="flat-fee-absurd"),
    pytest.param({"restocking_fee_percent": "12.000001"}, "restocking_fee_percent", "decimals",
                 id="fee-with-six-decimals"),
    pytest.param({"reasons": ["OTHER", "R" * 65]}, "reasons", "64", id="reason-longer-than-the-column"),
    pytest.param({"reasons": ["OTHER", "BAD\u0000"]}, "reasons", "printable", id="reason-with-nul"),
    pytest.param({"reasons": [f"R{i}" for i in range(51)], "comment_required": []}, "reasons", "at most 50",
                 id="51-reasons"),
    pytest.param({"overrides": [{"level": "PRODUCT", "key": "k" * 256, "final_sale": True}]}, "overrides",
                 "overrides[0].key", id="override-key-too-long"),
    pytest.param({"overrides": [{"level": "PRODUCT", "key": f"p{i}"} for i in range(1001)]}, "overrides",
                 "1000", id="1001-overrides"),
])
def test_settings_past_their_bound_are_refused_naming_the_setting(data: dict, field: str, words: str):
    policy_from_dict(data)  # such versions may exist: they still load (below: and still work)
    with pytest.raises(PolicyError) as caught:
        policy_for_saving(data)
    assert caught.value.field == field and words in str(caught.value)


def test_the_example_policies_are_within_every_bound():
    import json

    from support.constants import EXAMPLES

    for data in json.loads((EXAMPLES / "policy.json").read_text()).values():
        policy_for_saving(data)


def _extreme_policies() -> st.SearchStrategy[dict[str, Any]]:
    day = st.dates(FIRST_SEASON_DAY, LAST_SEASON_DAY)
    season = st.tuples(day, day).map(sorted).flatmap(
        lambda pair: st.integers(0, MAX_DAYS).map(lambda extra: {
            "ordered_from": pair[0].isoformat(), "ordered_until": pair[1].isoformat(),
            "returnable_until": min(pair[1] + timedelta(days=extra), LAST_SEASON_DAY).isoformat()}))
    return st.fixed_dictionaries({
        "window_days": st.sampled_from([0, 1, MAX_DAYS]), "grace_days": st.sampled_from([0, MAX_DAYS]),
        "window_starts": st.sampled_from(["FULFILLED", "ORDERED"]),
        "keep_item_limits": st.fixed_dictionaries({"days": st.sampled_from([1, MAX_DAYS])}),
        "seasonal": st.lists(season, max_size=3)})


@settings(max_examples=300, deadline=None)
@given(data=_extreme_policies(), ordered=st.datetimes(datetime(2000, 1, 1), datetime(2199, 12, 31)),
       shipped_after=st.integers(0, 400), zone=st.sampled_from(ZONES))
def test_any_policy_that_can_be_saved_gives_a_deadline_for_any_order(data, ordered, shipped_after, zone):
    # given any policy within the bounds, and any order placed this century or the next
    policy = policy_for_saving(data)
    ordered_at = ordered.replace(tzinfo=UTC)
    # when a deadline and the keep-item look-back are computed (and stored: converted to UTC)
    d = compute_deadline(ordered_at=ordered_at, fulfilled_at=ordered_at + timedelta(days=shipped_after),
                         window_days=policy.window_days, grace_days=policy.grace_days, policy=policy,
                         timezone=zone)
    # then nothing overflows
    assert d is not None and d.grace_deadline >= d.deadline
    assert d.grace_deadline.astimezone(UTC).year <= 2300
    assert policy.keep_item_limits.since(datetime.now(UTC)).year >= 1990


@pytest.mark.parametrize("zone", ZONES)
def test_a_version_saved_before_the_bounds_still_gives_deadlines(zone: str):
    # given what staff could save before: returnable until 9999-12-31, ten years of grace, 740,000 days of look-back
    old = Policy(grace_days=3650, keep_item_limits=KeepItemLimits(days=740_000),
                 seasonal=(SeasonalWindow(date(2026, 11, 1), date(2026, 12, 24), date(9999, 12, 31)),))
    ordered_at = datetime(2026, 12, 1, 12, tzinfo=UTC)
    # when a deadline is computed
    d = compute_deadline(ordered_at=ordered_at, fulfilled_at=ordered_at, window_days=30, grace_days=3650,
                         policy=old, timezone=zone)
    # then it stops at the last day a date can hold, in every time zone, and converts to UTC
    assert d is not None and d.deadline.date() == LAST_DAY and d.grace_deadline.date() == LAST_DAY
    assert d.grace_deadline.astimezone(UTC).year == 9999
    assert d.phase(datetime(2030, 1, 1, tzinfo=UTC)) == "open"
    assert old.keep_item_limits.since(datetime(2026, 12, 4, tzinfo=UTC)) == datetime(1970, 1, 1, tzinfo=UTC)
