"""Policies, goodwill spending, applied provider messages and named locks: memory and SQL alike."""
from __future__ import annotations

import asyncio
from datetime import date
from decimal import Decimal

from saleor_returns.domain.money import Money
from saleor_returns.domain.policy import KeepItemLimits, Override, OverrideLevel, Policy, RefundTiming
from saleor_returns.domain.tracking import ParcelStatus, TrackingUpdate
from saleor_returns.ports import PolicyVersion
from support.return_builder import OTHER_TENANT, TENANT, a_label, a_return, at, usd

DAY = date(2026, 11, 25)
STRICT = Policy(window_days=14, grace_days=0, keep_item_thresholds=(usd("25.00"), Money.of("3000", "JPY")),
                keep_item_limits=KeepItemLimits(max_count=2, max_amount=(usd("100.00"),), days=90),
                review_above=(usd("500.00"),), refund_timing=RefundTiming.ON_FIRST_SCAN,
                restocking_fee_percent=Decimal("12.5"), reasons=("DAMAGED", "OTHER"), comment_required=("OTHER",),
                overrides=(Override(OverrideLevel.CATEGORY, "Clearance", final_sale=True),))


# --- policies ------------------------------------------------------------------------------------
async def test_policy_versions_grow_and_the_latest_is_what_was_saved(uows):
    async with uows(readonly=True) as tx:
        assert await tx.policies.latest(TENANT, "default-channel") is None
    async with uows() as tx:
        first = await tx.policies.add(TENANT, "default-channel", Policy(), "owner", at(0))
        await tx.commit()
    async with uows() as tx:
        second = await tx.policies.add(TENANT, "default-channel", STRICT, "staff:alice", at(1))
        other = await tx.policies.add(TENANT, "eu", Policy(window_days=60), "owner", at(1))
        theirs = await tx.policies.add(OTHER_TENANT, "default-channel", Policy(window_days=7), "owner", at(1))
        await tx.commit()

    assert (first, second, other, theirs) == (1, 2, 1, 1)
    async with uows(readonly=True) as tx:
        assert await tx.policies.latest(TENANT, "default-channel") == PolicyVersion(STRICT, 2)
        assert await tx.policies.latest(TENANT, "eu") == PolicyVersion(Policy(window_days=60), 1)
        assert await tx.policies.latest(OTHER_TENANT, "default-channel") == PolicyVersion(Policy(window_days=7), 1)
        assert await tx.policies.channels(TENANT) == ["default-channel", "eu"]
        assert await tx.policies.channels("nobody") == []


async def test_the_latest_policies_of_many_channels_are_read_at_once(uows):
    async with uows() as tx:
        await tx.policies.add(TENANT, "default-channel", Policy(), "owner", at(0))
        await tx.policies.add(TENANT, "default-channel", STRICT, "owner", at(1))
        await tx.policies.add(TENANT, "eu", Policy(window_days=60), "owner", at(1))
        await tx.policies.add(OTHER_TENANT, "us", Policy(window_days=7), "owner", at(1))
        await tx.commit()
    async with uows(readonly=True) as tx:
        found = await tx.policies.latest_of(TENANT, ["default-channel", "eu", "us"])
        assert await tx.policies.latest_of(TENANT, []) == {}
    assert found == {"default-channel": PolicyVersion(STRICT, 2), "eu": PolicyVersion(Policy(window_days=60), 1)}


async def test_two_policy_versions_in_one_unit_of_work_get_two_numbers(uows):
    async with uows() as tx:
        assert await tx.policies.add(TENANT, "eu", Policy(), "owner", at(0)) == 1
        assert await tx.policies.add(TENANT, "eu", STRICT, "owner", at(0)) == 2
        assert await tx.policies.latest(TENANT, "eu") == PolicyVersion(STRICT, 2)
        await tx.commit()


async def test_a_policy_not_committed_is_not_kept(uows):
    async with uows() as tx:
        await tx.policies.add(TENANT, "eu", Policy(), "owner", at(0))
    async with uows() as tx:
        assert await tx.policies.latest(TENANT, "eu") is None
        assert await tx.policies.add(TENANT, "eu", Policy(), "owner", at(0)) == 1


async def test_racing_policy_writers_that_lock_the_channel_get_one_version_each(uows):
    async def write(window: int) -> int:
        async with uows() as tx:
            await tx.lock(TENANT, "policy:eu")
            version = await tx.policies.add(TENANT, "eu", Policy(window_days=window), "owner", at(0))
            await asyncio.sleep(0.01)  # the other writer runs meanwhile, and must wait for the lock
            await tx.commit()
        return version

    versions = await asyncio.gather(*(write(w) for w in (10, 20, 30)))
    assert sorted(versions) == [1, 2, 3]


# --- goodwill ------------------------------------------------------------------------------------
async def test_goodwill_spent_adds_up_one_staff_members_day_in_one_currency(uows):
    ret, theirs = a_return(), a_return(tenant=OTHER_TENANT)
    async with uows() as tx:
        tx.returns.add(ret)
        tx.returns.add(theirs)
        await tx.flush()
        tx.goodwill.spend(TENANT, "alice", DAY, usd("10.00"), ret.id, at(0))
        tx.goodwill.spend(TENANT, "alice", DAY, usd("2.50"), ret.id, at(1))
        tx.goodwill.spend(TENANT, "alice", DAY, Money.of("9.00", "EUR"), ret.id, at(1))
        tx.goodwill.spend(TENANT, "bob", DAY, usd("40.00"), ret.id, at(1))
        tx.goodwill.spend(TENANT, "alice", date(2026, 11, 24), usd("50.00"), ret.id, at(1))
        tx.goodwill.spend(OTHER_TENANT, "alice", DAY, usd("60.00"), theirs.id, at(1))
        assert await tx.goodwill.spent(TENANT, "alice", DAY, "USD") == Decimal("12.50")  # its own spending too
        await tx.commit()
    async with uows(readonly=True) as tx:
        assert await tx.goodwill.spent(TENANT, "alice", DAY, "USD") == Decimal("12.50")
        assert await tx.goodwill.spent(TENANT, "alice", DAY, "EUR") == Decimal("9.00")
        assert await tx.goodwill.spent(TENANT, "carol", DAY, "USD") == Decimal(0)


async def test_goodwill_not_committed_is_not_spent(uows):
    ret = a_return()
    async with uows() as tx:
        tx.returns.add(ret)
        await tx.commit()
    async with uows() as tx:
        tx.goodwill.spend(TENANT, "alice", DAY, usd("10.00"), ret.id, at(0))
    async with uows(readonly=True) as tx:
        assert await tx.goodwill.spent(TENANT, "alice", DAY, "USD") == Decimal(0)


# --- the inbox -----------------------------------------------------------------------------------
async def test_a_provider_event_is_new_once(uows):
    async with uows() as tx:
        row = await tx.inbox.first_time("stripe", "evt_1", "refund.updated", at(0))
        assert row is not None
        assert await tx.inbox.first_time("stripe", "evt_1", "refund.updated", at(0)) is None  # in the same one
        assert await tx.inbox.first_time("saleor", "evt_1", "refund.updated", at(0)) is not None
        await tx.inbox.set_result(row, "applied")
        await tx.commit()
    async with uows() as tx:
        assert await tx.inbox.first_time("stripe", "evt_1", "refund.updated", at(1)) is None
        assert await tx.inbox.first_time("stripe", "evt_2", "refund.updated", at(1)) is not None
        await tx.commit()


async def test_a_provider_event_not_committed_is_new_again(uows):
    async with uows() as tx:
        assert await tx.inbox.first_time("stripe", "evt_1", "refund.updated", at(0)) is not None
    async with uows() as tx:
        assert await tx.inbox.first_time("stripe", "evt_1", "refund.updated", at(0)) is not None


async def test_a_tracking_event_is_kept_once_per_carrier(uows):
    label = a_label(carrier="easypost", tracking="9400A")
    async with uows() as tx:
        tx.returns.add(a_return(labels=[label]))
        await tx.commit()
    update = TrackingUpdate("easypost", "trk_evt_1", "9400A", ParcelStatus.IN_TRANSIT, "accepted", at(5))
    async with uows() as tx:
        assert await tx.inbox.first_tracking_event(update, label.id, at(6)) is True
        assert await tx.inbox.first_tracking_event(update, label.id, at(6)) is False  # in the same one
        await tx.commit()
    async with uows() as tx:
        assert await tx.inbox.first_tracking_event(update, label.id, at(7)) is False  # a repeated webhook
        other_carrier = TrackingUpdate("shippo", "trk_evt_1", "9400A", ParcelStatus.DELIVERED)
        assert await tx.inbox.first_tracking_event(other_carrier, label.id, at(7)) is True
        await tx.commit()


async def test_a_tracking_event_not_committed_is_new_again(uows):
    label = a_label(carrier="easypost", tracking="9400A")
    async with uows() as tx:
        tx.returns.add(a_return(labels=[label]))
        await tx.commit()
    update = TrackingUpdate("easypost", "trk_evt_1", "9400A", ParcelStatus.IN_TRANSIT)
    async with uows() as tx:
        assert await tx.inbox.first_tracking_event(update, label.id, at(6)) is True
    async with uows() as tx:
        assert await tx.inbox.first_tracking_event(update, label.id, at(6)) is True
