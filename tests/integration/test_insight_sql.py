"""Simulations and analytics on the real database (SQLite, PostgreSQL) give what the in-memory fake gives for the
same returns; migration 0011 keeps what it can of earlier decisions and marks them not replayable."""
from __future__ import annotations

import copy
import dataclasses
import importlib.util
import json
from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import null, update

from saleor_returns.adapters.db.engine import make_engine
from saleor_returns.adapters.db.models import Base, ReturnRow
from saleor_returns.adapters.demo.orders_file import load_demo_store
from saleor_returns.adapters.memory.providers import FixedClock, MemoryCarrier, MemoryOrders
from saleor_returns.adapters.memory.uow import MemoryDatabase
from saleor_returns.adapters.refunds.simulated import SimulatedRefundGateway
from saleor_returns.bootstrap import build, in_memory
from saleor_returns.domain.actors import Actor
from saleor_returns.domain.analytics import Period
from saleor_returns.services.analytics import return_analytics
from saleor_returns.services.policies import seed_policies
from saleor_returns.services.seed_history import import_returns
from saleor_returns.services.simulation import reproduce_decisions, simulate_policy
from saleor_returns.settings import Settings
from support.constants import ADMIN_TOKEN, EXAMPLES, ROOT
from support.history import play_history

STAFF = Actor.staff("alice")
POLICIES = json.loads((EXAMPLES / "policy.json").read_text())


@dataclasses.dataclass
class _Shop:
    deps: object
    db: MemoryDatabase
    orders: MemoryOrders
    clock: FixedClock


@pytest.fixture
async def both(empty_db):
    """The same month of past returns in memory and in the database (saved whole by the SQL repository)."""
    clock = FixedClock()
    store = load_demo_store(EXAMPLES / "demo-orders.json", clock.now())
    orders = MemoryOrders(dict(store.orders), dict(store.channels), dict(store.return_addresses))
    settings = Settings(database_url=empty_db, admin_token=ADMIN_TOKEN, secret_key="s" * 32, tenant="demo")
    db = MemoryDatabase()
    memory = _Shop(in_memory(settings, orders, refunds=SimulatedRefundGateway(), carrier=MemoryCarrier(name="local"),
                             clock=clock, db=db), db, orders, clock)
    await seed_policies(memory.deps, POLICIES)
    await play_history(memory, days=28)
    wiring = build(settings, orders, refunds=SimulatedRefundGateway(), carrier=MemoryCarrier(name="local"),
                   clock=clock)
    await seed_policies(wiring.deps, POLICIES)
    made = []
    for ret in sorted(db.returns.values(), key=lambda r: db.seq[r.id]):
        made.append(copy.deepcopy(ret))
    assert await import_returns(wiring.deps, made) == len(made)
    clock.advance(minutes=1)
    try:
        yield memory, wiring.deps, empty_db
    finally:
        await wiring.close()


def _exact(figures):
    return dataclasses.replace(figures, median_hours_to_refund=None)


@pytest.mark.parametrize("channel", ["default-channel", "japan", None])
async def test_the_database_counts_what_memory_counts(both, channel):
    memory, sql, _ = both
    since = memory.clock.now() - timedelta(days=30)
    mine = (await return_analytics(memory.deps, STAFF, channel, since)).figures
    theirs = (await return_analytics(sql, STAFF, channel, since)).figures
    assert mine.returns > 5
    assert _exact(theirs) == _exact(mine)
    assert theirs.median_hours_to_refund == pytest.approx(mine.median_hours_to_refund, abs=1e-3)


async def test_the_database_counts_days_in_the_channels_time_zone(both):
    memory, sql, _ = both
    # a period across the end of daylight saving time in New York (2026-11-01)
    since, until = memory.clock.now() - timedelta(days=30), memory.clock.now() - timedelta(days=20)
    mine = await memory.deps.uow(readonly=True).__aenter__()
    async with sql.uow(readonly=True) as uow:
        theirs = await uow.insight.figures("demo", "default-channel", Period(since, until), "America/New_York")
    found = await mine.insight.figures("demo", "default-channel", Period(since, until), "America/New_York")
    assert theirs.daily == found.daily and len(found.daily) >= 5


async def test_the_database_replays_every_decision_exactly(both):
    memory, sql, _ = both
    since = memory.clock.now() - timedelta(days=30)
    replays = await reproduce_decisions(sql, STAFF, "default-channel", since)
    assert len(replays) > 40 and all(r.same for r in replays)
    changes = {"keep_item_thresholds": {"USD": "15.00"}, "review_above": {"USD": "150.00"}}
    theirs = await simulate_policy(sql, STAFF, "default-channel", changes, since)
    mine = await simulate_policy(memory.deps, STAFF, "default-channel", changes, since)
    # the same returns change the same way (their numbers are each store's own)
    assert theirs.changed and [dataclasses.replace(c, number="") for c in theirs.changed] == [
        dataclasses.replace(c, number="") for c in mine.changed]
    assert dataclasses.replace(theirs, changed=()) == dataclasses.replace(mine, changed=())


def _migration():
    spec = importlib.util.spec_from_file_location("m0011", ROOT / "migrations" / "versions" /
                                                  "0011_decision_snapshots.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


async def test_the_migration_keeps_what_it_can_of_earlier_decisions(both):
    memory, sql, url = both
    since = memory.clock.now() - timedelta(days=30)
    before = await simulate_policy(sql, STAFF, "default-channel", {}, since)
    # given three returns decided before snapshots were kept
    async with sql.uow(readonly=True) as uow:
        decisions = await uow.insight.decisions("demo", "default-channel", Period(since, memory.clock.now()))
    old = {d.return_id: d.seen for d in decisions[5:8]}
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(update(ReturnRow).where(ReturnRow.id.in_(list(old))).values(decision_seen=null()))
            # when migration 0011 backfills them
            await conn.run_sync(_migration().backfill)
    finally:
        await engine.dispose()

    # then each keeps what the tables tell, and is marked not replayable
    async with sql.uow(readonly=True) as uow:
        again = {d.return_id: d.seen for d in await uow.insight.decisions(
            "demo", "default-channel", Period(since, memory.clock.now())) if d.return_id in old}
    for return_id, seen in again.items():
        was = old[return_id]
        assert seen is not None and not seen.replayable and "0011" in (seen.why_not_replayable or "")
        assert (seen.outcome.status, seen.outcome.resolution, seen.outcome.refund) == (
            was.outcome.status, was.outcome.resolution, was.outcome.refund)
        assert seen.requested == was.requested and seen.exception_requested == was.exception_requested
        assert [k.amount for k in seen.keep_item_returns] == [k.amount for k in was.keep_item_returns]
        assert dict(seen.returned) == dict(was.returned) and seen.decided_at == was.decided_at
    # and the simulation counts them apart
    after = await simulate_policy(sql, STAFF, "default-channel", {}, since)
    assert (after.replayed, after.not_replayable) == (before.replayed - 3, 3)


async def test_the_returns_table_matches_its_model(database_url):
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            diffs = await conn.run_sync(lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    finally:
        await engine.dispose()
    about = [d for d in diffs if any(name in repr(d) for name in (
        "decision_seen", "ix_returns_tenant_c", "ix_return_lines_insight", "ix_refunds_insight"))]
    assert about == []
