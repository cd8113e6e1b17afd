"""Refund latency: a keep-item return refunded end to end through the Stripe gateway, next to the same flow
with the simulated gateway, measured in the same run.

Each measured request is one shopper's `requestReturn` over HTTP that ends REFUNDED in the response:
decide, save the intent, call the gateway, save the outcome. Two `saleor-returns serve` processes run
side by side, one per gateway, each on a fresh database, and take turns request by request so both
see the same machine. With RETURNS_REFUND_GATEWAY=stripe the API talks real HTTP
(stripe-python, httpx) to the fake Stripe of tests/support/fake_stripe.py on loopback, which answers
at once, so the difference between the two rows is our Stripe path (client, HTTP, minor units,
idempotency key), not Stripe's own time (tens to hundreds of ms in production). At the end the fake
must hold exactly one refund per request.

    .venv/bin/python bench/refund_latency.py              # 200 refunds per gateway, SQLite
    .venv/bin/python bench/refund_latency.py --quick      # 30 per gateway (smoke run)
    .venv/bin/python bench/refund_latency.py --database-url postgresql://postgres@127.0.0.1:5432/bench

(--database-url must name an empty, existing database: both servers migrate and share it.)
Exit status 0 when every request was refunded once, 1 otherwise.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "plugin"), str(REPO / "tests")]

from saleor_returns.adapters.demo.order_source import DemoOrderSource  # noqa: E402
from saleor_returns.adapters.demo.orders_file import parse_demo_store  # noqa: E402
from saleor_returns.adapters.refunds.simulated import SimulatedRefundGateway  # noqa: E402
from saleor_returns.bootstrap import build, migrate  # noqa: E402
from saleor_returns.services.policies import seed_policies  # noqa: E402
from saleor_returns.settings import Settings  # noqa: E402
from support.fake_stripe import FakeStripe, keep_item_orders  # noqa: E402
from support.server import ServerThread, free_port  # noqa: E402

ADMIN = "bench-admin-token-0123456789"
WARMUP = 5
REQUEST_RETURN = """
mutation RequestReturn($input: RequestReturnInput!) {
  requestReturn(input: $input) {
    __typename
    ... on ReturnRequested { returnRequest { status refunds { status pspReference } } }
    ... on ReturnError { code message }
  }
}"""


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(pct / 100 * len(ordered)) - 1))]


async def _seed(db_url: str, orders: dict[str, Any]) -> None:
    settings = Settings(database_url=db_url, admin_token=ADMIN)
    policies = json.loads((REPO / "examples" / "policy.json").read_text())
    wiring = build(settings, DemoOrderSource(parse_demo_store(orders, _now())), refunds=SimulatedRefundGateway())
    try:
        await seed_policies(wiring.deps, policies)
    finally:
        await wiring.close()


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


def _serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    out = log.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "saleor_returns.cli", "serve", "--host", "127.0.0.1",
                             "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the API did not start:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    raise SystemExit("the API did not start in 60 s")


def start(gateway: str, n: int, fake: FakeStripe, db_url: str, tmp: Path) -> tuple[subprocess.Popen, str, str]:
    """`saleor-returns serve` with this refund gateway over n + WARMUP keep-item orders; (process, URL, prefix)."""
    intents = [fake.add_payment_intent(1000, "usd") for _ in range(n + WARMUP)]
    prefix = "S" if gateway == "stripe" else "M"  # distinct orders when both runs share one database
    orders = keep_item_orders(intents, prefix=prefix)
    orders_file = tmp / f"orders-{gateway}.json"
    orders_file.write_text(json.dumps(orders))
    migrate(db_url)
    asyncio.run(_seed(db_url, orders))
    env = {**os.environ, "DATABASE_URL": db_url, "RETURNS_ORDERS_FILE": str(orders_file), "RETURNS_ADMIN_TOKEN": ADMIN,
           "RETURNS_SECRET_KEY": "bench-secret-key-0123456789abcdef", "RETURNS_REFUND_GATEWAY": gateway,
           "STRIPE_API_KEY": fake.api_key, "STRIPE_API_BASE": fake.url, "STRIPE_WEBHOOK_SECRET": fake.webhook_secret,
           "RETURNS_LOG_LEVEL": "WARNING", "PYTHONPATH": str(REPO / "plugin")}
    proc, base = _serve(env, tmp / f"serve-{gateway}.log")
    return proc, base, prefix


def refund_once(client: httpx.Client, prefix: str, i: int) -> tuple[float, bool]:
    """One shopper keeps order i: seconds until the answer, and whether it came back REFUNDED."""
    variables = {"input": {"orderId": f"ORD-{prefix}{i}", "email": f"shopper{i}@example.com", "lines": [
        {"orderLineId": f"L-{prefix}{i}", "quantity": 1, "reason": "DOES_NOT_FIT"}]}}
    started = time.perf_counter()
    response = client.post("/graphql", json={"query": REQUEST_RETURN, "variables": variables})
    elapsed = time.perf_counter() - started
    ret = (response.json().get("data") or {}).get("requestReturn") or {}
    return elapsed, (ret.get("returnRequest") or {}).get("status") == "REFUNDED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="30 refunds per gateway")
    parser.add_argument("-n", type=int, default=200, help="measured refunds per gateway (default: %(default)s)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: SQLite files in a temp dir)")
    args = parser.parse_args(argv)
    n = 30 if args.quick else args.n

    fake = FakeStripe()
    server = ServerThread(lambda: fake.app).start()
    fake.url = server.url
    results: dict[str, list[float]] = {"simulated": [], "stripe": []}
    bad = 0
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        servers = {g: start(g, n, fake, args.database_url or f"sqlite+aiosqlite:///{tmp / f'bench-{g}.sqlite3'}", tmp)
                   for g in results}
        clients = {g: httpx.Client(base_url=servers[g][1], timeout=30) for g in results}
        try:
            for i in range(n + WARMUP):  # the two gateways take turns, so both see the same machine
                for gateway in results:
                    elapsed, refunded = refund_once(clients[gateway], servers[gateway][2], i)
                    bad += not refunded
                    if i >= WARMUP:
                        results[gateway].append(elapsed)
        finally:
            for gateway, (proc, _, _) in servers.items():
                clients[gateway].close()
                proc.terminate()
                proc.wait(15)
    server.stop()

    stripe_paid = len(fake.refunds)
    print(f"keep-item refund, end to end over HTTP ({n} measured + {WARMUP} warm-up per gateway; "
          f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}; load average {os.getloadavg()[0]:.2f})")
    print(f"{'gateway':<12}{'median ms':>11}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for gateway, times in results.items():
        ms = [t * 1000 for t in times]
        print(f"{gateway:<12}{statistics.median(ms):>11.1f}{percentile(ms, 90):>9.1f}{percentile(ms, 99):>9.1f}"
              f"{max(ms):>9.1f}")
    extra = statistics.median(results["stripe"]) - statistics.median(results["simulated"])
    print(f"Stripe path adds {extra * 1000:.1f} ms at the median (the fake answers at once).")
    expected = n + WARMUP
    print(f"refunds held by the fake Stripe: {stripe_paid} (expected {expected}, one per request); "
          f"responses not REFUNDED: {bad}")
    return 0 if bad == 0 and stripe_paid == expected else 1


if __name__ == "__main__":
    sys.exit(main())
