"""Hostile load: 100 shoppers on the demo, first alone, then next to one client sending the hostile payloads of
issue 11 (a 1.9 MB query of 100,000 @include directives, 1,000 aliases of orderReturnEligibility, a 10 MB
comment, a requestReturn with 50,000 lines, JSON nested 1,000 levels deep, a fragment bomb).

    .venv/bin/python bench/hostile_load.py                  # 2 minutes per phase (about 4.5 minutes in all)
    .venv/bin/python bench/hostile_load.py --duration 30    # shorter phases

The server is `saleor-returns demo` (SQLite in a temporary folder, the default limits and rate limits) on a
free loopback port, pinned to CPU 0 with taskset where there is one; this script pins itself to CPU 1. Each
shopper has its own address (X-Forwarded-For, trusted from 127.0.0.1 as behind a proxy) and its own orders,
and repeats: find the order by number, return its one line (keep the item, refunded at once), read the
return back, think for a while. Every answer is checked. Prints, per phase: shoppers' requests, errors,
median and p99 latency; the hostile client's refusals by status and their median time; the server's
memory (RSS) at the start, after each phase and after a short rest. Figures also go to
bench/results/hostile_load.json. Exit status 0 when the shoppers saw no error, 1 otherwise, 2 when it could
not run. Everything it sends goes to 127.0.0.1.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from api_latency import CHANNEL, _order, _policy, _small_line, free_port  # noqa: E402

TOKEN = "hostile-bench-admin-token-0123"
FIND = """query Find($number: String!, $email: String) {
  orderReturnEligibilityByNumber(orderNumber: $number, email: $email) {
    __typename ... on OrderReturnEligibility { orderId lines { orderLineId eligible } }
    ... on ReturnError { code message } } }"""
REQUEST = """mutation Request($input: RequestReturnInput!) { requestReturn(input: $input) {
    __typename ... on ReturnRequested { returnRequest { id status resolution } }
    ... on ReturnError { code message field } ... on ReturnNotEligible { lines { codes } } } }"""
STATUS = "query Status($id: ID!, $email: String) { returnRequest(id: $id, email: $email) { id status } }"


# --- the store ------------------------------------------------------------------------------------

def write_store(folder: Path, shoppers: int, orders_each: int) -> list[list[tuple[str, str]]]:
    """One small keep-item order per shopper iteration: [(order id, e-mail)] per shopper."""
    plan = [[(f"H{s:03d}-{k:03d}", f"shopper{s}@example.com") for k in range(orders_each)] for s in range(shoppers)]
    orders = [_order(oid, email, [_small_line(oid)]) for mine in plan for oid, email in mine]
    store = {"channels": [{"slug": CHANNEL, "currency": "USD", "timezone": "America/New_York"}], "orders": orders}
    (folder / "orders.json").write_text(json.dumps(store))
    (folder / "policy.json").write_text(json.dumps(_policy()))
    return plan


def start_server(folder: Path, port: int) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("saleor-returns")
    cmd = [str(exe), "demo", "--port", str(port), "--orders", str(folder / "orders.json"), "--policy",
           str(folder / "policy.json"), "--db", str(folder / "bench.sqlite3"), "--admin-token", TOKEN]
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        cmd = ["taskset", "-c", "0", *cmd]
    log = (folder / "server.log").open("w")
    env = {**os.environ, "RETURNS_LOG_FORMAT": "json"}
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"the demo did not start; see {folder / 'server.log'}")


def server_pid(proc: subprocess.Popen) -> int:
    """The Python process itself (taskset execs it, so it is the same pid)."""
    return proc.pid


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# --- shoppers -------------------------------------------------------------------------------------

@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    iterations: int = 0


async def shopper(http: httpx.AsyncClient, address: str, orders: list[tuple[str, str]], phase_of: list[Phase],
                  stop_at: list[float], think: float, rng: random.Random) -> None:
    headers = {"x-forwarded-for": address}

    async def call(query: str, variables: dict[str, Any]) -> dict[str, Any] | None:
        phase = phase_of[0]
        start = time.perf_counter()
        try:
            response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
        except httpx.HTTPError as exc:
            phase.errors.append(f"{address}: {type(exc).__name__}")
            return None
        phase.latencies_ms.append((time.perf_counter() - start) * 1000)
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
        if response.status_code != 200 or body.get("errors"):
            phase.errors.append(f"{address}: HTTP {response.status_code} {str(body)[:200]}")
            return None
        return body["data"]

    await asyncio.sleep(rng.uniform(0, think))
    for order_id, email in orders:
        if time.monotonic() >= stop_at[0]:
            return
        phase = phase_of[0]
        found = await call(FIND, {"number": order_id, "email": email})
        if found is None:
            continue
        view = found["orderReturnEligibilityByNumber"]
        if view["__typename"] != "OrderReturnEligibility" or not view["lines"][0]["eligible"]:
            phase.errors.append(f"{address}: {view}")
            continue
        line = view["lines"][0]["orderLineId"]
        asked = await call(REQUEST, {"input": {"orderId": order_id, "email": email, "lines": [
            {"orderLineId": line, "quantity": 1, "reason": "DOES_NOT_FIT"}]}})
        if asked is None:
            continue
        ret = asked["requestReturn"]
        if ret["__typename"] != "ReturnRequested" or ret["returnRequest"]["status"] != "REFUNDED":
            phase.errors.append(f"{address}: {ret}")
            continue
        seen = await call(STATUS, {"id": ret["returnRequest"]["id"], "email": email})
        if seen is not None and (seen["returnRequest"] or {}).get("status") != "REFUNDED":
            phase.errors.append(f"{address}: {seen}")
        phase.iterations += 1
        await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))


# --- the hostile client ---------------------------------------------------------------------------

def hostile_payloads() -> list[tuple[str, bytes]]:
    """The payloads of issue 11, point 1 (and point 5), as raw JSON bodies."""
    include = "{" + " __typename @include(if: true)" * 100_000 + "}"  # about 2.9 MB
    aliases = "{" + " ".join(f'a{i}: orderReturnEligibility(orderId: "H000-000", email: "x{i}@example.com") '
                             f"{{ __typename }}" for i in range(1000)) + "}"
    comment = "#" + "x" * 10_000_000 + "\n{ __typename }"
    line = {"orderLineId": "H000-000-L1", "quantity": 1, "reason": "DOES_NOT_FIT", "comment": "x" * 40}
    many_lines = {"input": {"orderId": "H000-000", "email": "shopper0@example.com", "lines": [line] * 50_000}}
    fitting_lines = {**many_lines, "input": {**many_lines["input"], "lines": [line] * 9_000}}  # under 1 MiB
    nested = '{"query": "{ __typename }", "variables": {"a": ' + "[" * 1000 + "]" * 1000 + "}}"
    bomb = "{ ...F0 } " + " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(30)) \
        + " fragment F30 on Query { __typename }"

    def body(query: str, variables: dict | None = None) -> bytes:
        return json.dumps({"query": query, "variables": variables or {}}).encode()

    return [("100k @include directives", body(include)), ("1000 aliases", body(aliases)),
            ("10 MB comment", body(comment)), ("50,000 lines (5 MB)", body(REQUEST, many_lines)),
            ("9,000 lines (under 1 MiB)", body(REQUEST, fitting_lines)), ("JSON 1000 deep", nested.encode()),
            ("fragment bomb", body(bomb))]


@dataclass
class Hostile:
    sent: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    times_ms: dict[str, list[float]] = field(default_factory=dict)


def hostile_client(url: str, stop_at: float, result: Hostile) -> None:
    """One client, one request at a time, as fast as the server answers, until `stop_at` (a thread)."""
    payloads = hostile_payloads()
    headers = {"content-type": "application/json", "x-forwarded-for": "203.0.113.66"}
    with httpx.Client(base_url=url, timeout=120) as http:
        while time.monotonic() < stop_at:
            for name, payload in payloads:
                if time.monotonic() >= stop_at:
                    break
                start = time.perf_counter()
                try:
                    status = str(http.post("/graphql", content=payload, headers=headers).status_code)
                except httpx.HTTPError as exc:  # a 413 before the body was sent closes the connection
                    status = f"closed ({type(exc).__name__})"
                result.sent += 1
                result.by_status[status] = result.by_status.get(status, 0) + 1
                result.times_ms.setdefault(name, []).append((time.perf_counter() - start) * 1000)


# --- the run --------------------------------------------------------------------------------------

def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(0.99 * len(ordered))) - 1))] if ordered else float("nan")


async def run_phase(url: str, plan: list[list[tuple[str, str]]], cursor: list[int], seconds: float, think: float,
                    name: str, hostile: Hostile | None) -> Phase:
    phase = Phase(name)
    stop_at = [time.monotonic() + seconds]
    rng = random.Random(name)
    per_phase = max(1, int(seconds / think * 1.5) + 2)
    # idle connections are dropped before uvicorn's 5 s keep-alive ends, as a browser would: reusing one that
    # the server is closing at that very moment is a race of the bench, not an answer of the API
    limits = httpx.Limits(max_connections=len(plan), max_keepalive_connections=len(plan), keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        tasks = []
        for s, mine in enumerate(plan):
            orders = mine[cursor[0]:cursor[0] + per_phase]
            tasks.append(shopper(http, f"198.18.{s // 250}.{s % 250 + 1}", orders, [phase], stop_at, think, rng))
        thread = None
        if hostile is not None:
            thread = asyncio.get_running_loop().run_in_executor(None, hostile_client, url, stop_at[0], hostile)
        await asyncio.gather(*tasks)
        if thread is not None:
            await thread
    cursor[0] += per_phase
    return phase


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--shoppers", type=int, default=100)
    p.add_argument("--duration", type=float, default=120.0, help="seconds per phase (default 120)")
    p.add_argument("--think", type=float, default=10.0, help="mean seconds a shopper waits between returns")
    p.add_argument("--output", type=Path, default=BENCH_DIR / "results" / "hostile_load.json")
    a = p.parse_args(argv)
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})
    per_phase = int(a.duration / a.think * 1.5) + 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        plan = write_store(folder, a.shoppers, 2 * per_phase + 2)
        port = free_port()
        proc = start_server(folder, port)
        url = f"http://127.0.0.1:{port}"
        try:
            pid = server_pid(proc)
            # warm-up: a few shoppers once each (imports, caches, the first connections)
            cursor = [0]
            asyncio.run(run_phase(url, plan[:10], [per_phase * 2], 3, 0.5, "warm-up", None))
            memory = {"start": rss_mb(pid)}
            alone = asyncio.run(run_phase(url, plan, cursor, a.duration, a.think, "shoppers alone", None))
            memory["after shoppers alone"] = rss_mb(pid)
            hostile = Hostile()
            beside = asyncio.run(run_phase(url, plan, cursor, a.duration, a.think, "with the hostile client",
                                           hostile))
            memory["after the hostile phase"] = rss_mb(pid)
            time.sleep(5)
            memory["after 5 s of rest"] = rss_mb(pid)
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return report(a, alone, beside, hostile, memory)


def report(a: argparse.Namespace, alone: Phase, beside: Phase, hostile: Hostile, memory: dict[str, float]) -> int:
    print(f"hostile load: {a.shoppers} shoppers (think {a.think:g} s), {a.duration:g} s per phase, "
          f"server on CPU 0 (taskset: {'yes' if shutil.which('taskset') else 'no'}), load "
          f"{os.getloadavg()[0]:.2f}")
    print(f"  {'phase':<28}{'requests':>9}{'returns':>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}")
    for ph in (alone, beside):
        print(f"  {ph.name:<28}{len(ph.latencies_ms):>9}{ph.iterations:>9}{len(ph.errors):>8}"
              f"{statistics.median(ph.latencies_ms) if ph.latencies_ms else float('nan'):>9.1f}"
              f"{p99(ph.latencies_ms):>9.1f}")
    ratio = p99(beside.latencies_ms) / p99(alone.latencies_ms) if alone.latencies_ms else float("nan")
    print(f"  p99 with / without the hostile client: {ratio:.2f}x")
    print(f"  hostile client: {hostile.sent} requests; answers: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(hostile.by_status.items()))
          + " (429: turned away before its body was read, after 10 refusals in a minute)")
    for name, times in hostile.times_ms.items():
        print(f"    {name:<28} median {statistics.median(times):8.1f} ms   max {max(times):8.1f} ms   n {len(times)}")
    start = memory["start"]
    print("  server memory (RSS): " + ", ".join(f"{k} {v:.0f} MB" for k, v in memory.items())
          + f"; end / start {memory['after 5 s of rest'] / start:.2f}, end / before the hostile phase "
          f"{memory['after 5 s of rest'] / memory['after shoppers alone']:.2f}")
    for ph in (alone, beside):
        for err in ph.errors[:5]:
            print(f"  error ({ph.name}): {err}")
    a.output.parent.mkdir(parents=True, exist_ok=True)
    a.output.write_text(json.dumps({
        "shoppers": a.shoppers, "duration_s": a.duration, "think_s": a.think,
        "phases": {ph.name: {"requests": len(ph.latencies_ms), "returns": ph.iterations, "errors": len(ph.errors),
                             "p50_ms": statistics.median(ph.latencies_ms) if ph.latencies_ms else None,
                             "p99_ms": p99(ph.latencies_ms)} for ph in (alone, beside)},
        "p99_ratio": ratio, "hostile": {"sent": hostile.sent, "by_status": hostile.by_status,
                                        "median_ms": {k: statistics.median(v) for k, v in hostile.times_ms.items()}},
        "memory_mb": memory}, indent=2))
    return 0 if not alone.errors and not beside.errors else 1


if __name__ == "__main__":
    sys.exit(main())
