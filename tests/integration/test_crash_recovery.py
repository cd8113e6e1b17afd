"""Self-healing after a crash: the demo's one process (API and worker) is killed with SIGKILL at each step of a
keep-item and a ship-back return while shoppers are at it, then started again. Every accepted return reaches
its end state with exactly one refund at Stripe and at most one label bought at EasyPost (both real HTTP peers
on loopback), and shoppers who retry are told their return exists instead of making a second one.

The kill is armed inside the process (tests/support/crash_server.py): on the 4th call of a step, before the
provider is called (the intent is saved, the provider knows nothing) or after it answered (the provider did it,
we never saved that). The restarted process runs its clock 10 minutes ahead, so in-flight leases are over."""
from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from saleor_returns.adapters.db.engine import make_engine, make_sessionmaker
from saleor_returns.adapters.db.models import LabelRow, RefundRow, ReturnRow
from support.fake_easypost import API_KEY as EASYPOST_KEY
from support.fake_easypost import FakeEasyPost
from support.fake_stripe import FakeStripe
from support.server import ServerThread, free_port

ROOT = Path(__file__).resolve().parents[2]
SHOPPERS = 10  # returns in flight together when the process dies
KILL_ON = 4  # the n-th call of the step
ADMIN = "crash-admin-token-0123456789"

REQUEST_RETURN = """mutation($input: RequestReturnInput!) { requestReturn(input: $input) { __typename
  ... on ReturnRequested { returnRequest { id number status } } ... on ReturnError { code message } } }"""
MARK_RECEIVED = """mutation($id: ID!) { markReturnReceived(id: $id) { __typename
  ... on ReturnUpdated { returnRequest { status } } ... on ReturnError { code message } } }"""

ADDRESS = {"name": "Returns Department", "street": "1 Warehouse Way", "city": "Newark", "countryArea": "NJ",
           "postalCode": "07105", "country": "US"}


def _orders(keep: list[str], ship: list[str]) -> dict[str, Any]:
    """Cheap orders (10.00: keep-item under the demo policy) and dear ones (250.00: shipped back), one per
    payment intent, each its own shopper."""
    def order(kind: str, i: int, pi: str, amount: str) -> dict[str, Any]:
        return {"id": f"ORD-{kind}{i}", "number": f"{kind}{i}", "channel": "default-channel", "currency": "USD",
                "createdAt": "-3d", "userEmail": f"{kind.lower()}{i}@example.com", "shippingPriceGross": "0.00",
                "shippingAddress": {**ADDRESS, "name": f"Shopper {kind}{i}", "street": f"{i} Main St",
                                    "city": "Brooklyn", "countryArea": "NY", "postalCode": "11201"},
                "lines": [{"id": f"L-{kind}{i}", "productName": "Item", "sku": f"SKU-{kind}", "product": "item",
                           "productType": "Goods", "category": "Goods", "quantity": 1, "unitPriceGross": amount}],
                "fulfillments": [{"id": f"F-{kind}{i}", "createdAt": "-2d",
                                  "lines": [{"orderLineId": f"L-{kind}{i}", "quantity": 1}]}],
                "payments": [{"pspReference": pi, "gateway": "stripe", "chargedAmount": amount}]}

    return {"channels": [{"slug": "default-channel", "currency": "USD", "timezone": "America/New_York",
                          "returnAddress": ADDRESS}],
            "orders": [order("K", i, pi, "10.00") for i, pi in enumerate(keep)]
            + [order("S", i, pi, "250.00") for i, pi in enumerate(ship)]}


class Shop:
    """The fakes, the orders file and the process, started and killed as the test says."""

    def __init__(self, settings, tmp: Path, stripe: FakeStripe, easypost: FakeEasyPost) -> None:
        self.stripe, self.easypost = stripe, easypost
        self.keep = [stripe.add_payment_intent(1000, "usd") for _ in range(SHOPPERS)]
        self.ship = [stripe.add_payment_intent(25000, "usd") for _ in range(SHOPPERS)]
        orders = tmp / "orders.json"
        orders.write_text(json.dumps(_orders(self.keep, self.ship)))
        self.db = settings.database_url
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "DATABASE_URL": self.db, "RETURNS_TENANT": "demo", "PORT": str(self.port),
                    "RETURNS_ORDERS_FILE": str(orders), "RETURNS_POLICY_FILE": str(ROOT / "examples" / "policy.json"),
                    "RETURNS_ADMIN_TOKEN": ADMIN, "RETURNS_SECRET_KEY": "crash-test-secret-0123456789abcdef",
                    "RETURNS_REFUND_GATEWAY": "stripe", "STRIPE_API_KEY": stripe.api_key, "STRIPE_API_BASE": stripe.url,
                    "STRIPE_WEBHOOK_SECRET": stripe.webhook_secret, "RETURNS_LABEL_CARRIER": "easypost",
                    "EASYPOST_API_KEY": EASYPOST_KEY, "EASYPOST_API_BASE": easypost.api_base,
                    "RETURNS_REFUND_LEASE": "1s", "RETURNS_LOG_FORMAT": "text", "RETURNS_LOG_LEVEL": "ERROR",
                    "PYTHONPATH": os.pathsep.join([str(ROOT / "plugin"), str(ROOT / "tests")])}
        self.proc: subprocess.Popen | None = None

    def start(self, crash_at: str = "", ahead_seconds: int = 0) -> None:
        env = {**self.env, "CRASH_AT": crash_at, "CLOCK_OFFSET_SECONDS": str(ahead_seconds)}
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "support" / "crash_server.py")], env=env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "the process exited while starting"
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("the process did not start")

    def died_of_sigkill(self) -> bool:
        assert self.proc is not None
        return self.proc.wait(30) == -signal.SIGKILL

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def all_at_once(self, query: str, variables: list[dict], staff: bool = False) -> list[dict | None]:
        """Every request at the same moment; None for the ones the process died on."""
        headers = {"authorization": f"Bearer {ADMIN}"} if staff else {}

        async def one(client: httpx.AsyncClient, v: dict) -> dict | None:
            try:
                r = await client.post("/graphql", json={"query": query, "variables": v}, headers=headers)
                return next(iter(r.json()["data"].values()))
            except (httpx.HTTPError, ValueError, KeyError, TypeError):
                return None

        async def go() -> list[dict | None]:
            async with httpx.AsyncClient(base_url=self.url, timeout=60) as client:
                return list(await asyncio.gather(*(one(client, v) for v in variables)))
        return asyncio.run(go())

    def rows(self) -> list[tuple[ReturnRow, list[RefundRow], list[LabelRow]]]:
        async def read() -> list:
            engine = make_engine(self.db)
            try:
                async with make_sessionmaker(engine)() as session:
                    returns = (await session.execute(select(ReturnRow).order_by(ReturnRow.seq))).scalars().all()
                    out = []
                    for ret in returns:
                        refunds = (await session.execute(select(RefundRow).where(
                            RefundRow.return_seq == ret.seq))).scalars().all()
                        labels = (await session.execute(select(LabelRow).where(
                            LabelRow.return_seq == ret.seq))).scalars().all()
                        out.append((ret, list(refunds), list(labels)))
                    return out
            finally:
                await engine.dispose()
        return asyncio.run(read())

    def settle(self, done, seconds: float = 90) -> list:
        """Wait until `done(rows)` holds (the in-process worker finishes what the crash left)."""
        deadline = time.monotonic() + seconds
        while True:
            rows = self.rows()
            if done(rows) or time.monotonic() > deadline:
                return rows
            time.sleep(0.5)


def _request(kind: str, i: int) -> dict:
    return {"input": {"orderId": f"ORD-{kind}{i}", "email": f"{kind.lower()}{i}@example.com",
                      "lines": [{"orderLineId": f"L-{kind}{i}", "quantity": 1, "reason": "DOES_NOT_FIT"}]}}


@pytest.fixture
def shop(settings, tmp_path, fake_stripe: FakeStripe):
    easypost = FakeEasyPost()
    server = ServerThread(easypost.app).start()
    easypost.base_url = server.url
    shop = Shop(settings, tmp_path, fake_stripe, easypost)
    try:
        yield shop
    finally:
        shop.stop()
        server.stop()


def _shoppers_crash_then_retry(shop: Shop, kind: str, crash_at: str) -> list[dict | None]:
    shop.start(crash_at)
    first = shop.all_at_once(REQUEST_RETURN, [_request(kind, i) for i in range(SHOPPERS)])
    assert shop.died_of_sigkill(), "the trap did not fire"
    assert None in first  # some shoppers were in flight when it died
    shop.start(ahead_seconds=600)
    # the shoppers who saw an error try again: each is told the return exists, or makes it now
    again = shop.all_at_once(REQUEST_RETURN, [_request(kind, i) for i, r in enumerate(first) if r is None])
    assert all(r is not None and (r["__typename"] == "ReturnRequested" or r["code"] == "ALREADY_RETURNED")
               for r in again), again
    return first


@pytest.mark.parametrize("crash_at", ["refund:before", "refund:after"])
def test_keep_item_returns_killed_at_the_refund_end_refunded_once(shop: Shop, crash_at: str):
    _shoppers_crash_then_retry(shop, "K", f"{crash_at}:{KILL_ON}")

    rows = shop.settle(lambda rows: len(rows) == SHOPPERS and all(r.status == "REFUNDED" for r, _, _ in rows))

    # then every shopper has one return, refunded once here and once at Stripe
    assert sorted(r.order_id for r, _, _ in rows) == sorted(f"ORD-K{i}" for i in range(SHOPPERS))
    for ret, refunds, _ in rows:
        assert ret.status == "REFUNDED", (ret.number, ret.status, [f.status for f in refunds])
        [refund] = refunds
        assert refund.status == "SUCCEEDED"
        [paid] = shop.stripe.refunds_of(refund.payment_reference)
        assert (paid["id"], paid["amount"]) == (refund.psp_reference, 1000)


@pytest.mark.parametrize("crash_at", ["label:before", "label:after"])
def test_ship_back_returns_killed_at_the_label_get_one_label_each(shop: Shop, crash_at: str):
    _shoppers_crash_then_retry(shop, "S", f"{crash_at}:{KILL_ON}")

    rows = shop.settle(lambda rows: len(rows) == SHOPPERS and all(
        r.status == "LABEL_ISSUED" for r, _, _ in rows))

    # then every return has its label, bought once at EasyPost; none is refunded before it comes back
    assert sorted(r.order_id for r, _, _ in rows) == sorted(f"ORD-S{i}" for i in range(SHOPPERS))
    for ret, refunds, labels in rows:
        assert ret.status == "LABEL_ISSUED", (ret.number, ret.status, [(x.status, x.error_code) for x in labels])
        assert [x.status for x in labels] == ["ISSUED"] and refunds == []
    bought = Counter(shop.easypost.shipments[s]["reference"] for s, n in shop.easypost.buys.items() for _ in range(n))
    assert shop.easypost.total_buys == SHOPPERS and max(bought.values()) == 1, bought
    assert {x.tracking_number for _, _, [x] in rows} == {
        shop.easypost.shipments[s]["tracking_code"] for s in shop.easypost.buys}


@pytest.mark.parametrize("crash_at", ["refund:before", "refund:after"])
def test_received_returns_killed_at_the_refund_end_refunded_once(shop: Shop, crash_at: str):
    # given every ship-back return has its label (no crash)
    shop.start()
    made = shop.all_at_once(REQUEST_RETURN, [_request("S", i) for i in range(SHOPPERS)])
    ids = [r["returnRequest"]["id"] for r in made if r and r["__typename"] == "ReturnRequested"]
    assert len(ids) == SHOPPERS
    shop.stop()

    # when staff mark them all received at once and the process dies on the 4th refund
    shop.start(f"{crash_at}:{KILL_ON}")
    first = shop.all_at_once(MARK_RECEIVED, [{"id": i} for i in ids], staff=True)
    assert shop.died_of_sigkill() and None in first
    shop.start(ahead_seconds=600)
    again = shop.all_at_once(MARK_RECEIVED, [{"id": i} for i, r in zip(ids, first, strict=True) if r is None],
                             staff=True)
    assert all(r is not None for r in again), again

    rows = shop.settle(lambda rows: all(r.status == "REFUNDED" for r, _, _ in rows))

    # then each is refunded exactly once, here and at Stripe
    for ret, refunds, labels in rows:
        assert ret.status == "REFUNDED", (ret.number, ret.status, [f.status for f in refunds])
        [refund] = refunds
        assert refund.status == "SUCCEEDED" and len(labels) == 1
        [paid] = shop.stripe.refunds_of(refund.payment_reference)
        assert (paid["id"], paid["amount"]) == (refund.psp_reference, 25000)
