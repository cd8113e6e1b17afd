"""Issue 10's figures: the returns API next to the shared floors, measured side by side in one run.

    .venv/bin/python bench/floors.py --db sqlite              # about 12 minutes with the defaults
    .venv/bin/python bench/floors.py --db postgres            # a throwaway database on 127.0.0.1:5432
    .venv/bin/python bench/floors.py --db sqlite --quick      # smoke run: 2 s phases, 1 round, 10 s load

Servers, each pinned to CPU 0 with taskset; wrk (one thread) pinned to CPU 1:
  * the read floor and the write floor of /work/shared/bench (strawberry + raw sqlite3, no logic), served as
    their README says (`FLOOR_DB=... uvicorn --app-dir <floors> read_floor:app`), data written by their own
    make_db (`python read_floor.py DB ORDER N`, `python write_floor.py DB N`);
  * `saleor-returns demo` with this run's orders file, on SQLite (a temp file) or PostgreSQL (bench_<random>,
    dropped afterwards). Rate limits are raised so that no answer is a 429; everything else is the default.

Measured (p50, p99 from wrk; every answer of ours checked: HTTP 200, no errors, the expected type):
  1. orderReturnEligibility at 5, 50, 200 lines (1 connection)  vs  the read floor with as many lines;
  2. requestReturn keep-item and ship-back, one fresh order per request (4 connections)  vs  the write floor;
  3. returnRequests(first: 50) with totalCount, 100 returns stored, then 10,000 (and without totalCount), with
     the page and count statements timed and explained on their own;
  4. statements, transactions and write transactions per request (in-process, SQLAlchemy events);
  5. a load run: N shoppers (default 100), each one request at a time (find the order, return it, read it
     back), for --load-duration seconds (default 120): throughput, p50, p99, errors.
Floor and app runs alternate (--rounds, --duration seconds each) so that other work on the machine hits both.
Printed to stdout and written to bench/results/floors-<db>.json; progress goes to stderr.
Exit status: 0 every answer right, 1 some answer wrong (or a load error), 2 could not run.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "plugin"))

from api_latency import CHANNEL, _order, _policy, _small_line  # noqa: E402
from bench_db import bench_database, redact  # noqa: E402

TOKEN = "floors-bench-admin-token-0123456789"
LINES = (5, 50, 200)
GENEROUS = {f"RETURNS_RATE_LIMIT_{k}": "100000000/minute" for k in (
    "LOOKUPS_PER_ADDRESS", "LOOKUPS_PER_ORDER", "REQUESTS_PER_ADDRESS", "REQUESTS_PER_ORDER", "PER_TOKEN",
    "REFUSED_PER_ADDRESS")}

# --- the documents: ours ask for what the floor answers ------------------------------------------------------

FLOOR_READ = ('query { orderReturnEligibility(orderId: "%s", email: "%s") { orderId deadline '
              'lines { orderLineId productName quantityReturnable eligible inGrace codes deadline } } }')
APP_READ = ('query E($orderId: ID!, $email: String) { orderReturnEligibility(orderId: $orderId, email: $email) '
            '{ __typename ... on OrderReturnEligibility { orderId deadline lines { orderLineId productName '
            'quantityReturnable eligible inGrace codes deadline } } ... on ReturnError { code message } } }')
RETURN_FIELDS = "id number status resolution refundTotal { amount currency } refunds { status amount { amount currency } }"
FLOOR_WRITE = ('mutation { requestReturn(input: {orderId: "K-1", email: "k1@example.com", lines: [{orderLineId: '
               '"K-1-L1", quantity: 1, reason: "DOES_NOT_FIT"}]}) { returnRequest { %s } } }' % RETURN_FIELDS)
APP_WRITE = ('mutation R($input: RequestReturnInput!) { requestReturn(input: $input) { __typename '
             '... on ReturnRequested { returnRequest { %s } } ... on ReturnError { code message } '
             '... on ReturnNotEligible { lines { codes } } } }' % RETURN_FIELDS)
LIST = ('query L { returnRequests(first: 50) { %s edges { cursor node { id number status resolution orderNumber '
        'customerEmail createdAt refundTotal { amount currency } } } pageInfo { hasNextPage endCursor } } }')


def log(msg: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


# --- fixtures -----------------------------------------------------------------------------------------------

def ship_line(order_id: str) -> dict[str, Any]:
    """Above the keep-item threshold (USD 25): shipped back with a label."""
    return {**_small_line(order_id), "productName": "Boots", "sku": "BOOTS", "unitPriceGross": "89.00"}


def big_lines(order_id: str, n: int) -> list[dict[str, Any]]:
    return [{"id": f"{order_id}-L{i}", "productName": f"Item {i}", "sku": f"SKU-{i}", "product": f"p-{i}",
             "productType": "Goods", "category": "Shirts", "quantity": 1, "unitPriceGross": f"{10 + i % 40}.50"}
            for i in range(1, n + 1)]


@dataclass
class Fixtures:
    folder: Path
    pool: int  # keep-item and ship-back orders each
    shoppers: int
    orders_each: int

    @staticmethod
    def email(kind: str, n: int) -> str:
        return f"{kind.lower()}{n}@example.com"

    def write(self) -> None:
        orders = [_order(f"ELIG-{n}", f"elig{n}@example.com", big_lines(f"ELIG-{n}", n)) for n in LINES]
        orders += [_order(f"KEEP-{i}", self.email("KEEP", i), [_small_line(f"KEEP-{i}")]) for i in range(self.pool + 1)]
        orders += [_order(f"SHIP-{i}", self.email("SHIP", i), [ship_line(f"SHIP-{i}")]) for i in range(self.pool + 1)]
        orders += [_order(f"STAT-{k}-{i}", f"stat{i}@example.com", [(_small_line if k == "K" else ship_line)(
            f"STAT-{k}-{i}")]) for k in "KS" for i in range(10)]
        orders += [_order(oid, email, [_small_line(oid)]) for mine in self.plan() for oid, email in mine]
        store = {"channels": [{"slug": CHANNEL, "currency": "USD", "timezone": "America/New_York"}], "orders": orders}
        (self.folder / "orders.json").write_text(json.dumps(store))
        (self.folder / "policy.json").write_text(json.dumps(_policy()))

    def plan(self) -> list[list[tuple[str, str]]]:
        return [[(f"H{s:03d}-{k:03d}", f"shopper{s}@example.com") for k in range(self.orders_each)]
                for s in range(self.shoppers)]


# --- processes ----------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pinned(cmd: list[str], cpu: int) -> list[str]:
    return ["taskset", "-c", str(cpu), *cmd] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else cmd


@contextmanager
def server(name: str, cmd: list[str], env: dict[str, str], logfile: Path) -> Iterator[str]:
    port = free_port()
    cmd = [c.replace("{port}", str(port)) for c in cmd]
    out = logfile.open("wb")
    proc = subprocess.Popen(pinned(cmd, 0), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env={**os.environ, **env}, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                raise BenchError(f"{name} exited ({proc.returncode}): {logfile.read_text()[-2000:]}")
            try:
                if httpx.post(f"{url}/graphql", json={"query": "{ __typename }"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise BenchError(f"{name} did not start: {logfile.read_text()[-2000:]}")
            time.sleep(0.2)
        log(f"{name} up on {url} (pid {proc.pid})")
        PIDS[name] = proc.pid
        yield url
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        out.close()


class BenchError(Exception):
    pass


PIDS: dict[str, int] = {}
RAW: dict[str, list[tuple[str, Any]]] = {}  # the statements (and parameters) of one request of each kind
IDLE = ("_worker (concurrent/futures/thread.py", "select (selectors.py", "wait (threading.py")
BUCKETS = (  # where a sample's time goes: the first of these found in its stack, innermost first
    ("refund math, money", ("domain/refund_math", "domain/money", "domain/return_money")),
    ("domain: eligibility, decision, policy", ("saleor_returns/domain/",)),
    ("SQLAlchemy ORM / core", ("sqlalchemy/",)),
    ("database driver (sqlite3 / asyncpg)", ("inline_sqlite", "asyncpg/", "sqlite3")),
    ("logging, JSON access log", ("logging/", "saleor_returns/logs")),
    ("GraphQL parse / validate", ("graphql/language", "graphql/validation")),
    ("GraphQL execute + strawberry", ("graphql/execution", "strawberry/")),
    ("HTTP: uvicorn, h11, starlette", ("uvicorn/", "h11/", "starlette/")),
    ("asyncio event loop", ("asyncio/",)),
)


def profile_summary(raw: Path) -> dict[str, Any]:
    """py-spy's raw (collapsed) stacks -> per bucket (innermost matching frame wins) and top self functions."""
    total, buckets, selfs, ours = 0, {}, {}, {}
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, n = line.rpartition(" ")
        if not n.isdigit():
            continue
        count = int(n)
        frames = stack.split(";")
        if any(idle in frames[-1] for idle in IDLE):
            continue  # a thread waiting for work, or the event loop waiting for the network
        total += count
        name = "other"
        for frame in reversed(frames):
            hit = next((b for b, keys in BUCKETS if any(k in frame for k in keys)), None)
            if hit:
                name = hit
                break
        buckets[name] = buckets.get(name, 0) + count
        selfs[frames[-1]] = selfs.get(frames[-1], 0) + count
        for frame in {re.sub(r":\d+\)$", ")", f) for f in frames}:
            if "saleor_returns/" in frame:
                ours[frame] = ours.get(frame, 0) + count
    pct = lambda d, k=12: [(k_, round(100 * v / max(total, 1), 1)) for k_, v in sorted(d.items(), key=lambda x: -x[1])[:k]]
    return {"busy_samples": total, "buckets": pct(buckets, 20), "top_self": pct(selfs), "ours_inclusive": pct(ours, 15)}


# --- wrk ----------------------------------------------------------------------------------------------------

@dataclass
class Run:
    p50_ms: float
    p99_ms: float
    rps: float
    requests: int
    bad: int = 0  # wrong answers (our runs are checked) plus wrk's socket errors and non-2xx
    first_bad: str = ""


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    if not m:
        return float("nan")
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[m.group(2)]


def wrk(url: str, body: str, connections: int, seconds: float, script: Path, env: dict[str, str] | None = None
        ) -> Run:
    cmd = pinned(["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "60s", "--latency",
                  "-s", str(script), url], 1)
    res = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "BODY": body, **(env or {})},
                         timeout=seconds + 120)
    out = res.stdout
    if res.returncode != 0 or "Requests/sec" not in out:
        raise BenchError(f"wrk failed: {res.stderr or out}")
    pct = dict(re.findall(r"^\s+(\d+)%\s+(\S+)\s*$", out, re.M))  # "1.00s " is padded
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    bad, first = 0, ""
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        bad += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        bad += sum(int(x) for x in m.groups())
        first = first or m.group(0)
    if m := re.search(r"^CHECK (\d+) (\d+) ?(.*)$", out, re.M):
        bad += int(m.group(2))
        first = m.group(3) or first
    return Run(_ms(pct.get("50", "nan")), _ms(pct.get("99", "nan")), float(re.search(r"Requests/sec:\s+([\d.]+)",
               out).group(1)), requests, bad, first[:300])


@dataclass
class Pair:
    """One of our scenarios and its floor, alternated round by round."""

    key: str
    title: str
    ours: list[Run] = field(default_factory=list)
    floor: list[Run] = field(default_factory=list)
    floor_title: str = ""
    target: float | None = None

    @staticmethod
    def med(runs: list[Run], attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in runs) if runs else float("nan")

    def summary(self) -> dict[str, Any]:
        out = {"title": self.title, "floor": self.floor_title, "target": self.target,
               "p50_ms": self.med(self.ours, "p50_ms"), "p99_ms": self.med(self.ours, "p99_ms"),
               "rps": self.med(self.ours, "rps"), "requests": sum(r.requests for r in self.ours),
               "bad": sum(r.bad for r in self.ours), "rounds": [r.__dict__ for r in self.ours]}
        if self.floor:
            out.update(floor_p50_ms=self.med(self.floor, "p50_ms"), floor_p99_ms=self.med(self.floor, "p99_ms"),
                       floor_rps=self.med(self.floor, "rps"), floor_rounds=[r.__dict__ for r in self.floor],
                       floor_bad=sum(r.bad for r in self.floor))
            out["ratio_p50"] = out["p50_ms"] / out["floor_p50_ms"]
            out["ratio_p99"] = out["p99_ms"] / out["floor_p99_ms"]
            out["round_ratios_p50"] = [a.p50_ms / b.p50_ms for a, b in zip(self.ours, self.floor, strict=False)]
        return out


# --- in-process statement counting --------------------------------------------------------------------------

async def count_statements(db_url: str, fx: Fixtures) -> dict[str, dict[str, Any]]:
    """Statements, transactions and write transactions of one request of each kind, in-process (same app, same
    database, same orders), the third request of each kind (caches warm)."""
    from sqlalchemy import event

    from saleor_returns.adapters.demo.order_source import DemoOrderSource
    from saleor_returns.adapters.demo.orders_file import load_demo_store
    from saleor_returns.bootstrap import build
    from saleor_returns.settings import Settings
    from saleor_returns.web.app import create_app

    settings = Settings.from_env({**os.environ, **GENEROUS}, database_url=db_url, admin_token=TOKEN,
                                 public_url="http://127.0.0.1:1")
    store = load_demo_store(fx.folder / "orders.json", datetime.now(UTC))
    wiring = build(settings, DemoOrderSource(store))
    counts = {"statements": 0, "transactions": 0, "writes": 0, "rate_limit": 0, "sql": []}

    def before(conn, cursor, statement, parameters, context, executemany):  # type: ignore[no-untyped-def]
        head = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
        if head in ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"):
            return
        counts["statements"] += 1
        counts["sql"].append(" ".join(statement.split())[:160])
        counts["raw"].append((statement, parameters))
        if "rate_limit_counters" in statement:
            conn.info["bench_rate_limit"] = True
            counts["rate_limit"] += 1
        if head in ("INSERT", "UPDATE", "DELETE") or " FOR UPDATE" in statement.upper():
            conn.info["bench_wrote"] = True

    def begin(conn):  # type: ignore[no-untyped-def]
        counts["transactions"] += 1
        conn.info["bench_wrote"] = False
        conn.info["bench_rate_limit"] = False

    def commit(conn):  # type: ignore[no-untyped-def]
        if conn.info.pop("bench_wrote", False) and not conn.info.pop("bench_rate_limit", False):
            counts["writes"] += 1  # a write transaction of the returns (the rate limiter's own are counted apart)

    sync = wiring.engine.sync_engine
    event.listen(sync, "before_cursor_execute", before)
    event.listen(sync, "begin", begin)
    event.listen(sync, "commit", commit)
    app = create_app(wiring.deps)
    out: dict[str, dict[str, Any]] = {}
    headers = {"authorization": f"Bearer {TOKEN}"}

    async def measure(key: str, bodies: list[dict[str, Any]], expect: str) -> None:
        for i, body in enumerate(bodies):
            counts.update(statements=0, transactions=0, writes=0, rate_limit=0, sql=[], raw=[])
            r = await client.post("/graphql", json=body, headers=headers)
            if r.status_code != 200 or "errors" in r.json() or expect not in r.text:
                raise BenchError(f"statements: {key}: unexpected answer {r.text[:300]}")
            if i == len(bodies) - 1:
                out[key] = {k: counts[k] for k in ("statements", "transactions", "writes", "rate_limit")} | {"sql": counts["sql"]}
                RAW[key] = list(counts["raw"])

    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for n in LINES:
                await measure(f"eligibility_{n}", [{"query": APP_READ, "variables": {
                    "orderId": f"ELIG-{n}", "email": f"elig{n}@example.com"}}] * 3, "OrderReturnEligibility")
            for kind, k, expect in (("keep_item", "K", "KEEP_ITEM"), ("ship_back", "S", "SHIP_BACK")):
                await measure(kind, [{"query": APP_WRITE, "variables": {"input": {
                    "orderId": f"STAT-{k}-{i}", "email": f"stat{i}@example.com", "lines": [
                        {"orderLineId": f"STAT-{k}-{i}-L1", "quantity": 1, "reason": "DOES_NOT_FIT"}]}}}
                    for i in range(3)], expect)
            await measure("return_requests", [{"query": LIST % "totalCount"}] * 3, "totalCount")
    finally:
        await wiring.close()
    return out


# --- returns for the list -----------------------------------------------------------------------------------

async def clone_returns(db_url: str, total: int) -> int:
    """Copy the returns already stored (made through the API: real decisions, lines, refunds, labels, events)
    until `total` are stored, straight into the tables; then let the database gather statistics."""
    from sqlalchemy import func, insert, select, text

    from saleor_returns.adapters.db.engine import make_engine
    from saleor_returns.adapters.db.models import LabelRow, RefundRow, ReturnEventRow, ReturnLineRow, ReturnRow

    engine = make_engine(db_url)
    try:
        async with engine.begin() as conn:
            have = (await conn.execute(select(func.count()).select_from(ReturnRow.__table__))).scalar_one()
            top = (await conn.execute(select(func.max(ReturnRow.seq)))).scalar_one() or 0
            sources = [dict(r._mapping) for r in (await conn.execute(select(ReturnRow.__table__))).all()]
            children = {}
            for table in (ReturnLineRow, RefundRow, LabelRow, ReturnEventRow):
                rows = [dict(r._mapping) for r in (await conn.execute(select(table.__table__))).all()]
                by_seq: dict[int, list[dict]] = {}
                for r in rows:
                    by_seq.setdefault(r["return_seq"], []).append(r)
                children[table] = by_seq
            batches: dict[Any, list[dict]] = {t: [] for t in (ReturnRow, *children)}
            seq = top
            for k in range(total - have):
                src = sources[k % len(sources)]
                seq += 1
                batches[ReturnRow].append({**src, "seq": seq, "id": str(uuid.uuid4()), "number": f"R-{10000 + seq}",
                                           "order_id": f"{src['order_id']}~{k}"})
                for table, by_seq in children.items():
                    for child in by_seq.get(src["seq"], []):
                        c = {**child, "return_seq": seq}
                        if table in (ReturnLineRow, ReturnEventRow):
                            c.pop("id")
                        else:
                            c["id"] = str(uuid.uuid4())
                        if table is RefundRow:
                            c["idempotency_key"] = f"bench-{uuid.uuid4()}"
                            c["order_id"] = batches[ReturnRow][-1]["order_id"]
                        if table is LabelRow:
                            c["purchase_key"] = f"bench-{uuid.uuid4()}"
                            c["tracking_number"] = f"{c.get('tracking_number') or 'T'}~{k}"
                        batches[table].append(c)
            for table, batch in batches.items():
                for start in range(0, len(batch), 2000):
                    await conn.execute(insert(table.__table__), batch[start:start + 2000])
            if db_url.startswith("postgres"):
                await conn.execute(text("SELECT setval(pg_get_serial_sequence('returns', 'seq'), :n)"), {"n": seq})
        async with engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await auto.execute(text("VACUUM ANALYZE" if db_url.startswith("postgres") else "ANALYZE"))
        return total - have
    finally:
        await engine.dispose()


def _real_statement(name: str) -> tuple[str, Any] | None:
    """The statement the app ran for `name`, from count_statements' capture."""
    where = {"page": ("return_requests", "FROM returns"), "count": ("return_requests", "count("),
             "returned_units": ("eligibility_50", "sum(return_lines.quantity)"),
             "keep_item_returns": ("keep_item", "returns.refund_total FROM returns")}[name]
    for sql, params in RAW.get(where[0], []):
        flat = " ".join(sql.split())
        if where[1] in flat and (name != "page" or "count(" not in flat):
            return sql, params
    return None


async def list_statements(db_url: str, runs: int = 30) -> dict[str, Any]:
    """The list's two statements on their own: the page (ORDER BY seq DESC LIMIT 51) and totalCount
    (count(*)): median ms in this process, and the plan."""
    from sqlalchemy import text

    from saleor_returns.adapters.db.engine import make_engine

    pg = db_url.startswith("postgres")
    page = "SELECT * FROM returns WHERE tenant = 'demo' ORDER BY seq DESC LIMIT 51"
    count = "SELECT count(*) FROM returns WHERE tenant = 'demo'"
    # what eligibility and a keep-item return read of the history (adapters/db/returns.py)
    returned = ("SELECT return_lines.order_line_id, sum(return_lines.quantity) FROM return_lines JOIN returns ON "
                "returns.seq = return_lines.return_seq WHERE returns.tenant = 'demo' AND returns.order_id = 'ELIG-50' "
                "AND returns.status IN ('REQUESTED', 'APPROVED', 'REFUNDED') GROUP BY return_lines.order_line_id")
    keep = ("SELECT returns.created_at, returns.refund_total FROM returns WHERE returns.tenant = 'demo' AND "
            "lower(returns.customer_email) = 'keep1@example.com' AND returns.resolution = 'KEEP_ITEM' AND "
            "returns.status IN ('REQUESTED', 'APPROVED', 'REFUNDED') AND returns.created_at >= '2025-01-01' "
            "AND returns.currency = 'USD' ORDER BY returns.created_at")
    engine = make_engine(db_url)
    out: dict[str, Any] = {}
    try:
        async with engine.connect() as conn:
            for name, sql in (("page", page), ("count", count), ("returned_units", returned),
                              ("keep_item_returns", keep)):
                params: Any = None
                real = _real_statement(name)
                if real is not None:  # the very statement the app ran (captured in-process), with its parameters
                    sql, params = real
                times = []
                for _ in range(runs):
                    t0 = time.perf_counter()
                    if params is None:
                        (await conn.execute(text(sql))).all()
                    else:
                        (await conn.exec_driver_sql(sql, params)).all()
                    times.append((time.perf_counter() - t0) * 1000)
                explain = ("EXPLAIN " if pg else "EXPLAIN QUERY PLAN ") + sql
                plan = (await (conn.execute(text(explain)) if params is None else conn.exec_driver_sql(explain, params))).all()
                out[name] = {"median_ms": statistics.median(times),
                             "plan": " | ".join(str(r[0] if pg else r[-1]) for r in plan)}
            await conn.rollback()
    finally:
        await engine.dispose()
    return out


# --- the load run -------------------------------------------------------------------------------------------

async def load_run(url: str, fx: Fixtures, seconds: float, think: float) -> dict[str, Any]:
    """Every shopper one request at a time: find the order, return its line (keep the item), read it back
    (hostile_load.shopper), for `seconds`."""
    import random

    from hostile_load import Phase, shopper

    phase = Phase("load")
    plan = fx.plan()
    limits = httpx.Limits(max_connections=len(plan), max_keepalive_connections=len(plan), keepalive_expiry=2.0)
    stop_at = [time.monotonic() + seconds]
    started = time.perf_counter()
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as http:
        rng = random.Random(10)
        await asyncio.gather(*(shopper(http, f"198.18.{s // 250}.{s % 250 + 1}", mine, [phase], stop_at, think, rng)
                               for s, mine in enumerate(plan)))
    wall = time.perf_counter() - started
    lat = sorted(phase.latencies_ms)
    p99 = lat[max(0, int(round(0.99 * len(lat))) - 1)] if lat else float("nan")
    return {"shoppers": len(plan), "seconds": seconds, "wall_s": wall, "think_s": think, "requests": len(lat),
            "returns": phase.iterations, "rps": len(lat) / wall, "p50_ms": statistics.median(lat) if lat else None,
            "p99_ms": p99, "errors": len(phase.errors), "first_errors": phase.errors[:5]}


# --- the run ------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    db: str
    pg_url: str
    floors: Path
    duration: float
    rounds: int
    warmup: float
    load_duration: float
    shoppers: int
    think: float
    output: Path
    profile: bool


def parse(argv: list[str] | None) -> Config:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=__doc__.split("\n\n", 1)[1],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    p.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                   help="PostgreSQL server for --db postgres (a database bench_<random> is made there and dropped)")
    p.add_argument("--floors", type=Path, default=Path(os.environ.get("FLOORS_DIR", "/work/shared/bench")),
                   help="folder of read_floor.py, write_floor.py, post.lua (default: %(default)s)")
    p.add_argument("--duration", type=float, default=10, help="seconds per measured wrk run (default 10)")
    p.add_argument("--rounds", type=int, default=3, help="alternating floor/ours rounds per scenario (default 3)")
    p.add_argument("--load-duration", type=float, default=120, help="seconds of the load run (default 120; 0: skip)")
    p.add_argument("--shoppers", type=int, default=100)
    p.add_argument("--think", type=float, default=0.0,
                   help="mean seconds a shopper waits between returns (default 0: back to back)")
    p.add_argument("--profile", action="store_true", help="after the measurements, py-spy the demo under each scenario "
                   "and print where the time goes (needs py-spy)")
    p.add_argument("--quick", action="store_true", help="2 s runs, 1 round, 10 s load (smoke)")
    p.add_argument("--output", type=Path, help="JSON (default bench/results/floors-<db>.json)")
    a = p.parse_args(argv)
    if a.quick:
        a.duration, a.rounds, a.load_duration = 2, 1, min(a.load_duration, 10)
    if not shutil.which("wrk"):
        p.error("wrk is needed (apt-get install wrk)")
    if not (a.floors / "read_floor.py").exists():
        p.error(f"no floors in {a.floors}")
    return Config(a.db, a.pg_url, a.floors, a.duration, a.rounds, min(3.0, a.duration), a.load_duration, a.shoppers,
                  a.think, a.output or BENCH / "results" / f"floors-{a.db}.json", a.profile)


class Bench:
    def __init__(self, cfg: Config, tmp: Path) -> None:
        self.cfg, self.tmp = cfg, tmp
        self.post_lua = cfg.floors / "post.lua"
        self.check_lua = BENCH / "wrk_check.lua"
        self.cursor = {"KEEP": 0, "SHIP": 0}

    def ours(self, url: str, kind: str, connections: int, seconds: float) -> Run:
        """One wrk run of our scenario `kind` (eligibility_N, keep_item, ship_back, list, list_nocount)."""
        auth = ""
        if kind.startswith("eligibility_"):
            n = kind.split("_")[1]
            body = json.dumps({"query": APP_READ, "variables": {"orderId": f"ELIG-{n}", "email": f"elig{n}@example.com"}})
            expect, start = "OrderReturnEligibility", 0
        elif kind in ("keep_item", "ship_back"):
            prefix = "KEEP" if kind == "keep_item" else "SHIP"
            body = json.dumps({"query": APP_WRITE, "variables": {"input": {
                "orderId": f"{prefix}-%N%", "email": f"{prefix.lower()}%N%@example.com", "lines": [
                    {"orderLineId": f"{prefix}-%N%-L1", "quantity": 1, "reason": "DOES_NOT_FIT"}]}}})
            expect, start = ("KEEP_ITEM" if prefix == "KEEP" else "SHIP_BACK"), self.cursor[prefix]
        else:
            body = json.dumps({"query": LIST % ("totalCount" if kind == "list" else "")})
            expect, start, auth = "edges", 0, TOKEN
        run = wrk(f"{url}/graphql", body, connections, seconds, self.check_lua,
                  {"EXPECT": expect, "START": str(start), "AUTH": auth})
        if kind in ("keep_item", "ship_back"):
            prefix = "KEEP" if kind == "keep_item" else "SHIP"
            self.cursor[prefix] += run.requests + 4 * connections + 10  # requests in flight at the end too
            if self.cursor[prefix] > self.pool:
                raise BenchError(f"ran out of {prefix} orders ({self.pool}): raise the pool")
        return run

    def floor(self, url: str, body: str, connections: int, seconds: float) -> Run:
        return wrk(f"{url}/graphql", body, connections, seconds, self.post_lua)

    def pair(self, pair: Pair, ours_url: str, kind: str, floor_url: str | None, floor_body: str,
             connections: int) -> Pair:
        c = self.cfg
        log(f"{pair.title}: warm-up")
        if floor_url:
            self.floor(floor_url, floor_body, connections, c.warmup)
        self.ours(ours_url, kind, connections, c.warmup)
        for r in range(c.rounds):
            if floor_url:
                pair.floor.append(self.floor(floor_url, floor_body, connections, c.duration))
            pair.ours.append(self.ours(ours_url, kind, connections, c.duration))
            f = pair.floor[-1] if floor_url else None
            log(f"  round {r + 1}: ours p50 {pair.ours[-1].p50_ms:.2f} ms" +
                (f", floor p50 {f.p50_ms:.2f} ms, ratio {pair.ours[-1].p50_ms / f.p50_ms:.2f}x" if f else "")
                + (f"  ({pair.ours[-1].bad} wrong: {pair.ours[-1].first_bad})" if pair.ours[-1].bad else ""))
        return pair

    def run(self) -> dict[str, Any]:
        c = self.cfg
        # a fresh order per request: enough for 220 requests/s through every warm-up and round (keep-item runs twice)
        self.pool = int(220 * c.duration * 2 * (c.rounds + 1)) + 200
        fx = Fixtures(self.tmp, self.pool, c.shoppers, orders_each=max(20, int(c.load_duration * 0.6) + 10))
        log(f"writing the orders file ({3 + 2 * self.pool + c.shoppers * fx.orders_each} orders) and the floors' data")
        fx.write()
        read_db, write_db = self.tmp / "read_floor.sqlite3", self.tmp / "write_floor.sqlite3"
        for n in LINES:
            subprocess.run([sys.executable, str(c.floors / "read_floor.py"), str(read_db), f"ELIG-{n}", str(n)], check=True)
        subprocess.run([sys.executable, str(c.floors / "write_floor.py"), str(write_db), "1000"], check=True)
        uvicorn = [sys.executable, "-m", "uvicorn", "--app-dir", str(c.floors)]
        results: dict[str, Any] = {}
        with ExitStack() as stack:
            db_url = stack.enter_context(bench_database(c.pg_url if c.db == "postgres" else None))
            log(f"database {redact(db_url)}")
            env = {**GENEROUS, "DATABASE_URL": db_url}
            ours_url = stack.enter_context(server("saleor-returns demo", [
                str(Path(sys.executable).with_name("saleor-returns")), "demo", "--port", "{port}", "--orders",
                str(self.tmp / "orders.json"), "--policy", str(self.tmp / "policy.json"), "--db",
                str(self.tmp / "unused.sqlite3"), "--admin-token", TOKEN], env, self.tmp / "demo.log"))
            read_url = stack.enter_context(server("read floor", [*uvicorn, "read_floor:app", "--port", "{port}"],
                                                  {"FLOOR_DB": str(read_db)}, self.tmp / "read_floor.log"))
            write_url = stack.enter_context(server("write floor", [*uvicorn, "write_floor:app", "--port", "{port}"],
                                                   {"FLOOR_DB": str(write_db)}, self.tmp / "write_floor.log"))
            self.probe(ours_url)

            log("statements per request (in-process)")
            results["statements"] = asyncio.run(count_statements(db_url, fx))

            # the list, 100 then 10,000 returns stored, on a demo server and database of their own, back to back:
            # only the number of returns differs between the two (not the work the other scenarios leave behind,
            # such as the e-mails the demo's worker is still writing)
            lists: dict[str, Pair] = {}
            results["list_statements"] = self.list_phase(lists, env)
            pairs: dict[str, Pair] = {}

            # eligibility and requestReturn with few returns stored (100 + those the runs make)
            floor_write = json.dumps({"query": FLOOR_WRITE})
            for n in LINES:
                pairs[f"eligibility_{n}"] = self.pair(Pair(f"eligibility_{n}", f"orderReturnEligibility, {n} lines",
                                                           floor_title=f"read floor, {n} lines",
                                                           target={50: 1.25, 200: 1.5}.get(n)),
                                                      ours_url, f"eligibility_{n}", read_url,
                                                      json.dumps({"query": FLOOR_READ % (f"ELIG-{n}", "x@example.com")}), 1)
            pairs["keep_item"] = self.pair(Pair("keep_item", "requestReturn keep-item (4 in flight)",
                                                floor_title="write floor (4 in flight)", target=2.0),
                                           ours_url, "keep_item", write_url, floor_write, 4)
            pairs["ship_back"] = self.pair(Pair("ship_back", "requestReturn ship-back (4 in flight)",
                                                floor_title="write floor (4 in flight)"),
                                           ours_url, "ship_back", write_url, floor_write, 4)

            # 10,000 returns stored: the list again, and eligibility / keep-item once more (flat in history?)
            stored = self.settled(db_url)  # the last requests wrk left in flight are still being written
            log(f"copying returns from {stored} up to 10,000")
            asyncio.run(clone_returns(db_url, 10_000))
            pairs["eligibility_50_10k"] = self.pair(Pair("eligibility_50_10k", "orderReturnEligibility, 50 lines, 10k stored",
                                                         floor_title="read floor, 50 lines", target=1.25),
                                                    ours_url, "eligibility_50", read_url,
                                                    json.dumps({"query": FLOOR_READ % ("ELIG-50", "x@example.com")}), 1)
            pairs["keep_item_10k"] = self.pair(Pair("keep_item_10k", "requestReturn keep-item, 10k stored",
                                                    floor_title="write floor (4 in flight)", target=2.0),
                                               ours_url, "keep_item", write_url, floor_write, 4)
            pairs.update(lists)
            results["pairs"] = {k: v.summary() for k, v in pairs.items()}
            if c.profile:
                results["profiles"] = self.profile(ours_url)
            if c.load_duration > 0:
                log(f"load run: {c.shoppers} shoppers for {c.load_duration:g} s")
                load_before = os.getloadavg()[0]
                results["load"] = asyncio.run(load_run(ours_url, fx, c.load_duration, c.think))
                results["load"]["load_average_before"] = load_before
            results["demo_log_errors"] = sum(1 for line in (self.tmp / "demo.log").read_text(errors="replace")
                                             .splitlines() if "ERROR" in line or "Traceback" in line)
        return results

    def profile(self, url: str) -> dict[str, Any]:
        """py-spy on the demo server while wrk runs each of our scenarios (after the measurements: a sampling
        profiler slows what it watches a little)."""
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        out = {}
        for kind, conns in (("eligibility_50", 1), ("eligibility_200", 1), ("keep_item", 4), ("ship_back", 4),
                            ("list", 1)):
            raw = self.tmp / f"profile-{kind}.txt"
            log(f"profiling {kind} ({self.cfg.duration:g} s)")
            spy_proc = subprocess.Popen(pinned([spy, "record", "-p", str(PIDS["saleor-returns demo"]), "-r", "250",
                                                "-d", str(max(1, round(self.cfg.duration))), "-f", "raw", "-o",
                                                str(raw)], 1), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.5)
            self.ours(url, kind, conns, self.cfg.duration)
            spy_proc.wait(60)
            out[kind] = profile_summary(raw) if raw.exists() else {"error": "py-spy wrote nothing"}
        return out

    def list_phase(self, lists: dict[str, Pair], env: dict[str, str]) -> dict[str, Any]:
        """returnRequests' first page with 100 and with 10,000 returns stored, on a second demo server with a
        database of its own (its returns: the probe's, copied), stopped afterwards."""
        with ExitStack() as own:
            db_url = own.enter_context(bench_database(self.cfg.pg_url if self.cfg.db == "postgres" else None))
            url = own.enter_context(server("list demo", [
                str(Path(sys.executable).with_name("saleor-returns")), "demo", "--port", "{port}", "--orders",
                str(self.tmp / "orders.json"), "--policy", str(self.tmp / "policy.json"), "--db",
                str(self.tmp / "unused-list.sqlite3"), "--admin-token", TOKEN], {**env, "DATABASE_URL": db_url},
                self.tmp / "list-demo.log"))
            cursor = dict(self.cursor)
            self.probe(url)  # a keep-item and a ship-back return, in this database
            self.cursor = cursor
            out = {}
            for size in (100, 10_000):
                log(f"returnRequests: copying the list server's returns up to {size:,}")
                asyncio.run(clone_returns(db_url, size))
                out[str(size)] = asyncio.run(list_statements(db_url))
                self.lists(lists, url, size)
        return out

    def lists(self, lists: dict[str, Pair], url: str, size: int) -> None:
        lists[f"list_{size}"] = self.pair(Pair(f"list_{size}", f"returnRequests first 50 + totalCount, {size:,} stored"),
                                          url, "list", None, "", 1)
        lists[f"list_nocount_{size}"] = self.pair(Pair(f"list_nocount_{size}", f"returnRequests first 50 (no "
                                                       f"totalCount), {size:,} stored"), url, "list_nocount", None, "", 1)

    def settled(self, db_url: str) -> int:
        """The number of returns stored, once it stopped moving (no request of ours is still being answered)."""
        last = -1
        while True:
            now = asyncio.run(self.count_returns(db_url))
            if now == last:
                return now
            last = now
            time.sleep(2)

    async def count_returns(self, db_url: str) -> int:
        from sqlalchemy import func, select

        from saleor_returns.adapters.db.engine import make_engine
        from saleor_returns.adapters.db.models import ReturnRow

        engine = make_engine(db_url)
        try:
            async with engine.connect() as conn:
                return int((await conn.execute(select(func.count()).select_from(ReturnRow.__table__))).scalar_one())
        finally:
            await engine.dispose()

    def probe(self, url: str) -> None:
        """Each of our answers in full once, before any load: the right shape, every line eligible."""
        for n in LINES:
            r = httpx.post(f"{url}/graphql", json={"query": APP_READ, "variables": {
                "orderId": f"ELIG-{n}", "email": f"elig{n}@example.com"}}, timeout=30).json()
            e = r["data"]["orderReturnEligibility"]
            if len(e.get("lines", [])) != n or not all(x["eligible"] for x in e["lines"]):
                raise BenchError(f"eligibility {n}: unexpected answer {str(r)[:300]}")
        for prefix, resolution, status in (("KEEP", "KEEP_ITEM", "REFUNDED"), ("SHIP", "SHIP_BACK", None)):
            r = httpx.post(f"{url}/graphql", json={"query": APP_WRITE, "variables": {"input": {
                "orderId": f"{prefix}-0", "email": f"{prefix.lower()}0@example.com", "lines": [
                    {"orderLineId": f"{prefix}-0-L1", "quantity": 1, "reason": "DOES_NOT_FIT"}]}}}, timeout=30).json()
            ret = (r.get("data") or {}).get("requestReturn", {}).get("returnRequest") or {}
            if ret.get("resolution") != resolution or (status and ret.get("status") != status):
                raise BenchError(f"{prefix}: unexpected answer {str(r)[:300]}")
            log(f"probe {prefix}: {ret.get('resolution')} {ret.get('status')}")
        self.cursor = {"KEEP": 1, "SHIP": 1}


# --- the report ---------------------------------------------------------------------------------------------

def verdict(ratio: float, target: float | None) -> str:
    if target is None:
        return ""
    return f"target <= {target:g}x: {'met' if ratio <= target else 'MISSED'}"


def report(meta: dict[str, Any], res: dict[str, Any]) -> str:
    P = res["pairs"]
    L = [f"saleor-returns vs the floors ({meta['db']}; {meta['machine']}; load average {meta['load_before']:.2f} at "
         f"the start, {meta['load_after']:.2f} at the end)",
         f"  servers pinned to CPU 0, wrk (1 thread) to CPU 1; {meta['rounds']} alternating rounds of "
         f"{meta['duration']:g} s per scenario; p50/p99 = median over the rounds of wrk's percentiles", "",
         f"  {'scenario':<46}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>8}{'floor p50':>10}{'floor p99':>10}"
         f"{'p50 x':>7}{'p99 x':>7}  {'wrong':>5}"]
    for k, s in P.items():
        if "floor_p50_ms" in s:
            L.append(f"  {s['title']:<46}{s['p50_ms']:>9.2f}{s['p99_ms']:>9.2f}{s['rps']:>8.1f}{s['floor_p50_ms']:>10.2f}"
                     f"{s['floor_p99_ms']:>10.2f}{s['ratio_p50']:>6.2f}x{s['ratio_p99']:>6.2f}x  {s['bad']:>5}"
                     + (f"  {verdict(s['ratio_p50'], s['target'])}" if s["target"] else ""))
        else:
            L.append(f"  {s['title']:<46}{s['p50_ms']:>9.2f}{s['p99_ms']:>9.2f}{s['rps']:>8.1f}{'':>10}{'':>10}"
                     f"{'':>7}{'':>7}  {s['bad']:>5}")
    L.append("  (floors: eligibility vs read_floor.py with as many lines, 1 connection; requestReturn vs "
             "write_floor.py, 4 connections)")
    for variant, key in (("with totalCount", "list"), ("without totalCount", "list_nocount")):
        a, b = P[f"{key}_10000"], P[f"{key}_100"]
        r = a["p50_ms"] / b["p50_ms"]
        L.append(f"  returnRequests {variant}: 10,000 / 100 stored p50 {r:.2f}x"
                 + (f"  target <= 1.2x: {'met' if r <= 1.2 else 'MISSED'}" if key == "list" else ""))
    for a, b, what in (("eligibility_50_10k", "eligibility_50", "eligibility, 50 lines"),
                       ("keep_item_10k", "keep_item", "keep-item requestReturn")):
        if a in P and b in P:
            L.append(f"  {what}: 10,000 returns stored / few stored p50 {P[a]['p50_ms'] / P[b]['p50_ms']:.2f}x "
                     f"(flat in history would be about 1.0x)")
    ls = res["list_statements"]
    L.append("  statements on their own (median ms in the bench process, plan):")
    for size in ("100", "10000"):
        for name in ("page", "count", "returned_units", "keep_item_returns"):
            L.append(f"    {int(size):>6,} stored, {name:<18} {ls[size][name]['median_ms']:>7.2f} ms  [{ls[size][name]['plan']}]")
    L += ["", "  statements per request (in-process, third request of each kind)",
          f"  {'request':<24}{'statements':>11}{'transactions':>13}{'write tx':>9}  (of which rate-limit statements, "
          f"in their own transaction)"]
    for k, s in res["statements"].items():
        L.append(f"  {k:<24}{s['statements']:>11}{s['transactions']:>13}{s['writes']:>9}  ({s['rate_limit']})")
    st = res["statements"]
    flat = len({st[f"eligibility_{n}"]["statements"] for n in LINES}) == 1
    L.append(f"  eligibility statements constant in lines (5/50/200): {'met' if flat else 'MISSED'}; keep-item in "
             f"<= 2 write transactions: {'met' if st['keep_item']['writes'] <= 2 else 'MISSED'}")
    if "load" in res:
        d = res["load"]
        L += ["", f"  load: {d['shoppers']} shoppers, each one request at a time (find, return, read back; think "
              f"{d['think_s']:g} s), {d['seconds']:g} s, load average {d['load_average_before']:.2f} before",
              f"    {d['requests']} requests, {d['returns']} returns, {d['rps']:.1f} req/s, p50 {d['p50_ms']:.0f} ms, "
              f"p99 {d['p99_ms']:.0f} ms, errors {d['errors']}  target 0 errors: "
              f"{'met' if d['errors'] == 0 else 'MISSED'}"]
        L += [f"    error: {e}" for e in d["first_errors"]]
    L.append(f"  server log lines with ERROR/Traceback: {res['demo_log_errors']}")
    for kind, prof in res.get("profiles", {}).items():
        if "buckets" not in prof:
            continue
        L += ["", f"  profile of {kind} (py-spy, {prof['busy_samples']} busy samples of the demo; innermost matching frame):"]
        L.append("    " + ", ".join(f"{name} {p:.0f}%" for name, p in prof["buckets"]))
        L.append("    ours, inclusive: " + "; ".join(f"{f.split(' (')[0]} {p:.0f}%" for f, p in prof["ours_inclusive"][:8]))
    return "\n".join(L)


def main(argv: list[str] | None = None) -> int:
    cfg = parse(argv)
    signal.signal(signal.SIGTERM, lambda s, f: (_ for _ in ()).throw(SystemExit(128 + s)))
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})  # this process (and the load run's client) next to wrk, off the servers' core
    from bench_db import machine

    meta = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "db": cfg.db, "machine": machine(),
            "load_before": os.getloadavg()[0], "duration": cfg.duration, "rounds": cfg.rounds,
            "python": platform.python_version()}
    try:
        with tempfile.TemporaryDirectory(prefix="floors-") as tmp:
            res = Bench(cfg, Path(tmp)).run()
    except BenchError as err:
        print(f"floors: {err}", file=sys.stderr)
        return 2
    meta["load_after"] = os.getloadavg()[0]
    text = report(meta, res)
    print(text)
    cfg.output.parent.mkdir(parents=True, exist_ok=True)
    for s in res["statements"].values():
        s["sql"] = s["sql"][:60]
    cfg.output.write_text(json.dumps({"meta": meta, **res}, indent=2, default=str) + "\n")
    cfg.output.with_suffix(".txt").write_text(text + "\n")
    log(f"wrote {cfg.output} and {cfg.output.with_suffix('.txt')}")
    wrong = any(s["bad"] for s in res["pairs"].values()) or res.get("load", {}).get("errors", 0)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
