"""Racing requests: never more units returned than shipped, never more money back than paid."""
from __future__ import annotations

import asyncio

import httpx

from documents import REQUEST_RETURN, RETURN_REQUESTS, line, request

RACERS = 20


async def _race(url: str, variables: dict, n: int = RACERS) -> list[dict]:
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        async def one() -> dict:
            response = await client.post("/graphql", json={"query": REQUEST_RETURN, "variables": variables})
            assert response.status_code == 200, response.text
            body = response.json()
            assert "errors" not in body, body
            return body["data"]["requestReturn"]
        return await asyncio.gather(*(one() for _ in range(n)))


def _returns_of(app, order_id: str) -> list[dict]:
    data = app.gql(RETURN_REQUESTS, {"filter": {"orderId": order_id}, "first": 100}, staff=True)
    return [e["node"] for e in data["returnRequests"]["edges"]]


def test_twenty_identical_keep_item_requests_make_one_return_and_one_refund(app):
    # given 20 shoppers' tabs fire the same keep-item return at once
    results = asyncio.run(_race(app.server.url, request("ORD-1002", "ben@example.com", line("L-1002-1"))))

    # then exactly one return was made and refunded; the others were told it is already returned
    made = [r for r in results if r["__typename"] == "ReturnRequested"]
    assert len(made) == 1 and made[0]["returnRequest"]["status"] == "REFUNDED"
    assert {r.get("code") for r in results if r["__typename"] == "ReturnError"} == {"ALREADY_RETURNED"}
    assert len(_returns_of(app, "ORD-1002")) == 1
    assert len([c for c in app.deps.refunds.default.refunds if c.order_id == "ORD-1002"]) == 1


def test_racing_requests_for_different_lines_never_refund_more_than_was_paid(app, gateway):
    # given the cable line (2 units) and the cover are requested many times at once, in every mix
    variants = [request("ORD-1002", "ben@example.com", line("L-1002-2", 1)),
                request("ORD-1002", "ben@example.com", line("L-1002-1"), line("L-1002-2", 2)),
                request("ORD-1002", "ben@example.com", line("L-1002-2", 2))]

    async def all_at_once() -> list[dict]:
        batches = await asyncio.gather(*(_race(app.server.url, v, 7) for v in variants))
        return [r for batch in batches for r in batch]

    asyncio.run(all_at_once())

    # then the units returned never exceed what shipped, and the refunds never exceed the charge
    returns = _returns_of(app, "ORD-1002")
    assert returns, "at least one request must win"
    paid = sum(c.amount.amount for c in gateway.refunds if c.order_id == "ORD-1002")
    order = app.run(app.deps.orders.get_order("ORD-1002"))
    assert paid <= order.charged.amount
    units = app.run(_units(app, "ORD-1002"))
    assert units.get("L-1002-1", 0) <= 1 and units.get("L-1002-2", 0) <= 2


async def _units(app, order_id: str) -> dict[str, int]:
    async with app.deps.uow(readonly=True) as tx:
        return await tx.returns.returned_units(app.deps.tenant, order_id)
