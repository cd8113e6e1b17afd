"""Two staff saving a channel's policy at the same moment both get their version, numbered one after the other.

Both saves read the current version before either writes (support/interleave.py), unless the policy lock
(`lock_key("policy:<channel>")`; on SQLite also BEGIN IMMEDIATE) keeps the second out: without the lock the
second save collides on the version number on every run."""
from __future__ import annotations

import asyncio

import httpx

from documents import POLICY, UPDATE_POLICY
from saleor_returns.adapters.db.records import SqlPolicies
from support.constants import ADMIN_TOKEN
from support.interleave import ReadBarrier, hold_after

BASE = {"graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
        "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]}
CHANGES = [{**BASE, "windowDays": 45}, {**BASE, "windowDays": 60}]


async def _save_both(url: str) -> list[dict]:
    async with httpx.AsyncClient(base_url=url, timeout=60,
                                 headers={"authorization": f"Bearer {ADMIN_TOKEN}"}) as client:
        async def one(change: dict) -> dict:
            body = {"query": UPDATE_POLICY, "variables": {"channel": "default-channel", "input": change}}
            response = await client.post("/graphql", json=body)
            assert response.status_code == 200, response.text
            return response.json()
        return list(await asyncio.gather(*(one(change) for change in CHANGES)))


def test_racing_policy_saves_both_get_a_version_one_after_the_other(app, monkeypatch):
    # given the demo channel's policy is at version 1
    assert app.gql(POLICY, {"channel": "default-channel"}, staff=True)["returnPolicy"]["version"] == 1

    # when two staff members save a change at the same moment, each reading the current version before the
    # other writes unless the lock holds it back
    barrier = hold_after(monkeypatch, SqlPolicies, "latest", ReadBarrier(parties=2))
    results = asyncio.run(_save_both(app.server.url))

    # then both saves went through, as versions 2 and 3, and the latest is the one saved last
    assert all("errors" not in r for r in results), results
    saved = [r["data"]["updateReturnPolicy"] for r in results]
    assert sorted(s["version"] for s in saved) == [2, 3], saved
    latest = app.gql(POLICY, {"channel": "default-channel"}, staff=True)["returnPolicy"]
    assert (latest["version"], latest["windowDays"]) == (3, next(s["windowDays"] for s in saved if s["version"] == 3))
    # and the lock, not luck, kept them apart: the first reader went on alone
    assert barrier.timed_out == 1
