"""Exactly once, against the fake Stripe: racing shoppers, a process killed between Stripe's answer and
saving it, and several workers at once. Stripe must end up holding one refund per refund of ours."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from documents import REQUEST_RETURN, line, request
from saleor_returns.adapters.db.engine import make_engine, make_sessionmaker
from saleor_returns.adapters.db.models import RefundRow, ReturnRow
from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.demo.orders_file import parse_demo_store
from saleor_returns.adapters.refunds.simulated import SimulatedRefundGateway
from saleor_returns.bootstrap import build
from saleor_returns.services.policies import seed_policies
from saleor_returns.services.refund_worker import claim_due
from saleor_returns.services.worker import run_once
from support.app_runner import running_app
from support.databases import backend
from support.fake_stripe import FakeStripe, gateway_for, keep_item_orders, stripe_settings
from support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
RACERS = 20


def test_twenty_identical_keep_item_requests_make_one_refund_at_stripe(stripe_app, fake_stripe: FakeStripe):
    # given 20 tabs send the same keep-item return at the same moment
    async def race() -> list[dict]:
        variables = request("ORD-1002", "ben@example.com", line("L-1002-1"))
        async with httpx.AsyncClient(base_url=stripe_app.server.url, timeout=60) as client:
            responses = await asyncio.gather(*(client.post("/graphql", json={"query": REQUEST_RETURN,
                                                                             "variables": variables})
                                               for _ in range(RACERS)))
        return [r.json()["data"]["requestReturn"] for r in responses]

    results = asyncio.run(race())

    # then one return was refunded, the others were told it is already returned, and Stripe paid once
    made = [r for r in results if r["__typename"] == "ReturnRequested"]
    assert len(made) == 1 and made[0]["returnRequest"]["status"] == "REFUNDED"
    assert {r.get("code") for r in results if r is not made[0]} == {"ALREADY_RETURNED"}
    assert [r["amount"] for r in fake_stripe.refunds_of("pi_demo_1002")] == [1999]
    assert len(fake_stripe.creates("pi_demo_1002")) == 1


# --- a process killed between the call and saving its outcome ----------------------------------------

def _env(settings, fake: FakeStripe) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": settings.database_url, "RETURNS_TENANT": settings.tenant,
            "RETURNS_ORDERS_FILE": str(ROOT / "examples" / "demo-orders.json"),
            "RETURNS_ADMIN_TOKEN": settings.admin_token, "RETURNS_SECRET_KEY": "crash-test-secret-0123456789abcdef",
            "RETURNS_REFUND_GATEWAY": "stripe",
            "STRIPE_API_KEY": fake.api_key, "STRIPE_API_BASE": fake.url, "STRIPE_WEBHOOK_SECRET": fake.webhook_secret,
            "RETURNS_REFUND_LEASE": "1s", "RETURNS_LOG_FORMAT": "text", "RETURNS_LOG_LEVEL": "WARNING"}


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "saleor_returns.cli", *args]


async def _seed_policies(settings, store, demo_policies: dict) -> None:
    wiring = build(settings, DemoOrderSource(store), refunds=SimulatedRefundGateway())
    try:
        await seed_policies(wiring.deps, demo_policies)
    finally:
        await wiring.close()


async def _refunds_of(url: str, order_id: str) -> list[tuple[RefundRow, str]]:
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            rows = await session.execute(select(RefundRow, ReturnRow.status).join(ReturnRow)
                                         .where(RefundRow.order_id == order_id))
            return [(refund, status) for refund, status in rows.all()]
    finally:
        await engine.dispose()


def _wait_healthy(url: str, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the API process exited"
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise AssertionError("the API process did not start")


def test_killed_after_stripe_paid_but_before_saving_the_worker_completes_it_once(
        settings, demo_store, demo_policies, fake_stripe: FakeStripe):
    # given the API runs in its own process, refunding through Stripe, and Stripe's answer will be held
    asyncio.run(_seed_policies(settings, demo_store, demo_policies))
    fake_stripe.add_payment_intent(4398, "usd", "pi_demo_1002")
    held = fake_stripe.hold_next()
    env, port = _env(settings, fake_stripe), free_port()
    api = subprocess.Popen(_cli("serve", "--host", "127.0.0.1", "--port", str(port)), env=env)
    try:
        _wait_healthy(f"http://127.0.0.1:{port}", api)

        # when Ben keeps the cover, Stripe makes the refund, and the process is killed before it hears back
        with ThreadPoolExecutor(1) as pool:
            asked = pool.submit(httpx.post, f"http://127.0.0.1:{port}/graphql", timeout=60, json={
                "query": REQUEST_RETURN, "variables": request("ORD-1002", "ben@example.com", line("L-1002-1"))})
            assert held.reached.wait(30), "the refund never reached Stripe"
            api.send_signal(signal.SIGKILL)
            api.wait(10)
            assert isinstance(asked.exception(timeout=30), httpx.HTTPError)
    finally:
        if api.poll() is None:
            api.kill()
    [(row, _)] = asyncio.run(_refunds_of(settings.database_url, "ORD-1002"))
    assert (row.status, row.psp_reference) == ("PENDING", None)  # we never learnt what Stripe did
    assert len(fake_stripe.refunds_of("pi_demo_1002")) == 1

    # when the worker runs once the in-flight lease (1 s here) is over
    time.sleep(1.2)
    worker = subprocess.run(_cli("worker", "--once"), env=env, timeout=60, capture_output=True, text=True)

    # then it finished that refund with the same key, and Stripe still holds exactly one
    assert worker.returncode == 0, worker.stderr
    [(row, return_status)] = asyncio.run(_refunds_of(settings.database_url, "ORD-1002"))
    [paid] = fake_stripe.refunds_of("pi_demo_1002")
    assert (row.status, row.psp_reference, return_status) == ("SUCCEEDED", paid["id"], "REFUNDED")
    creates = fake_stripe.creates("pi_demo_1002")
    assert [c.idempotency_key for c in creates] == [row.idempotency_key] * 2 and creates[1].replayed


# --- several workers ------------------------------------------------------------------------------------

WAITING = 12


@pytest.fixture
def waiting_refunds(settings, demo_policies, clock, fake_stripe: FakeStripe):
    """WAITING keep-item returns whose refunds all hit a Stripe outage, now due for the worker."""
    intents = [fake_stripe.add_payment_intent(1000, "usd") for _ in range(WAITING)]
    store = parse_demo_store(keep_item_orders(intents), clock.now())
    outage = gateway_for(fake_stripe, max_network_retries=0)
    with running_app(stripe_settings(settings, fake_stripe), store, demo_policies, outage, clock) as app:
        fake_stripe.fail_next(500, times=WAITING)
        for i, order in enumerate(store.orders.values()):
            result = app.gql(REQUEST_RETURN, request(order.id, order.user_email, line(f"L-K{i}")))
            assert [r["status"] for r in result["requestReturn"]["returnRequest"]["refunds"]] == ["PENDING"]
        clock.advance(seconds=31)  # past the first backoff
        yield app, intents


def test_several_workers_at_once_never_claim_the_same_refund(waiting_refunds, settings, demo_store, clock,
                                                            fake_stripe):
    app, intents = waiting_refunds

    # when four workers (each with its own connection pool, as separate processes have) run side by side
    async def four_workers():
        wirings = [build(settings, DemoOrderSource(demo_store), refunds=gateway_for(fake_stripe), clock=clock)
                   for _ in range(4)]
        try:
            return await asyncio.gather(*(run_once(w.deps, batch=5) for w in wirings))
        finally:
            for w in wirings:
                await w.close()

    reports = app.server.call(four_workers(), timeout=60)

    # then every refund was claimed by exactly one worker and paid once, with one request after the outage
    assert sum(r.claimed for r in reports) == WAITING
    assert sum(r.outcomes["SUCCEEDED"] for r in reports) == WAITING
    for pi in intents:
        assert len(fake_stripe.refunds_of(pi)) == 1
        assert [c.status for c in fake_stripe.creates(pi)] == [500, 200]


@pytest.mark.skipif(backend() != "postgres", reason="SQLite has one writer: claims are serialised, not skipped")
def test_a_claim_skips_refunds_another_worker_has_locked(waiting_refunds, settings, demo_store, clock):
    app, _ = waiting_refunds

    async def overlapping_claims() -> tuple[set[str], set[str]]:
        other = build(settings, DemoOrderSource(demo_store), refunds=SimulatedRefundGateway(), clock=clock)
        try:
            async with app.deps.uow() as first:  # worker A has selected (and locked) five, not yet committed
                mine = await first.work.claim_due_refunds(clock.now(), 5, settings.refund_lease)
                locked = {item.item_id for item in mine}
                claimed = {item.item_id for item in await claim_due(other.deps, WAITING)}  # worker B, meanwhile
            return locked, claimed
        finally:
            await other.close()

    locked, claimed = app.run(overlapping_claims())
    assert len(locked) == 5 and len(claimed) == WAITING - 5 and not locked & claimed
