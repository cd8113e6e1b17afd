"""simulateReturnPolicy on in-memory ports: replays of the demo's past returns, through the same decision code."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from saleor_returns.domain.actors import Actor
from saleor_returns.domain.codes import ReturnError, ReturnErrorCode
from saleor_returns.domain.decision_snapshot import DecisionSnapshot
from saleor_returns.domain.lifecycle import Resolution, ReturnStatus
from saleor_returns.domain.simulation import SimulatedOutcome
from saleor_returns.services.simulation import reproduce_decisions, simulate_policy
from support.history import play_history

STAFF = Actor.staff("alice")

CHANNEL = "default-channel"


@pytest.fixture
async def past(shop):
    await play_history(shop)
    shop.clock.advance(minutes=1)
    return shop


def recorded(shop) -> list:
    """The channel's returns as saved, with what their decisions saw."""
    return [r for r in shop.db.returns.values() if r.channel == CHANNEL]


async def simulate(shop, changes: dict, days: int = 40, **kwargs):
    return await simulate_policy(shop.deps, STAFF, CHANNEL, changes, shop.clock.now() - timedelta(days=days), **kwargs)


async def test_a_replay_under_the_recorded_policy_gives_every_decision_back(past):
    # given a month of returns decided by the policy file's version (keep-item up to 25 USD, review above 2,000)
    returns = recorded(past)
    assert len(returns) > 50 and all(r.seen is not None and r.seen.replayable for r in returns)
    outcomes = {(r.seen.outcome.status, r.seen.outcome.resolution) for r in returns}
    assert {(ReturnStatus.APPROVED, Resolution.KEEP_ITEM), (ReturnStatus.APPROVED, Resolution.SHIP_BACK),
            (ReturnStatus.PENDING_REVIEW, Resolution.SHIP_BACK)} <= outcomes

    # when each is replayed under the version that decided it
    replays = await reproduce_decisions(past.deps, STAFF, CHANNEL, past.clock.now() - timedelta(days=40))

    # then every one comes back exactly: same outcome, same refund, same trace, rule by rule
    assert len(replays) == len(returns)
    assert [r for r in replays if not r.same] == []
    by_id = {r.id: r for r in returns}
    for replay in replays:
        assert replay.replayed == by_id[replay.return_id].decision.trace
        assert replay.outcome_replayed.refund == by_id[replay.return_id].seen.outcome.refund


async def test_the_current_policy_unchanged_changes_nothing(past):
    result = await simulate(past, {})
    assert result.changed == () and result.current == result.proposed
    assert result.replayed == len(recorded(past)) and result.not_replayable == 0


async def test_lowering_the_keep_item_threshold_sends_the_returns_above_it_back(past):
    # given the returns kept with an instant refund above 15.00 USD
    above = {r.id: r.seen.outcome.refund for r in recorded(past)
             if r.seen.outcome.resolution is Resolution.KEEP_ITEM and r.seen.outcome.refund.amount > Decimal("15")}
    assert len(above) >= 5

    # when the threshold is lowered from 25.00 to 15.00 USD
    result = await simulate(past, {"keep_item_thresholds": {"USD": "15.00"}})

    # then exactly those go from KEEP_ITEM to SHIP_BACK, with the keep-item rule as the reason, refunds unchanged
    assert {c.return_id for c in result.changed} == set(above)
    for c in result.changed:
        assert (c.before, c.after) == (SimulatedOutcome.KEEP_ITEM, SimulatedOutcome.SHIP_BACK)
        assert c.refund_before == c.refund_after == above[c.return_id]
        assert c.why[0].startswith("keep_item: KEEP_ITEM → SHIP_BACK (refund ")
    # and the totals move by exactly their count and their sum
    moved = sum((m.amount for m in above.values()), Decimal(0))
    now, then = result.proposed, result.current
    assert now.counts.keep_item == then.counts.keep_item - len(above)
    assert now.counts.ship_back == then.counts.ship_back + len(above)
    assert (now.counts.review, now.counts.rejected) == (then.counts.review, then.counts.rejected)
    assert now.keep_item_value[0].amount == then.keep_item_value[0].amount - moved
    assert now.refunds == then.refunds  # return shipping is free: the money is the same, the parcel comes back
    # and the daily chart says the same, day by day
    assert sum(d.current.keep_item - d.proposed.keep_item for d in result.daily) == len(above)


async def test_a_flat_return_fee_lowers_the_refunds_of_shipped_back_returns(past):
    result = await simulate(past, {"return_shipping": "FLAT_FEE", "return_shipping_fee": {"USD": "4.95"}})
    # every return whose parcel comes back (approved or waiting for review) refunds 4.95 less; kept ones do not
    assert result.changed and all(c.before is c.after is not SimulatedOutcome.KEEP_ITEM for c in result.changed)
    assert all(c.refund_before.amount - c.refund_after.amount == Decimal("4.95") for c in result.changed)
    assert all(c.why == ("return shipping deducted: 0.00 USD → 4.95 USD",) for c in result.changed)
    fees = Decimal("4.95") * len(result.changed)
    assert result.current.refunds[0].amount - result.proposed.refunds[0].amount == fees


async def test_a_shorter_window_refuses_late_returns_with_the_window_rule(past):
    result = await simulate(past, {"window_days": 3, "grace_days": 0})
    refused = [c for c in result.changed if c.after is SimulatedOutcome.REJECTED]
    assert refused and result.proposed.counts.rejected == len(refused)
    assert all(c.refund_after.amount == 0 for c in refused)
    assert all(any(w.startswith("window[") and "WINDOW_EXPIRED" in w for w in c.why) for c in refused)


async def test_a_simulation_writes_nothing_and_calls_no_provider(past):
    before = (past.db.commits, past.gateway.calls, past.carrier.purchases, len(past.recorder.records),
              len(past.db.tables.policies[("demo", CHANNEL)]) if ("demo", CHANNEL) in past.db.tables.policies else None)
    snapshot = {r.id: (r.status, r.refund_total, len(r.events)) for r in past.db.returns.values()}
    await simulate(past, {"keep_item_thresholds": {"USD": "5.00"}, "window_days": 10})
    after = (past.db.commits, past.gateway.calls, past.carrier.purchases, len(past.recorder.records),
             len(past.db.tables.policies[("demo", CHANNEL)]) if ("demo", CHANNEL) in past.db.tables.policies else None)
    assert after == before
    assert {r.id: (r.status, r.refund_total, len(r.events)) for r in past.db.returns.values()} == snapshot


async def test_returns_decided_before_snapshots_are_counted_apart(past):
    # given two returns whose order was never kept (decided before migration 0011)
    old = recorded(past)[:2]
    for ret in old:
        s = ret.seen
        ret.seen = DecisionSnapshot(s.decided_at, s.policy_version, s.currency, s.requested, s.exception_requested,
                                    s.returned, s.committed, s.keep_item_returns, s.label_cost, s.outcome, None,
                                    "decided before migration 0011")
    result = await simulate(past, {})
    assert result.not_replayable == 2 and result.replayed == len(recorded(past)) - 2


async def test_progress_is_told_along_the_way(past):
    told = []
    result = await simulate(past, {}, progress=lambda done, total: told.append((done, total)))
    assert told[0][0] == 0 and told[-1] == (result.replayed, result.replayed)


@pytest.mark.parametrize(("changes", "since_days", "until_days", "code", "field"), [
    ({"window_days": 5000}, 30, None, ReturnErrorCode.INVALID_INPUT, "input.windowDays"),
    ({"keep_item_thresholds": {"EUR": "10"}}, 30, None, ReturnErrorCode.INVALID_INPUT, "input.keepItemThresholds"),
    ({}, -1, None, ReturnErrorCode.INVALID_INPUT, "since"),
    ({}, 30, -1, ReturnErrorCode.INVALID_INPUT, "until"),
    ({}, 10, 20, ReturnErrorCode.INVALID_INPUT, "until"),
    ({}, 400, None, ReturnErrorCode.INVALID_INPUT, "since"),
])
async def test_bad_input_is_refused_with_a_code_and_the_field(shop, changes, since_days, until_days, code, field):
    now = shop.clock.now()
    until = now - timedelta(days=until_days) if until_days is not None else None
    with pytest.raises(ReturnError) as err:
        await simulate_policy(shop.deps, STAFF, CHANNEL, changes, now - timedelta(days=since_days), until)
    assert (err.value.code, err.value.field) == (code, field)


async def test_an_unknown_channel_and_a_shopper_are_refused(shop):
    now = shop.clock.now()
    with pytest.raises(ReturnError) as err:
        await simulate_policy(shop.deps, STAFF, "nowhere", {}, now - timedelta(days=30))
    assert (err.value.code, err.value.field) == (ReturnErrorCode.INVALID_INPUT, "channel")
    with pytest.raises(ReturnError) as err:
        await simulate_policy(shop.deps, shop.shopper("ORD-1002"), CHANNEL, {}, now - timedelta(days=30))
    assert err.value.code is ReturnErrorCode.FORBIDDEN
