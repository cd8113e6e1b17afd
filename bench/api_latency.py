"""API latency benchmark: the returns logic over HTTP, next to a bare strawberry baseline.

Prints median / p99 latency and requests/s for
  * orderReturnEligibility on a 50-line order, and
  * requestReturn that ends in KEEP_ITEM (a refund without shipping back),
each next to a baseline measured in the same run against the same server process and database:
a bare strawberry query (`orderLines`, bench/baseline_server.py) that reads the same order data
from the same order source plus one read-only database round-trip, with no policy work.
Then the ratios returns/baseline. Figures go to standard output and to bench/results/latest.json.

    .venv/bin/python bench/api_latency.py                      # SQLite file in a temp dir
    .venv/bin/python bench/api_latency.py --quick              # smoke run (CI)
    .venv/bin/python bench/api_latency.py --create-database \\
        --database-url postgresql://postgres@127.0.0.1:5432/test   # PostgreSQL, throwaway database

Exit status: 0 when every response was the expected one, 1 when some were not, 2 when the
benchmark could not run (server did not start, database could not be created).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
SERVER_SCRIPT = BENCH_DIR / "baseline_server.py"
DEFAULT_OUTPUT = BENCH_DIR / "results" / "latest.json"
CHANNEL = "default-channel"
BIG_LINES = 50

# --- GraphQL documents (what a storefront sends) --------------------------------------------

ELIGIBILITY = """
query Eligibility($orderId: ID!, $email: String) {
  orderReturnEligibility(orderId: $orderId, email: $email) {
    __typename
    ... on OrderReturnEligibility {
      orderId orderNumber channel timezone deadline graceDeadline
      lines { orderLineId productName sku quantityReturnable eligible inGrace codes deadline graceDeadline
              unitRefund { amount currency } }
    }
    ... on ReturnError { code message field }
  }
}"""

BASELINE = """
query Lines($orderId: ID!) {
  orderLines(orderId: $orderId) { id productName quantity unitPrice { amount currency } }
}"""

REQUEST_RETURN = """
mutation RequestReturn($input: RequestReturnInput!) {
  requestReturn(input: $input) {
    __typename
    ... on ReturnRequested { returnRequest {
      id number status resolution refundTotal { amount currency }
      refunds { id status amount { amount currency } } } }
    ... on ReturnNotEligible { lines { orderLineId eligible codes } }
    ... on ReturnError { code message field }
  }
}"""


# --- settings of one run ----------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    requests: int
    warmup: int
    concurrency: int
    duration: float
    database_url: str | None
    create_database: bool
    output: Path

    @property
    def small_orders(self) -> int:
        """One fresh order per keep-item request (warm-up included): a return consumes its order."""
        return self.warmup + self.requests


def parse_args(argv: list[str] | None) -> Config:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                epilog="See bench/README.md for how to read the figures.")
    p.add_argument("--requests", type=int, help="measured sequential requests per scenario (default 300)")
    p.add_argument("--concurrency", type=int, default=8, help="clients of the throughput run (default 8)")
    p.add_argument("--duration", type=float, help="seconds per scenario of the throughput run (default 5)")
    p.add_argument("--database-url", help="benchmark this database instead of a temporary SQLite file, "
                                          "e.g. postgresql://postgres@127.0.0.1:5432/test")
    p.add_argument("--create-database", action="store_true",
                   help="with a PostgreSQL --database-url: create a throwaway database bench_<random> on "
                        "that server, use it, and drop it afterwards")
    p.add_argument("--quick", action="store_true", help="few requests and a 1 s throughput run (CI smoke)")
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="JSON results (default: %(default)s)")
    a = p.parse_args(argv)
    if a.create_database and not (a.database_url or "").startswith(("postgres://", "postgresql")):
        p.error("--create-database needs a PostgreSQL --database-url")
    requests = a.requests or (40 if a.quick else 300)
    return Config(requests=requests, warmup=5 if a.quick else 20, concurrency=max(1, a.concurrency),
                  duration=a.duration or (1.0 if a.quick else 5.0), database_url=a.database_url,
                  create_database=a.create_database, output=a.output)


# --- the demo store the server loads ----------------------------------------------------------

@dataclass(frozen=True)
class SmallOrder:
    id: str
    email: str
    line_id: str


@dataclass(frozen=True)
class Fixtures:
    orders_file: Path
    policy_file: Path
    big_order_id: str
    big_email: str
    small: list[SmallOrder]


def _order(order_id: str, email: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """One paid, fully fulfilled order in the orders-file format (examples/demo-orders.json)."""
    total = sum(Decimal(x["unitPriceGross"]) * x["quantity"] for x in lines)
    return {
        "id": order_id, "number": order_id, "channel": CHANNEL, "currency": "USD", "createdAt": "-7d",
        "userEmail": email, "lines": lines,
        "fulfillments": [{"id": f"F-{order_id}", "createdAt": "-5d" if len(lines) > 1 else "-3d",
                          "lines": [{"orderLineId": x["id"], "quantity": x["quantity"]} for x in lines]}],
        "payments": [{"pspReference": f"pi_{order_id}", "gateway": "stripe", "chargedAmount": str(total)}],
    }


def _big_lines(order_id: str) -> list[dict[str, Any]]:
    categories = ("Shirts", "Shoes", "Books", "Cables", "Laptops")
    return [{"id": f"{order_id}-L{i:02d}", "productName": f"Product {i}", "sku": f"SKU-{i:03d}",
             "product": f"product-{i}", "productType": "Goods", "category": categories[i % len(categories)],
             "quantity": 1 + i % 3, "unitPriceGross": f"{10 + 7 * i}.{(13 * i) % 100:02d}"}
            for i in range(1, BIG_LINES + 1)]


def _small_line(order_id: str) -> dict[str, Any]:
    return {"id": f"{order_id}-L1", "productName": "Socks", "sku": "SOCKS", "product": "socks",
            "productType": "Goods", "category": "Socks", "quantity": 1, "unitPriceGross": "9.99"}


def _policy() -> dict[str, Any]:
    """examples/policy.json's default channel, with keep-item for anything up to USD 25 and no yearly cap."""
    return {CHANNEL: {
        "window_days": 30, "window_starts": "FULFILLED", "grace_days": 3, "grace_mode": "AUTO_APPROVE",
        "keep_item_thresholds": {"USD": "25.00"}, "keep_item_limits": {"max_count": 1_000_000, "days": 365},
        "review_above": {"USD": "2000.00"}, "refund_timing": "ON_RECEIPT", "restocking_fee_percent": "0",
        "return_shipping": "FREE", "refund_shipping": False,
    }}


def write_fixtures(directory: Path, run_id: str, n_small: int) -> Fixtures:
    """Write the orders and policy files. Ids carry `run_id`, so reusing a database never collides."""
    big_id, big_email = f"BIG-{run_id}", f"big.{run_id}@example.com"
    small = [SmallOrder(f"S{i:05d}-{run_id}", f"shopper{i}.{run_id}@example.com", f"S{i:05d}-{run_id}-L1")
             for i in range(n_small)]
    orders = [_order(big_id, big_email, _big_lines(big_id))]
    orders += [_order(s.id, s.email, [_small_line(s.id)]) for s in small]
    store = {"channels": [{"slug": CHANNEL, "currency": "USD", "timezone": "America/New_York"}], "orders": orders}
    orders_file, policy_file = directory / "orders.json", directory / "policy.json"
    orders_file.write_text(json.dumps(store))
    policy_file.write_text(json.dumps(_policy()))
    return Fixtures(orders_file, policy_file, big_id, big_email, small)


# --- the database -----------------------------------------------------------------------------

def _pg_dsn(url: str, database: str | None = None) -> str:
    """A libpq-style DSN for asyncpg (no +driver), optionally for another database on the same server."""
    from sqlalchemy.engine import make_url

    u = make_url(url).set(drivername="postgresql")
    if database is not None:
        u = u.set(database=database)
    return u.render_as_string(hide_password=False)


async def _pg_execute(dsn: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def throwaway_pg_database(url: str) -> Iterator[str]:
    """Create bench_<random> on the server of `url`, yield its URL, drop it afterwards."""
    name = f"bench_{secrets.token_hex(4)}"
    try:
        asyncio.run(_pg_execute(_pg_dsn(url), f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        raise BenchError(f"cannot create database {name} on {redact(url)}: {exc}") from exc
    try:
        yield _pg_dsn(url, name)
    finally:
        try:
            asyncio.run(_pg_execute(_pg_dsn(url), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        except Exception as exc:  # report, but do not hide the benchmark's own outcome
            print(f"warning: could not drop database {name}: {exc}", file=sys.stderr)


@contextmanager
def database(cfg: Config, tmp: Path) -> Iterator[str]:
    """The database URL the server uses: a temp SQLite file, --database-url, or a throwaway PG database."""
    if cfg.database_url is None:
        yield f"sqlite+aiosqlite:///{tmp / 'bench.sqlite3'}"
    elif cfg.create_database:
        with throwaway_pg_database(cfg.database_url) as url:
            yield url
    else:
        yield cfg.database_url


def redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


# --- the server -------------------------------------------------------------------------------

class BenchError(Exception):
    """The benchmark could not run (exit status 2)."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def wait_healthy(base: str, proc: subprocess.Popen, log: Path, timeout: float = 120.0) -> None:
    """Poll /healthz until it answers 200; fail early when the server exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"the server exited with status {proc.returncode}:\n{_tail(log)}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise BenchError(f"the server did not become healthy in {timeout:.0f} s:\n{_tail(log)}")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM (uvicorn shuts down gracefully), then SIGKILL after 10 s."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def running_server(fixtures: Fixtures, db_url: str, tmp: Path) -> Iterator[str]:
    """Start bench/baseline_server.py on a free loopback port; yield its base URL; always stop it."""
    port = free_port()
    log = tmp / "server.log"
    cmd = [sys.executable, str(SERVER_SCRIPT), "--port", str(port), "--orders", str(fixtures.orders_file),
           "--policy", str(fixtures.policy_file), "--db", db_url, "--admin-token", secrets.token_urlsafe(24)]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO_DIR)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


# --- scenarios and their checks ---------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    path: str
    payload: Callable[[int], dict[str, Any]]  # request number → JSON body
    check: Callable[[dict[str, Any]], bool]  # GraphQL `data` → is it the expected answer


def _eligibility_ok(data: dict[str, Any]) -> bool:
    r = data.get("orderReturnEligibility") or {}
    lines = r.get("lines") or []
    return (r.get("__typename") == "OrderReturnEligibility" and len(lines) == BIG_LINES
            and all(x["eligible"] for x in lines))


def _lines_ok(expected: int) -> Callable[[dict[str, Any]], bool]:
    return lambda data: len(data.get("orderLines") or []) == expected


def _keep_item_ok(data: dict[str, Any]) -> bool:
    r = data.get("requestReturn") or {}
    ret = r.get("returnRequest") or {}
    refunds = ret.get("refunds") or []
    return (r.get("__typename") == "ReturnRequested" and ret.get("resolution") == "KEEP_ITEM"
            and bool(refunds) and all(x["status"] == "SUCCEEDED" for x in refunds))


def scenarios(fx: Fixtures) -> dict[str, Scenario]:
    """The four sequential scenarios, keyed; the throughput run reuses the two 50-line ones."""
    big = {"orderId": fx.big_order_id}

    def small(i: int) -> SmallOrder:
        return fx.small[i % len(fx.small)]

    def keep_item(i: int) -> dict[str, Any]:
        s = fx.small[i]  # one fresh order per request: never ALREADY_RETURNED
        line = {"orderLineId": s.line_id, "quantity": 1, "reason": "DOES_NOT_FIT"}
        return {"query": REQUEST_RETURN, "variables": {"input": {"orderId": s.id, "email": s.email, "lines": [line]}}}

    return {s.key: s for s in (
        Scenario("baseline_big", f"baseline orderLines, {BIG_LINES} lines", "/baseline",
                 lambda i: {"query": BASELINE, "variables": big}, _lines_ok(BIG_LINES)),
        Scenario("eligibility", f"orderReturnEligibility, {BIG_LINES} lines", "/graphql",
                 lambda i: {"query": ELIGIBILITY, "variables": {**big, "email": fx.big_email}}, _eligibility_ok),
        Scenario("baseline_small", "baseline orderLines, 1 line", "/baseline",
                 lambda i: {"query": BASELINE, "variables": {"orderId": small(i).id}}, _lines_ok(1)),
        Scenario("keep_item", "requestReturn -> KEEP_ITEM, 1 line", "/graphql", keep_item, _keep_item_ok),
    )}


# --- measuring --------------------------------------------------------------------------------

@dataclass
class Stats:
    title: str
    mode: str  # "sequential" or "concurrent"
    clients: int
    requests: int  # measured requests
    failures: int  # unexpected answers, warm-up included
    median_ms: float
    p99_ms: float
    rps: float
    response_bytes: int  # median size of the response body
    first_failure: str | None = field(default=None, repr=False)


@dataclass
class Sample:
    """What one scenario run collected."""

    latencies: list[float] = field(default_factory=list)  # seconds, measured requests only
    sizes: list[int] = field(default_factory=list)
    failures: int = 0
    first_failure: str | None = None

    def record(self, seconds: float, response: httpx.Response, ok: bool, measured: bool) -> None:
        if measured:
            self.latencies.append(seconds)
            self.sizes.append(len(response.content))
        if not ok:
            self.failures += 1
            self.first_failure = self.first_failure or f"HTTP {response.status_code}: {response.text[:500]}"


def answered_as_expected(response: httpx.Response, check: Callable[[dict[str, Any]], bool]) -> bool:
    """HTTP 200, no GraphQL errors, and the scenario's own check on `data`."""
    if response.status_code != 200:
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return not body.get("errors") and check(body.get("data") or {})


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100): p99 of 300 samples is the 297th fastest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summarise(sc: Scenario, sample: Sample, wall: float, mode: str, clients: int) -> Stats:
    lat = sample.latencies
    return Stats(title=sc.title, mode=mode, clients=clients, requests=len(lat), failures=sample.failures,
                 median_ms=statistics.median(lat) * 1000, p99_ms=percentile(lat, 99) * 1000,
                 rps=len(lat) / wall, response_bytes=int(statistics.median(sample.sizes)),
                 first_failure=sample.first_failure)


def run_sequential(client: httpx.Client, sc: Scenario, warmup: int, n: int) -> Stats:
    """One client, one keep-alive connection: `warmup` requests, then `n` timed ones back to back."""
    sample = Sample()
    start = 0.0
    for i in range(warmup + n):
        if i == warmup:
            start = time.perf_counter()
        t0 = time.perf_counter()
        response = client.post(sc.path, json=sc.payload(i))
        sample.record(time.perf_counter() - t0, response, answered_as_expected(response, sc.check), i >= warmup)
    return summarise(sc, sample, time.perf_counter() - start, "sequential", 1)


async def _throughput(base: str, sc: Scenario, clients: int, duration: float) -> Stats:
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    sample = Sample()
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        async def one(measured: bool) -> None:
            t0 = time.perf_counter()
            response = await client.post(sc.path, json=sc.payload(0))
            sample.record(time.perf_counter() - t0, response, answered_as_expected(response, sc.check), measured)

        await asyncio.gather(*(one(False) for _ in range(clients)))  # open the connections
        start = time.perf_counter()
        deadline = start + duration

        async def worker() -> None:
            while time.perf_counter() < deadline:
                await one(True)

        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - start
    return summarise(sc, sample, wall, "concurrent", clients)


def run_concurrent(base: str, sc: Scenario, clients: int, duration: float) -> Stats:
    """`clients` keep-alive connections sending back to back for `duration` seconds."""
    return asyncio.run(_throughput(base, sc, clients, duration))


def measure(base: str, fx: Fixtures, cfg: Config) -> dict[str, Stats]:
    """Every scenario, baseline first; the keep-item run goes last (it writes)."""
    sc = scenarios(fx)
    results: dict[str, Stats] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        for key in ("baseline_big", "eligibility", "baseline_small", "keep_item"):
            results[key] = run_sequential(client, sc[key], cfg.warmup, cfg.requests)
    for key in ("baseline_big", "eligibility"):
        results[f"{key}_concurrent"] = run_concurrent(base, sc[key], cfg.concurrency, cfg.duration)
    return results


# --- reporting --------------------------------------------------------------------------------

RATIOS = (  # name, numerator, denominator
    ("eligibility / baseline (sequential)", "eligibility", "baseline_big"),
    ("keep-item / baseline-small (sequential)", "keep_item", "baseline_small"),
    ("eligibility / baseline (concurrent)", "eligibility_concurrent", "baseline_big_concurrent"),
)


def ratios(results: dict[str, Stats]) -> dict[str, dict[str, float]]:
    """Latency ratios (>1: slower than the baseline) and the throughput ratio (<1: fewer requests/s)."""
    out = {}
    for name, num, den in RATIOS:
        a, b = results[num], results[den]
        out[name] = {"median": a.median_ms / b.median_ms, "p99": a.p99_ms / b.p99_ms, "rps": a.rps / b.rps}
    return out


def _table(results: dict[str, Stats]) -> list[str]:
    rows = [f"  {'scenario':<40} {'median ms':>9} {'p99 ms':>8} {'req/s':>8} {'bytes':>7} {'n':>6} {'failed':>6}"]
    for mode in ("sequential", "concurrent"):
        group = [s for s in results.values() if s.mode == mode]
        if group:
            rows.append(f"  {mode}, {group[0].clients} client{'s' if group[0].clients > 1 else ''}:")
        rows += [f"    {s.title:<38} {s.median_ms:>9.2f} {s.p99_ms:>8.2f} {s.rps:>8.1f} {s.response_bytes:>7} "
                 f"{s.requests:>6} {s.failures:>6}" for s in group]
    return rows


def report(meta: dict[str, Any], results: dict[str, Stats], rat: dict[str, dict[str, float]]) -> str:
    lines = [f"saleor-returns API latency ({meta['database']}, {meta['cpus']} CPUs, Python {meta['python']}, "
             f"commit {meta['commit']}, load {meta['load_average_1m']:g})",
             f"  sequential: {meta['warmup']} warm-up + {meta['requests']} timed requests per scenario; "
             f"concurrent: {meta['concurrency']} clients for {meta['duration']:g} s", ""]
    lines += _table(results)
    lines += ["", f"  {'ratio (returns / baseline)':<40} {'median':>8} {'p99':>8} {'req/s':>8}"]
    lines += [f"    {name:<38} {r['median']:>7.2f}x {r['p99']:>7.2f}x {r['rps']:>7.2f}x" for name, r in rat.items()]
    return "\n".join(lines)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", "-C", str(REPO_DIR), *args], capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def run_meta(cfg: Config, db_url: str) -> dict[str, Any]:
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = bool(_git("status", "--porcelain", "--untracked-files=no"))
    return {"at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": "postgresql" if db_url.startswith("postgres") else "sqlite", "database_url": redact(db_url),
            "cpus": os.cpu_count(), "load_average_1m": round(os.getloadavg()[0], 2),
            "python": platform.python_version(), "platform": platform.platform(),
            "commit": commit + ("+dirty" if dirty else ""), "requests": cfg.requests, "warmup": cfg.warmup,
            "concurrency": cfg.concurrency, "duration": cfg.duration}


def _rounded(d: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in d.items()}


def write_json(path: Path, meta: dict[str, Any], results: dict[str, Stats], rat: dict[str, dict[str, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"meta": meta, "results": {k: _rounded(asdict(v)) for k, v in results.items()},
            "ratios": {k: _rounded(v) for k, v in rat.items()}}
    path.write_text(json.dumps(data, indent=2) + "\n")


def print_failures(results: dict[str, Stats]) -> None:
    for s in results.values():
        if s.failures:
            print(f"FAILED: {s.failures} unexpected answers in '{s.title}' ({s.mode}); first: {s.first_failure}",
                  file=sys.stderr)


# --- main -------------------------------------------------------------------------------------

def benchmark(cfg: Config) -> int:
    """Set up, measure, report; the server and any throwaway database are always cleaned up."""
    with tempfile.TemporaryDirectory(prefix="saleor-returns-bench-") as tmp_name:
        tmp = Path(tmp_name)
        fx = write_fixtures(tmp, secrets.token_hex(3), cfg.small_orders)
        with database(cfg, tmp) as db_url:
            meta = run_meta(cfg, db_url)
            print(f"starting the server on {meta['database_url']} ...", file=sys.stderr, flush=True)
            with running_server(fx, db_url, tmp) as base:
                results = measure(base, fx, cfg)
    rat = ratios(results)
    print(report(meta, results, rat))
    write_json(cfg.output, meta, results, rat)
    print(f"\nwrote {cfg.output}", file=sys.stderr)
    print_failures(results)
    return 1 if any(s.failures for s in results.values()) else 0


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # unwinds the `with` blocks: the server stops, the database is dropped


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        return benchmark(cfg)
    except BenchError as err:
        print(f"api_latency: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
