"""How long a policy simulation takes over 10,000 past returns (the issue asks for under 5 seconds).

    .venv/bin/python bench/simulate.py [--returns 10000] [--runs 3] [--database-url postgresql://...]

It makes 10,000 deterministic returns of one channel over 90 days (the recipe of examples/demo-history.json,
with 2,500 shoppers so the keep-item limits bite), each decided by the live decision path
(services.decide_return.gather_and_decide) with what it saw kept, and saves them through the SQL repository into a
fresh database: a SQLite file in a temp directory, or with --database-url a throwaway PostgreSQL database on that
server (created and dropped). Then it times `simulate_policy` (read the period's decisions and snapshots, replay
each under a lower keep-item threshold and a review trigger, compare) and `reproduce_decisions` (replay each under
the version that decided it), and checks that every replay under the recorded version gives the recorded
decision back. Exit status 1 when one does not, or when the simulation takes 5 seconds or more.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import time
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugin"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_db import bench_database, machine, redact  # noqa: E402

from saleor_returns.adapters.demo.history import expand  # noqa: E402
from saleor_returns.adapters.demo.orders_file import load_demo_store  # noqa: E402
from saleor_returns.adapters.memory.providers import MemoryCarrier, MemoryOrders  # noqa: E402
from saleor_returns.adapters.memory.replay import replay_ports  # noqa: E402
from saleor_returns.bootstrap import build  # noqa: E402
from saleor_returns.domain.actors import Actor  # noqa: E402
from saleor_returns.domain.decision import RequestedLine  # noqa: E402
from saleor_returns.domain.decision_snapshot import DecisionOutcome, DecisionSnapshot, KeepItemReturn  # noqa: E402
from saleor_returns.domain.lifecycle import Resolution, ReturnStatus  # noqa: E402
from saleor_returns.domain.returns import Return  # noqa: E402
from saleor_returns.ports import PolicyVersion  # noqa: E402
from saleor_returns.services.context import Deps  # noqa: E402
from saleor_returns.services.decide_return import gather_and_decide  # noqa: E402
from saleor_returns.services.policies import seed_policies  # noqa: E402
from saleor_returns.services.simulation import reproduce_decisions, simulate_policy  # noqa: E402
from saleor_returns.settings import Settings  # noqa: E402

EXAMPLES = ROOT / "examples"
CHANNEL = "default-channel"
CHANGES = {"keep_item_thresholds": {"USD": "15.00"}, "review_above": {"USD": "400.00"}}
STAFF = Actor.staff("bench")
LIMIT_SECONDS = 5.0


class Fixed:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def recipe(returns: int) -> dict:
    spec = json.loads((EXAMPLES / "demo-history.json").read_text())
    per_day = returns / 90
    spec.update(days=90, customers=2500,
                channels={CHANNEL: {**spec["channels"][CHANNEL], "returnsPerDay": [int(per_day), int(per_day) + 20]}})
    return spec


async def decided_returns(deps: Deps, count: int, now: datetime, policy: PolicyVersion,
                          orders: MemoryOrders) -> list[Return]:
    """`count` returns decided by decide_request, in time order, each customer's keep-item history growing."""
    history = expand(recipe(count), orders.channels, now)
    orders.orders.update(history.orders)
    rng = random.Random(14)
    kept: dict[str, list[KeepItemReturn]] = {}
    made: list[Return] = []
    for p in history.returns:
        if len(made) == count:
            break
        order = p.order
        asked = tuple(RequestedLine(x.order_line_id, x.quantity, x.reason, x.comment) for x in p.lines)
        mine = kept.setdefault(order.user_email, [])
        then = DecisionSnapshot(p.requested_at, policy.version, order.currency, asked, False, {}, {}, tuple(mine),
                                None, DecisionOutcome.refused(order.currency), order)
        ports = replay_ports(deps.tenant, order, then, policy)
        at = replace(deps, uow=ports.uow, orders=ports.orders, carriers=ports.carriers, clock=ports.clock)
        async with at.uow(readonly=True) as uow:
            decided = await gather_and_decide(uow, at, order, asked, False, p.requested_at)
        if decided.decision.status is ReturnStatus.REJECTED:
            continue
        ret = Return.open(return_id=str(uuid.UUID(int=rng.getrandbits(128))), tenant=deps.tenant, order=order,
                          decision=decided.decision, eligibility={el.line.id: el for el in decided.lines},
                          refund_timing=policy.policy.refund_timing, actor=Actor.guest(order.user_email), note=None,
                          exception_requested=False, carrier="local", now=p.requested_at, seen=decided.seen)
        if ret.status is ReturnStatus.APPROVED and ret.resolution is Resolution.KEEP_ITEM:
            mine.append(KeepItemReturn(p.requested_at, ret.refund_total))
        made.append(ret)
    if len(made) < count:
        raise SystemExit(f"the recipe made only {len(made)} returns")
    return made


async def run(url: str, count: int, runs: int) -> int:
    now = datetime.now(UTC).replace(microsecond=0)
    store = load_demo_store(EXAMPLES / "demo-orders.json", now)
    orders = MemoryOrders(dict(store.orders), dict(store.channels), dict(store.return_addresses))
    settings = Settings(database_url=url, admin_token="b" * 24, secret_key="s" * 32, tenant="bench")
    wiring = build(settings, orders, carrier=MemoryCarrier(name="local"), clock=Fixed(now))
    deps = wiring.deps
    try:
        await seed_policies(deps, json.loads((EXAMPLES / "policy.json").read_text()))
        async with deps.uow(readonly=True) as uow:
            policy = await uow.policies.latest(deps.tenant, CHANNEL)
        assert policy is not None
        t0 = time.perf_counter()
        made = await decided_returns(deps, count, now, policy, orders)
        t1 = time.perf_counter()
        for start in range(0, len(made), 500):
            async with deps.uow() as uow:
                for ret in made[start:start + 500]:
                    uow.returns.add(ret)
                await uow.commit()
        t2 = time.perf_counter()
        print(f"  made {len(made)} returns with the decision path in {t1 - t0:.1f} s, saved them in {t2 - t1:.1f} s\n")
        since = now - timedelta(days=91)
        sims, reads, cpus = [], [], []
        for _ in range(runs):
            cpu = time.process_time()
            a = time.perf_counter()
            async with deps.uow(readonly=True) as uow:
                from saleor_returns.domain.analytics import Period

                decisions = await uow.insight.decisions(deps.tenant, CHANNEL, Period(since, now), traces=False)
            b = time.perf_counter()
            result = await simulate_policy(deps, STAFF, CHANNEL, CHANGES, since)
            c = time.perf_counter()
            cpus.append(time.process_time() - cpu)
            reads.append(b - a)
            sims.append(c - b)
        a = time.perf_counter()
        replays = await reproduce_decisions(deps, STAFF, CHANNEL, since)
        check = time.perf_counter() - a
        wrong = [r for r in replays if not r.same]
    finally:
        await wiring.close()
    sim = statistics.median(sims)
    cpu_sim = statistics.median(cpus)  # both: the read alone, then the simulation (read again + replay)
    print(f"  {'what':<58}{'seconds':>9}{'per return':>13}")
    reading = f"read {len(decisions)} decisions with their snapshots (median of {runs})"
    for what, secs in ((reading, statistics.median(reads)),
                       (f"simulateReturnPolicy: read + replay + compare (median of {runs})", sim),
                       ("  its runs", None),
                       ("replay under the recorded versions (reproduce_decisions)", check)):
        if secs is None:
            print(f"    {', '.join(f'{s:.2f}' for s in sims)}  (this process's CPU for read + simulation: "
                  f"{cpu_sim:.2f} s)")
            continue
        print(f"  {what:<58}{secs:>9.2f}{secs / len(decisions) * 1e6:>10.0f} us")
    c, p = result.current.counts, result.proposed.counts
    print(f"\n  replayed {result.replayed}, changed {len(result.changed)}: keep-item {c.keep_item} -> {p.keep_item}, "
          f"ship-back {c.ship_back} -> {p.ship_back}, review {c.review} -> {p.review}")
    print(f"  keep-item value {result.current.keep_item_value[0]} -> "
          f"{result.proposed.keep_item_value[0] if result.proposed.keep_item_value else '0'}")
    print(f"  replays that did not give the recorded decision back: {len(wrong)} of {len(replays)}")
    ok = not wrong and sim < LIMIT_SECONDS and len(decisions) >= count
    print(f"\n  {'PASS' if ok else 'FAIL'}: {len(decisions)} returns simulated in {sim:.2f} s "
          f"(limit {LIMIT_SECONDS:.0f} s; this process's CPU {cpu_sim:.2f} s, read included twice)")
    return 0 if ok else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--returns", type=int, default=10_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--database-url", help="a PostgreSQL server to make a throwaway database on (default: SQLite)")
    args = p.parse_args()
    with bench_database(args.database_url) as url:
        kind = "postgresql" if url.startswith("postgres") else "sqlite"
        print(f"saleor-returns policy simulation ({kind} {redact(url) if kind == 'postgresql' else ''}; {machine()})")
        return asyncio.run(run(url, args.returns, args.runs))


if __name__ == "__main__":
    sys.exit(main())
