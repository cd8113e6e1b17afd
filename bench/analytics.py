"""How long returnAnalytics takes over 100,000 returns, on SQLite and PostgreSQL.

    .venv/bin/python bench/analytics.py [--returns 100000] [--runs 5] [--database-url postgresql://...]

It writes 100,000 deterministic returns over 180 days (two channels, 1-2 lines each, refunds for the refunded
ones, labels with a cost for the shipped-back ones) straight into the tables of a fresh database: a SQLite
file in a temp directory, or with --database-url a throwaway PostgreSQL database on that server (created and
dropped). Then it times the analytics of the last 90 days (about half of them) for one channel and for every
channel, through the service and its grouped queries, and checks that the totals are the sums of their rows.
Exit status 1 when they are not.
"""
from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "plugin"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_db import bench_database, machine, redact  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from saleor_returns.adapters.db.engine import make_engine  # noqa: E402
from saleor_returns.adapters.db.models import LabelRow, RefundRow, ReturnLineRow, ReturnRow  # noqa: E402
from saleor_returns.adapters.demo.orders_file import load_demo_store  # noqa: E402
from saleor_returns.adapters.memory.providers import MemoryOrders  # noqa: E402
from saleor_returns.bootstrap import build  # noqa: E402
from saleor_returns.domain.actors import Actor  # noqa: E402
from saleor_returns.services.analytics import return_analytics  # noqa: E402
from saleor_returns.settings import Settings  # noqa: E402

TENANT = "bench"
PRODUCTS = [("TSH-ORG-M", "Organic T-Shirt", "25.00"), ("SOCK-MER-M", "Merino Socks", "12.00"),
            ("JNS-SLIM-32", "Slim Jeans", "79.00"), ("SNK-RUN-42", "Running Sneakers", "119.00"),
            ("JKT-RAIN-M", "Rain Jacket", "180.00"), ("HP-BT-200", "Bluetooth Headphones", "149.00"),
            ("COV-13", "Laptop Cover 13\"", "19.99"), (None, "Gift card sleeve", "4.00")]
REASONS = ["DOES_NOT_FIT", "CHANGED_MIND", "NOT_AS_DESCRIBED", "DAMAGED", "DEFECTIVE", "WRONG_ITEM"]
STATUSES = [("REFUNDED", 50), ("CLOSED", 15), ("LABEL_ISSUED", 12), ("IN_TRANSIT", 6), ("PENDING_REVIEW", 3),
            ("REJECTED", 4), ("CANCELLED", 6), ("REFUND_FAILED", 1), ("RECEIVED", 3)]
CHANNELS = [("default-channel", "USD", "America/New_York", 8), ("japan", "JPY", "Asia/Tokyo", 2)]


def rows(count: int, now: datetime) -> tuple[list[dict], list[dict], list[dict], list[dict]]:
    rng = random.Random(14)
    returns, lines, refunds, labels = [], [], [], []
    statuses, weights = zip(*STATUSES, strict=True)
    for seq in range(1, count + 1):
        slug, cur, zone, _ = rng.choices(CHANNELS, [c[3] for c in CHANNELS])[0]
        at = now - timedelta(days=rng.uniform(0, 180))
        status = rng.choices(statuses, weights)[0]
        keep = rng.random() < 0.35
        factor = Decimal(150) if cur == "JPY" else Decimal(1)
        total = Decimal(0)
        for n in range(rng.choice((1, 1, 1, 2))):
            sku, name, price = rng.choice(PRODUCTS)
            qty = rng.choice((1, 1, 2))
            amount = (Decimal(price) * factor * qty).quantize(Decimal(1) if cur == "JPY" else Decimal("0.01"))
            total += amount
            lines.append(dict(return_seq=seq, order_line_id=f"L-{seq}-{n}", product_name=name, sku=sku, quantity=qty,
                              reason=rng.choice(REASONS), comment=None, refund_amount=amount))
        returns.append(dict(
            seq=seq, id=f"00000000-0000-0000-0000-{seq:012d}", number=f"R-{10000 + seq}", tenant=TENANT,
            order_id=f"ORD-{seq}", order_number=str(seq), channel=slug, timezone=zone,
            customer_email=f"shopper{rng.randint(1, 20000)}@example.net", customer_id=None, status=status,
            resolution="KEEP_ITEM" if keep else "SHIP_BACK", currency=cur, refund_total=total,
            shipping_deduction=Decimal(0), shipping_refund=Decimal(0), policy_version=1, decision={"trace": []},
            out_of_policy=False, exception_requested=False, created_at=at, updated_at=at))
        if status in ("REFUNDED", "CLOSED"):
            done = at + timedelta(hours=rng.uniform(0.01, 24 * 12) if not keep else 0.01)
            refunds.append(dict(id=f"rf-{seq}", return_seq=seq, tenant=TENANT, order_id=f"ORD-{seq}",
                                payment_id="P-1", payment_reference=f"pi_{seq}", gateway="simulated", amount=total,
                                currency=cur, status="SUCCEEDED", idempotency_key=f"k-{seq}", attempts=1,
                                created_at=at, updated_at=done))
        if not keep and status not in ("PENDING_REVIEW", "REJECTED"):
            voided = status == "CANCELLED"
            labels.append(dict(id=f"lb-{seq}", return_seq=seq, carrier="easypost", tracking_number=f"T{seq}",
                               pdf=b"", cost=Decimal("6.50") * factor, currency=cur, created_at=at, status="ISSUED",
                               attempts=1, void_attempts=0, carrier_voided_at=at if voided else None))
    return returns, lines, refunds, labels


async def load(url: str, count: int, now: datetime) -> float:
    engine = make_engine(url)
    started = time.perf_counter()
    try:
        data = rows(count, now)
        async with engine.begin() as conn:
            for table, batch in zip((ReturnRow, ReturnLineRow, RefundRow, LabelRow), data, strict=True):
                for start in range(0, len(batch), 5000):
                    await conn.execute(insert(table.__table__), batch[start:start + 5000])
            if url.startswith("postgres"):
                await conn.execute(text("SELECT setval(pg_get_serial_sequence('returns', 'seq'), :n)"), {"n": count})
        # what autovacuum does to tables in use: statistics, and (PostgreSQL) the visibility map index-only scans need
        async with engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await auto.execute(text("VACUUM ANALYZE" if url.startswith("postgres") else "ANALYZE"))
    finally:
        await engine.dispose()
    return time.perf_counter() - started


def add_up_ok(f) -> bool:  # type: ignore[no-untyped-def]
    def money(items, cur):  # type: ignore[no-untyped-def]
        return sum((m.amount for m in items if m.currency == cur), Decimal(0))

    ok = all(sum(b.returns for b in rows_) == f.returns for rows_ in (f.by_status, f.by_resolution, f.daily))
    ok &= all(sum(b.units for b in rows_) == f.units for rows_ in (f.by_status, f.by_reason, f.by_product))
    for cur in {m.currency for m in f.refunded}:
        ok &= all(sum((money(b.refunded, cur) for b in rows_), Decimal(0)) == money(f.refunded, cur)
                  for rows_ in (f.by_status, f.by_resolution, f.daily))
    return ok


async def run(url: str, count: int, runs: int) -> int:
    now = datetime.now(UTC).replace(microsecond=0)
    loaded = await load(url, count, now)
    print(f"  wrote {count} returns (with their lines, refunds and labels) in {loaded:.1f} s\n")
    store = load_demo_store(ROOT / "examples" / "demo-orders.json", now)

    class Clock:
        def now(self) -> datetime:
            return now

    settings = Settings(database_url=url, admin_token="b" * 24, secret_key="s" * 32, tenant=TENANT)
    wiring = build(settings, MemoryOrders(dict(store.orders), dict(store.channels)), clock=Clock())
    ok = True
    print(f"  {'returnAnalytics, last 90 days':<40}{'returns':>9}{'median s':>10}{'min s':>8}{'max s':>8}"
          f"{'CPU s':>8}")
    try:
        for channel in ("default-channel", None):
            times, cpus = [], []
            for _ in range(runs):
                a, c = time.perf_counter(), time.process_time()
                found = await return_analytics(wiring.deps, Actor.staff("bench"), channel, now - timedelta(days=90))
                times.append(time.perf_counter() - a)
                cpus.append(time.process_time() - c)
            f = found.figures
            ok &= add_up_ok(f) and f.returns > 0
            print(f"  {channel or 'every channel':<40}{f.returns:>9}{statistics.median(times):>10.3f}"
                  f"{min(times):>8.3f}{max(times):>8.3f}{statistics.median(cpus):>8.3f}")
        print(f"\n  refunded {', '.join(str(m) for m in f.refunded)}; median hours to refund "
              f"{f.median_hours_to_refund:.1f}; {len(f.by_product)} products, {len(f.daily)} days")
    finally:
        await wiring.close()
    print(f"  totals are the sums of their rows: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--returns", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--database-url", help="a PostgreSQL server to make a throwaway database on (default: SQLite)")
    args = p.parse_args()
    with bench_database(args.database_url) as url:
        kind = "postgresql" if url.startswith("postgres") else "sqlite"
        print(f"saleor-returns analytics ({kind} {redact(url) if kind == 'postgresql' else ''}; {machine()})")
        return asyncio.run(run(url, args.returns, args.runs))


if __name__ == "__main__":
    sys.exit(main())
