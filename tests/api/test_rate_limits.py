"""Issue 11: rate limits where guessing is possible, per client address (behind one proxy), per order, per token;
a 429 with Retry-After and a GraphQL-shaped error RATE_LIMITED. Counters in memory and in the database, where
every replica counts together."""
from __future__ import annotations

import asyncio
from dataclasses import replace

import httpx
import pytest
from limits import parse_many

from documents import ELIGIBILITY, ELIGIBILITY_BY_NUMBER, REQUEST_RETURN, RETURN_CHANNELS, line, request
from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.ratelimit.sql_storage import SqlCounterStorage
from saleor_returns.bootstrap import build
from saleor_returns.traffic_settings import RateLimits
from saleor_returns.web.rate_limits import Hit, RateLimited, RequestRateLimiter
from support.app_runner import running_app

LIMITS = RateLimits(lookups_per_address=tuple(parse_many("5/minute")),
                    lookups_per_order=tuple(parse_many("3/minute")),
                    requests_per_address=tuple(parse_many("4/minute")),
                    requests_per_order=tuple(parse_many("2/minute")),
                    per_token=tuple(parse_many("8/minute")))


@pytest.fixture(params=["memory", "database"])
def limited(request, settings, demo_store, demo_policies, gateway, clock):
    limited_settings = replace(settings, rate_limits=replace(LIMITS, storage=request.param))
    with running_app(limited_settings, demo_store, demo_policies, gateway, clock) as running:
        yield running


def post(app, query: str, variables: dict, *, client: str = "203.0.113.7", token: str | None = None
         ) -> httpx.Response:
    # the test server trusts 127.0.0.1 as its proxy (uvicorn's FORWARDED_ALLOW_IPS default): X-Forwarded-For
    # is the shopper's address, as behind a load balancer
    headers = {"x-forwarded-for": client}
    if token:
        headers["authorization"] = f"Bearer {token}"
    return httpx.post(f"{app.server.url}/graphql", json={"query": query, "variables": variables},
                      headers=headers, timeout=30)


def look_up(app, order: str, email: str = "ada@example.com", **kw) -> httpx.Response:
    return post(app, ELIGIBILITY, {"orderId": order, "email": email}, **kw)


def assert_limited(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    wait = int(response.headers["retry-after"])
    assert 1 <= wait <= 60
    [error] = response.json()["errors"]
    assert error["extensions"] == {"code": "RATE_LIMITED", "retryAfter": wait}
    assert f"{wait} seconds" in error["message"]
    return wait


def test_order_look_ups_are_limited_per_client_address(limited):
    # when one address tries five different orders (guessing order ids), each once
    for i in range(5):
        assert look_up(limited, f"ORD-{9000 + i}").status_code == 200
    # then the sixth is refused with a 429 and when to try again, whatever the order
    assert_limited(look_up(limited, "ORD-1001"))
    assert_limited(post(limited, ELIGIBILITY_BY_NUMBER, {"number": "1001", "email": "ada@example.com"}))
    # while another shopper behind the same proxy is not affected
    ok = look_up(limited, "ORD-1002", "ben@example.com", client="198.51.100.20")
    assert ok.status_code == 200 and ok.json()["data"]["orderReturnEligibility"]["__typename"] == \
        "OrderReturnEligibility"


def test_one_order_is_limited_whoever_asks(limited):
    # when three addresses each try an e-mail against the same order (guessing the e-mail)
    for i, email in enumerate(["a@example.com", "b@example.com", "c@example.com"]):
        assert look_up(limited, "ORD-1001", email, client=f"198.51.100.{i}").status_code == 200
    # then a fourth address is refused for that order, and still served for another
    assert_limited(look_up(limited, "ORD-1001", "ada@example.com", client="198.51.100.99"))
    assert look_up(limited, "ORD-1003", "cy@example.com", client="198.51.100.99").status_code == 200


def test_aliases_count_one_each(limited):
    many = "{" + " ".join(f'a{i}: orderReturnEligibility(orderId: "ORD-{9100 + i}") {{ __typename }}'
                          for i in range(6)) + "}"
    assert_limited(post(limited, many, {}))


def test_request_return_is_limited_per_order_and_address(limited):
    bad = request("ORD-1002", "ben@example.com", line("L-1002-1", reason="NOPE"))
    for i in range(2):
        response = post(limited, REQUEST_RETURN, bad, client=f"192.0.2.{i}")
        assert response.json()["data"]["requestReturn"]["code"] == "UNKNOWN_REASON"
    assert_limited(post(limited, REQUEST_RETURN, bad, client="192.0.2.50"))
    for i in range(4):  # other orders from one address: its own limit (4) ends it
        post(limited, REQUEST_RETURN, request(f"ORD-{9200 + i}", "x@example.com", line("L-1")), client="192.0.2.60")
    assert_limited(post(limited, REQUEST_RETURN, request("ORD-9300", "x@example.com", line("L-1")),
                        client="192.0.2.60"))


def test_staff_are_limited_per_token_and_not_per_address(limited):
    token = limited.deps.settings.admin_token
    # the store's staff may look up more orders than a shopper's address may ...
    for i in range(6):
        assert look_up(limited, f"ORD-{9400 + i}", token=token).status_code == 200
    # ... and everything they ask counts against their token (8 a minute here)
    assert [post(limited, RETURN_CHANNELS, {}, token=token).status_code for _ in range(2)] == [200, 200]
    assert_limited(post(limited, RETURN_CHANNELS, {}, token=token))
    # a made-up token has its own count, and is a shopper for the per-address limits
    assert post(limited, RETURN_CHANNELS, {}, token="made-up-token-0123456789").status_code == 200


def test_replicas_sharing_the_database_count_together(settings, demo_store):
    # two app processes (replicas) on one database: each its own engine, its own limiter, one set of counters
    async def scenario() -> list[bool]:
        wirings = [build(settings, DemoOrderSource(demo_store)) for _ in range(2)]
        limiters = [RequestRateLimiter(LIMITS, SqlCounterStorage(w.deps.uow)) for w in wirings]
        hit = [Hit("lookups_per_order", ("shared-order",))]
        answers = []
        try:
            for i in range(4):
                try:
                    await limiters[i % 2].check(hit)
                    answers.append(True)
                except RateLimited:
                    answers.append(False)
        finally:
            for w in wirings:
                await w.close()
        return answers

    assert asyncio.run(scenario()) == [True, True, True, False]  # 3/minute across both replicas
