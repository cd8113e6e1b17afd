"""Two approvals by one staff member at the same moment never spend more goodwill than the day's budget.

Both approvals read what was spent today before either writes (support/interleave.py), unless the goodwill
lock (`lock_key("goodwill:<staff>")`; on SQLite also BEGIN IMMEDIATE) keeps the second out: without the lock
the test fails on every run, not now and then."""
from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest

from documents import APPROVE, REQUEST_RETURN, UPDATE_POLICY, line, request
from saleor_returns.adapters.db.records import SqlGoodwill
from saleor_returns.domain.money import Money
from saleor_returns.settings import Settings
from support.constants import ADMIN_TOKEN
from support.interleave import ReadBarrier, hold_after


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, goodwill_daily=(Money.of("1500.00", "USD"),))


async def _approve_both(url: str, ids: list[str]) -> list[dict]:
    async with httpx.AsyncClient(base_url=url, timeout=60,
                                 headers={"authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        async def one(rid: str) -> dict:
            body = {"query": APPROVE, "variables": {"id": rid, "resolution": "KEEP_ITEM"}}
            response = await client.post("/graphql", json=body)
            return response.json()["data"]["approveReturn"]
        return list(await asyncio.gather(*(one(rid) for rid in ids)))


def test_racing_approvals_never_overspend_the_budget(app, gateway, monkeypatch):
    # given grace returns go to review, so the late laptop (1299.00) and the espresso exception (449.00)
    # both wait for staff: each fits a 1500.00 budget, both together do not
    policy = {"windowDays": 30, "graceDays": 3, "graceMode": "REVIEW", "refundTiming": "ON_RECEIPT",
              "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]}
    app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": policy}, staff=True)
    laptop = app.gql(REQUEST_RETURN, request("ORD-1001", "ada@example.com", line("L-1001-1")))
    espresso = app.gql(REQUEST_RETURN, request("ORD-1005", "eve@example.com", line("L-1005-1"), exception=True))
    ids = [laptop["requestReturn"]["returnRequest"]["id"], espresso["requestReturn"]["returnRequest"]["id"]]

    # when the same staff member approves both as keep-the-item at the same moment, each reading today's
    # spending before the other writes unless the lock holds it back
    barrier = hold_after(monkeypatch, SqlGoodwill, "spent", ReadBarrier(parties=2))
    results = asyncio.run(_approve_both(app.server.url, ids))

    # then exactly one goes through and the other is refused for the budget; money follows the winner only
    kinds = sorted(r["__typename"] for r in results)
    assert kinds == ["ReturnError", "ReturnUpdated"]
    assert next(r for r in results if r["__typename"] == "ReturnError")["code"] == "GOODWILL_BUDGET_EXCEEDED"
    paid = sum(c.amount.amount for c in gateway.refunds if c.order_id in ("ORD-1001", "ORD-1005"))
    assert paid <= 1500
    # and the lock, not luck, kept them apart: the first reader went on alone
    assert len(barrier.reads) == 2 and barrier.timed_out == 1
