"""The merchant's side: policy versions per channel (validated, in the channel's currency, thresholds hidden
from shoppers), the goodwill meter on the store's day, and the channels staff can configure."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from conftest import OWNER, STAFF, make_shop
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.lifecycle import Resolution
from saleor_returns.domain.money import Money
from saleor_returns.domain.policy import RefundTiming
from saleor_returns.services.channels import known_channels
from saleor_returns.services.goodwill import goodwill_today
from saleor_returns.services.policies import get_policy, seed_policies, update_policy
from saleor_returns.services.staff_actions import approve_return

# --- policy versions ------------------------------------------------------------------------------

async def test_each_saved_change_is_the_next_version_and_decides_the_next_return(shop):
    # given the policy file is version 1 of the default channel
    assert (await get_policy(shop.deps, STAFF, "default-channel")).version == 1

    # when staff lower the keep-item threshold to 10.00, then refund on approval
    lowered = await update_policy(shop.deps, STAFF, "default-channel", {"keep_item_thresholds": {"USD": "10.00"}})
    timed = await update_policy(shop.deps, OWNER, "default-channel", {"refund_timing": "ON_APPROVAL"})

    # then they are versions 2 and 3, each keeping what it did not change, on record with who saved it
    assert (lowered.version, timed.version) == (2, 3)
    assert timed.policy.keep_item_thresholds == (Money(Decimal("10.00"), "USD"),)
    assert timed.policy.refund_timing is RefundTiming.ON_APPROVAL and timed.policy.grace_days == 3
    assert [(v, by) for v, _, by, _ in shop.db.tables.policies[("demo", "default-channel")]] == [
        (1, "system:policy-file"), (2, "staff:alice"), (3, "staff:owner")]
    # and the cover (19.99) now ships back, decided by version 3, refunded with its label
    ret = await shop.ask("ORD-1002", ("L-1002-1", 1, "DOES_NOT_FIT"))
    assert (ret.resolution, ret.policy_version, len(ret.refunds)) == (Resolution.SHIP_BACK, 3, 1)


async def test_a_partial_change_of_the_keep_item_limits_keeps_the_other_limits(shop):
    # given keep-item refunds are limited to 3 and 100.00 per 30 days
    await update_policy(shop.deps, STAFF, "default-channel",
                        {"keep_item_limits": {"max_count": 3, "max_amount": {"USD": "100.00"}, "days": 30}})

    # when staff change only the count
    saved = await update_policy(shop.deps, STAFF, "default-channel", {"keep_item_limits": {"max_count": 1}})

    # then the amount and the period stay
    limits = saved.policy.keep_item_limits
    assert (limits.max_count, limits.max_amount, limits.days) == (1, (Money(Decimal("100.00"), "USD"),), 30)


async def test_shoppers_see_the_policy_without_its_thresholds(shop):
    # when a shopper and staff read the same policy
    public = await get_policy(shop.deps, shop.shopper("ORD-1002"), "default-channel")
    staff = await get_policy(shop.deps, STAFF, "default-channel")

    # then the shopper does not see what triggers keep-item or review; the rest is the same
    assert public.policy.keep_item_thresholds == () and public.policy.review_above == ()
    assert staff.policy.keep_item_thresholds == (Money(Decimal("25.00"), "USD"),)
    assert public.policy.grace_days == staff.policy.grace_days == 3 and public.version == 1
    assert public.channel.timezone == "America/New_York"


async def test_a_channel_without_a_saved_policy_runs_on_the_defaults_as_version_zero():
    # given a store where nothing was saved yet
    shop = make_shop()  # nothing seeded

    # when staff read a channel's policy, then it is the built-in defaults, version 0
    seen = await get_policy(shop.deps, STAFF, "japan")
    assert (seen.version, seen.policy.window_days, seen.policy.keep_item_thresholds) == (0, 30, ())


@pytest.mark.parametrize(("changes", "field", "words"), [
    pytest.param({"window_days": -1}, "input.windowDays", "0 to 3650", id="negative-window"),
    pytest.param({"window_days": "thirty"}, "input.windowDays", "whole number", id="window-not-a-number"),
    pytest.param({"grace_mode": "SOMETIMES"}, "input.graceMode", "AUTO_APPROVE", id="unknown-grace-mode"),
    pytest.param({"refund_timing": "LATER"}, "input.refundTiming", "ON_RECEIPT", id="unknown-refund-timing"),
    pytest.param({"restocking_fee_percent": "150"}, "input.restockingFeePercent", "between 0 and 100",
                 id="fee-above-100"),
    pytest.param({"keep_item_thresholds": {"QQQ": "5"}}, "input.keepItemThresholds", "unknown currency",
                 id="unknown-currency"),
    pytest.param({"keep_item_thresholds": {"USD": "-5"}}, "input.keepItemThresholds", "negative",
                 id="negative-threshold"),
    pytest.param({"keep_item_limits": {"days": 0}}, "input.keepItemLimits", "days", id="limits-zero-days"),
    pytest.param({"reasons": []}, "input.reasons", "at least one", id="no-reasons"),
    pytest.param({"comment_required": ["NOPE"]}, "input.commentRequired", "unknown reason",
                 id="comment-for-unknown-reason"),
    pytest.param({"overrides": [{"level": "CATEGORY"}]}, "input.overrides", "level and a key", id="override-no-key"),
    pytest.param({"seasonal": [{"ordered_from": "2026-12-24"}]}, "input.seasonal", "date", id="seasonal-no-dates"),
    pytest.param({"colour": "red"}, "input.colour", "unknown policy setting", id="unknown-setting"),
    pytest.param({"keep_item_thresholds": {"EUR": "25.00"}}, "input.keepItemThresholds", "sells in USD",
                 id="threshold-in-another-currency"),
    pytest.param({"review_above": {"JPY": "1000"}}, "input.reviewAbove", "not JPY", id="review-in-another-currency"),
])
async def test_a_policy_no_merchant_could_mean_is_refused_naming_the_field_and_nothing_is_saved(shop, changes,
                                                                                               field, words):
    # when staff save a change no merchant could mean
    with pytest.raises(ReturnError) as err:
        await update_policy(shop.deps, STAFF, "default-channel", changes)

    # then it is refused naming the GraphQL input field, and version 1 is still the latest
    assert (err.value.code, err.value.field) == (ReturnErrorCode.INVALID_INPUT, field)
    assert words in err.value.message
    assert [v for v, *_ in shop.db.tables.policies[("demo", "default-channel")]] == [1]


async def test_policies_are_per_channel_and_need_a_channel_that_exists(shop):
    # when staff change the Japanese policy, then the default channel keeps its version
    saved = await update_policy(shop.deps, STAFF, "japan", {"keep_item_thresholds": {"JPY": "5000"}})
    assert saved.version == 2 and (await get_policy(shop.deps, STAFF, "default-channel")).version == 1

    # when they name a channel the store does not have, then the channel is refused
    for act in (lambda: update_policy(shop.deps, STAFF, "mars", {}), lambda: get_policy(shop.deps, STAFF, "mars")):
        with pytest.raises(ReturnError) as err:
            await act()
        assert (err.value.code, err.value.field) == (ReturnErrorCode.INVALID_INPUT, "channel")


async def test_only_staff_change_the_policy(shop):
    # when a shopper tries to widen the window, then she may not, and nothing changed
    with pytest.raises(ReturnError) as err:
        await update_policy(shop.deps, shop.shopper("ORD-1002"), "default-channel", {"window_days": 365})
    assert err.value.code is ReturnErrorCode.FORBIDDEN
    assert (await get_policy(shop.deps, STAFF, "default-channel")).policy.window_days == 30


async def test_the_policy_file_only_seeds_channels_without_a_version(shop):
    # given staff changed the default channel's policy
    await update_policy(shop.deps, STAFF, "default-channel", {"window_days": 60})

    # when the demo starts again with its policy file, then only the new channel is seeded
    seeded = await seed_policies(shop.deps, {"default-channel": {"window_days": 14}, "outlet": {"window_days": 7}})
    assert seeded == ["outlet"]
    assert (await get_policy(shop.deps, STAFF, "default-channel")).policy.window_days == 60


# --- goodwill today -------------------------------------------------------------------------------

async def test_the_goodwill_meter_shows_the_store_day_the_budget_and_what_is_left(shop):
    # given alice approved Eve's espresso exception (449.00) at noon in New York
    espresso = await shop.ask("ORD-1005", ("L-1005-1", 1, "CHANGED_MIND"), exception=True)
    await approve_return(shop.deps, STAFF, espresso.id, None, None)

    # when she looks at her meter in USD, and at 20:00 New York time (already tomorrow in UTC)
    noon = await goodwill_today(shop.deps, STAFF, " usd ")
    shop.clock.advance(hours=8)
    evening = await goodwill_today(shop.deps, STAFF, "USD", channel="default-channel")

    # then both are the same store day, with 449.00 spent of 2,000.00
    for meter in (noon, evening):
        assert (meter.staff, meter.day, meter.timezone) == ("alice", date(2026, 11, 25), "America/New_York")
        assert (meter.budget.daily.amount, meter.budget.spent_today.amount, meter.budget.left.amount) == (
            Decimal("2000.00"), Decimal("449.00"), Decimal("1551.00"))
    # and another staff member's meter is untouched
    assert (await goodwill_today(shop.deps, OWNER, "USD")).budget.spent_today.amount == 0


async def test_the_goodwill_meter_in_a_currency_no_channel_sells_runs_on_utc_days():
    # given a budget in euros, which no channel sells in
    shop = make_shop(goodwill_daily=(Money(Decimal("150.00"), "EUR"),))

    # when staff look at it, then its day is the UTC day
    meter = await goodwill_today(shop.deps, STAFF, "EUR")
    assert (meter.timezone, meter.budget.daily.amount, meter.day) == ("UTC", Decimal("150.00"), date(2026, 11, 25))


@pytest.mark.parametrize(("currency", "channel", "field"), [
    pytest.param("DOLLARS", None, "currency", id="not-a-currency"),
    pytest.param("USD", "mars", "channel", id="no-such-channel"),
])
async def test_the_goodwill_meter_refuses_what_it_cannot_read(shop, currency, channel, field):
    # when the meter is asked in no currency or for no channel, then it says which
    with pytest.raises(ReturnError) as err:
        await goodwill_today(shop.deps, STAFF, currency, channel)
    assert (err.value.code, err.value.field) == (ReturnErrorCode.INVALID_INPUT, field)


async def test_shoppers_have_no_goodwill_meter(shop):
    # when a shopper asks for a meter, then she may not
    with pytest.raises(ReturnError) as err:
        await goodwill_today(shop.deps, shop.shopper("ORD-1002"), "USD")
    assert err.value.code is ReturnErrorCode.FORBIDDEN


# --- channels -------------------------------------------------------------------------------------

async def test_staff_see_the_channels_with_a_policy_or_a_return_and_their_versions():
    # given a store whose default channel has a saved policy, and whose Japanese one only has a return
    shop = make_shop()
    await update_policy(shop.deps, STAFF, "default-channel", {"window_days": 14})
    await shop.ask("ORD-2001", ("L-2001-1", 1, "DAMAGED"))

    # when staff open the channel picker
    found = await known_channels(shop.deps, STAFF)

    # then both show, each with the version that decides its returns (0: the built-in defaults)
    assert [(k.channel.slug, k.channel.currency, k.policy_version) for k in found] == [
        ("default-channel", "USD", 1), ("japan", "JPY", 0)]


class ListingOrders:
    """An order source that can also list its channels (Saleor can; the orders file cannot)."""

    def __init__(self, inner, slugs, awaitable: bool) -> None:
        self.inner, self.slugs, self.awaitable = inner, slugs, awaitable

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def channel_slugs(self):
        if not self.awaitable:
            return list(self.slugs)

        async def listed():
            return list(self.slugs)

        return listed()


@pytest.mark.parametrize("awaitable", [False, True], ids=["sync", "async"])
async def test_channels_the_store_lists_show_up_before_any_policy_and_unknown_ones_are_dropped(awaitable):
    # given a fresh store with no policy and no return, whose source lists its channels (one it cannot read)
    shop = make_shop()
    shop.deps.orders = ListingOrders(shop.orders, ["japan", "default-channel", "ghost"], awaitable)

    # when staff open the channel picker
    found = await known_channels(shop.deps, STAFF)

    # then the readable ones show, on the defaults (version 0)
    assert [(k.channel.slug, k.policy_version) for k in found] == [("default-channel", 0), ("japan", 0)]


async def test_shoppers_cannot_list_channels(shop):
    # when a shopper asks for the channel picker, then she may not
    with pytest.raises(ReturnError) as err:
        await known_channels(shop.deps, shop.shopper("ORD-1002"))
    assert err.value.code is ReturnErrorCode.FORBIDDEN
