"""A storefront asks Saleor's graph, through a gateway, what each of its orders can return and which returns it
made: one query, Saleor's subgraph (the fake Saleor) and ours behind an Apollo Gateway on loopback."""
from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.demo.orders_file import load_demo_store
from saleor_returns.settings import Settings
from support.clock import FrozenClock
from support.constants import ADMIN_TOKEN, EXAMPLES
from support.fake_saleor import FakeSaleor, ReturnsApp, gid
from support.federation import MY_ORDERS, Gateway, gateway

ENTITIES = """query($reps: [_Any!]!) { _entities(representations: $reps) { ... on Order { id
  returnEligibility { __typename ... on OrderReturnEligibility { orderNumber } ... on ReturnError { code } }
  returnRequests { __typename ... on OrderReturnRequests { items { number customerEmail } }
    ... on ReturnError { code } } } } }"""
REQUEST_RETURN = """mutation($input: RequestReturnInput!) { requestReturn(input: $input) { __typename
  ... on ReturnRequested { returnRequest { number status resolution } } ... on ReturnError { code message } } }"""
UPDATE_POLICY = """mutation($channel: String!, $input: ReturnPolicyInput!) { updateReturnPolicy(channel: $channel,
  input: $input) { __typename } }"""
KEEP_UP_TO_25 = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
                 "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]}
COVER = {"name": "Laptop cover", "sku": "COV-14", "qty": 1, "price": "19.00", "type": "Accessories",
         "category": "Covers", "slug": "laptop-cover"}
LAPTOP = {"name": "Laptop 14", "sku": "LAP-14", "qty": 1, "price": "1299.00", "type": "Electronics",
          "category": "Laptops", "slug": "laptop-14"}


@dataclass
class Store:
    """One Saleor (the fake) with the app installed, and a gateway in front of both, shared by this module's
    tests: starting the gateway composes Saleor's whole schema, which takes a while. Each test has its own
    shoppers, so what one test makes no other sees."""

    fake: FakeSaleor
    app: ReturnsApp
    gateway: Gateway
    clock: FrozenClock
    _users: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def shopper(self, name: str) -> tuple[str, str]:
        """A new customer: (e-mail, Saleor user id)."""
        n = next(self._users)
        return f"{name}.{n}@example.com", gid("User", n)


@pytest.fixture(scope="module")
def store(database_url) -> Iterator[Store]:
    clock = FrozenClock()
    settings = Settings(database_url=database_url, admin_token=ADMIN_TOKEN, secret_key="test-secret-key",
                        tenant="demo", refund_gateway="saleor")
    fake = FakeSaleor().start()
    fake.add_channel("default-channel", "USD", timezone="America/New_York")
    app = ReturnsApp(settings, DemoOrderSource(load_demo_store(EXAMPLES / "demo-orders.json", clock.now())), clock)
    try:
        staff = fake.dashboard_token(fake.install(f"{app.url}/api/manifest").id)
        assert app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": KEEP_UP_TO_25},
                       token=staff)["data"]["updateReturnPolicy"]["__typename"] == "ReturnPolicy"
        with gateway({"saleor": fake.api_url, "returns": f"{app.url}/graphql/federated"}) as running:
            yield Store(fake, app, running, clock)
    finally:
        app.close()
        fake.stop()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def keep_the_cover(store: Store, order: dict, token: str) -> dict:
    """The shopper returns the cover through our API: refunded at once, they keep it."""
    made = store.app.gql(REQUEST_RETURN, {"input": {"orderId": order["id"], "lines": [
        {"orderLineId": order["lines"][0]["id"], "quantity": 1, "reason": "DOES_NOT_FIT"}]}}, token=token)
    ret: dict = made["data"]["requestReturn"]["returnRequest"]
    assert ret["resolution"] == "KEEP_ITEM", made
    return ret


def test_a_shopper_sees_what_each_of_their_orders_can_return_and_their_returns_in_one_query(store):
    # given Ada's two orders (a cover five days ago, a laptop forty days ago) and Ben's laptop
    fake, now = store.fake, store.clock.now()
    ada, ben = store.shopper("ada"), store.shopper("ben")
    cover = fake.add_order(email=ada[0], user_id=ada[1], lines=[COVER], shipped_at=now - timedelta(days=5))
    laptop = fake.add_order(email=ada[0], user_id=ada[1], lines=[LAPTOP], shipped_at=now - timedelta(days=40))
    fake.add_order(email=ben[0], user_id=ben[1], lines=[LAPTOP], shipped_at=now - timedelta(days=2))
    token = fake.customer_token(*ada)
    # and Ada already returned the cover
    ret = keep_the_cover(store, cover, token)

    # when her storefront asks Saleor's graph for her orders, through the gateway, with her token
    body = store.gateway.query(MY_ORDERS, headers=bearer(token))

    # then Saleor answers her orders and our subgraph what each can return and the returns made
    assert "errors" not in body, body
    me = body["data"]["me"]
    assert me["email"] == ada[0]
    nodes = {n["number"]: n for n in (e["node"] for e in me["orders"]["edges"])}
    assert set(nodes) == {cover["number"], laptop["number"]}
    cover_node, laptop_node = nodes[cover["number"]], nodes[laptop["number"]]
    # the cover went back already: nothing left to return, and its return is listed
    assert cover_node["returnEligibility"]["orderNumber"] == cover["number"]
    assert [(x["productName"], x["eligible"], x["quantityReturnable"], x["codes"])
            for x in cover_node["returnEligibility"]["lines"]] == [("Laptop cover", False, 0, ["ALREADY_RETURNED"])]
    assert cover_node["returnRequests"] == {"__typename": "OrderReturnRequests", "items": [
        {"number": ret["number"], "status": ret["status"], "resolution": "KEEP_ITEM",
         "refundTotal": {"amount": "19.00", "currency": "USD"},
         "lines": [{"productName": "Laptop cover", "quantity": 1}]}]}
    # the laptop is past the 30-day window and the 3 grace days: not returnable, with the code that says so
    eligibility = laptop_node["returnEligibility"]
    assert eligibility["timezone"] == "America/New_York"
    assert [(x["productName"], x["eligible"], x["codes"]) for x in eligibility["lines"]] == [
        ("Laptop 14", False, ["WINDOW_EXPIRED"])]
    assert eligibility["lines"][0]["unitRefund"] == {"amount": "1299.00", "currency": "USD"}
    assert laptop_node["returnRequests"] == {"__typename": "OrderReturnRequests", "items": []}


def test_another_shopper_sees_only_their_own_orders_and_none_of_the_first_ones_returns(store):
    # given Ada's cover, returned, and Ben's laptop
    fake, now = store.fake, store.clock.now()
    ada, ben = store.shopper("ada"), store.shopper("ben")
    cover = fake.add_order(email=ada[0], user_id=ada[1], lines=[COVER], shipped_at=now - timedelta(days=5))
    bens = fake.add_order(email=ben[0], user_id=ben[1], lines=[LAPTOP], shipped_at=now - timedelta(days=2))
    ada_return = keep_the_cover(store, cover, fake.customer_token(*ada))["number"]
    token = fake.customer_token(*ben)

    # when Ben's storefront asks for his orders through the gateway
    body = store.gateway.query(MY_ORDERS, headers=bearer(token))

    # then he sees his laptop, returnable, and nothing of Ada's
    assert "errors" not in body, body
    [node] = [e["node"] for e in body["data"]["me"]["orders"]["edges"]]
    assert node["number"] == bens["number"]
    assert [(x["productName"], x["eligible"]) for x in node["returnEligibility"]["lines"]] == [("Laptop 14", True)]
    text = json.dumps(body)
    assert ada_return not in text and ada[0] not in text and cover["number"] not in text

    # when a client asks our subgraph directly for Ada's order as Ben (what no gateway plan would do)
    direct = store.app.http.post("/graphql/federated", headers=bearer(token), json={
        "query": ENTITIES, "variables": {"reps": [{"__typename": "Order", "id": cover["id"]},
                                                  {"__typename": "Order", "id": bens["id"]}]}}).json()

    # then Ada's order is an error result, Ben's is his, and no return of Ada's is in the answer
    assert "errors" not in direct, direct
    adas, his = direct["data"]["_entities"]
    assert adas["returnEligibility"] == {"__typename": "ReturnError", "code": "ORDER_NOT_FOUND"}
    assert adas["returnRequests"] == {"__typename": "ReturnError", "code": "ORDER_NOT_FOUND"}
    assert his["returnEligibility"] == {"__typename": "OrderReturnEligibility", "orderNumber": bens["number"]}
    assert ada_return not in json.dumps(direct)


def test_a_guest_or_a_refused_token_gets_error_results_not_orders(store):
    # given Ada's returned cover
    fake, ada = store.fake, store.shopper("ada")
    cover = fake.add_order(email=ada[0], user_id=ada[1], lines=[COVER],
                           shipped_at=store.clock.now() - timedelta(days=5))
    keep_the_cover(store, cover, fake.customer_token(*ada))
    reps = {"reps": [{"__typename": "Order", "id": cover["id"]}]}

    # when our subgraph is asked for it by a guest of the store (no token), and with her expired token
    guest = store.app.http.post("/graphql/federated", headers={"Saleor-Api-Url": fake.api_url},
                                json={"query": ENTITIES, "variables": reps}).json()
    expired = store.app.http.post("/graphql/federated", headers=bearer(fake.customer_token(*ada, expires_in=-60)),
                                  json={"query": ENTITIES, "variables": reps}).json()

    # then the guest finds no order (ORDER_NOT_FOUND) and the refused token is told FORBIDDEN, with no return
    [as_guest], [as_expired] = guest["data"]["_entities"], expired["data"]["_entities"]
    assert as_guest["returnEligibility"] == as_guest["returnRequests"] == {"__typename": "ReturnError",
                                                                           "code": "ORDER_NOT_FOUND"}
    assert as_expired["returnEligibility"] == as_expired["returnRequests"] == {"__typename": "ReturnError",
                                                                               "code": "FORBIDDEN"}


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the block runs."""
    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        sent.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


def reads(sent: list[str]) -> list[str]:
    """The statements that read (transaction control such as SQLite's BEGIN left out, and the rate limiter's own
    counter, which PostgreSQL deployments keep in the database for every replica: one per request, whatever it
    asks; tests/api/test_rate_limits.py)."""
    return [s for s in sent if not s.upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))
            and "rate_limit_counters" not in s]


def test_ten_orders_cost_one_saleor_read_and_one_database_round_trip_per_question_like_one_order(store):
    # given Cleo with one order, and Dan with ten, two of them with a return already
    fake, now = store.fake, store.clock.now()
    cleo, dan = store.shopper("cleo"), store.shopper("dan")
    fake.add_order(email=cleo[0], user_id=cleo[1], lines=[COVER], shipped_at=now - timedelta(days=3))
    dans = [fake.add_order(email=dan[0], user_id=dan[1], lines=[COVER, LAPTOP], shipped_at=now - timedelta(days=d))
            for d in range(1, 11)]
    tokens = {"cleo": fake.customer_token(*cleo), "dan": fake.customer_token(*dan)}
    for order in dans[:2]:
        keep_the_cover(store, order, tokens["dan"])
    for token in tokens.values():  # who the tokens name is then known (the store's keys are read once)
        assert "errors" not in store.gateway.query(MY_ORDERS, headers=bearer(token))

    # when each asks for their orders' eligibility and returns through the gateway
    counted = {}
    for name, token in tokens.items():
        before = len(fake.calls)
        with statements(store.app.wiring.engine) as sent:
            body = store.gateway.query(MY_ORDERS, headers=bearer(token))
        ours = [c for c in fake.calls[before:] if not c.startswith("MyOrders__")]  # the gateway's own are its
        counted[name] = (len(body["data"]["me"]["orders"]["edges"]), ours, reads(sent))

    # then one order and ten cost the same: one read of Saleor, and two statements (the orders' returns with
    # their lines, refunds, labels and events; the newest policy of their channel), not ten of each
    for name, (_, saleor_calls, sql) in counted.items():
        assert saleor_calls == ["ReturnsOrders"], (name, saleor_calls)
        assert len(sql) == 2, (name, sql)
        assert "FROM returns" in sql[0] and "FROM policy_versions" in sql[1], sql
    assert (counted["cleo"][0], counted["dan"][0]) == (1, 10)
    # and every one of Dan's ten orders got its own answer: two covers returned, eight still returnable
    nodes = [e["node"] for e in body["data"]["me"]["orders"]["edges"]]
    codes = sorted(tuple(x["codes"]) for n in nodes for x in n["returnEligibility"]["lines"]
                   if x["productName"] == "Laptop cover")
    assert codes == [()] * 8 + [("ALREADY_RETURNED",)] * 2
    assert sorted(len(n["returnRequests"]["items"]) for n in nodes) == [0] * 8 + [1] * 2


def test_a_store_that_cannot_be_read_answers_upstream_unavailable_for_each_order(store):
    # given Ada's two orders, and a Saleor that answers 503 to every attempt of the next read
    fake, ada = store.fake, store.shopper("ada")
    orders = [fake.add_order(email=ada[0], user_id=ada[1], lines=[COVER],
                             shipped_at=store.clock.now() - timedelta(days=d)) for d in (2, 3)]
    token = fake.customer_token(*ada)
    assert "errors" not in store.gateway.query(MY_ORDERS, headers=bearer(token))  # her token is known
    fake.fail_next = [503] * 3  # the first try and both retries

    # when the subgraph is asked for both
    body = store.app.http.post("/graphql/federated", headers=bearer(token), json={
        "query": ENTITIES, "variables": {"reps": [{"__typename": "Order", "id": o["id"]} for o in orders]}}).json()

    # then each says the store cannot be reached right now, as data, and nothing else is claimed
    assert "errors" not in body, body
    assert [(e["returnEligibility"], e["returnRequests"]) for e in body["data"]["_entities"]] == [
        ({"__typename": "ReturnError", "code": "UPSTREAM_UNAVAILABLE"},
         {"__typename": "ReturnError", "code": "UPSTREAM_UNAVAILABLE"})] * 2
    assert fake.fail_next == []


def test_the_fake_saleor_resolves_order_entities_only_for_callers_who_may_see_them(store):
    # given Ada's order and Ben's (the fake stands in for Saleor's _entities: a customer's own orders,
    # every order for an app with MANAGE_ORDERS, none for anyone else)
    fake = store.fake
    ada, ben = store.shopper("ada"), store.shopper("ben")
    adas = fake.add_order(email=ada[0], user_id=ada[1], lines=[COVER], shipped_at=store.clock.now())
    bens = fake.add_order(email=ben[0], user_id=ben[1], lines=[COVER], shipped_at=store.clock.now())
    query = {"query": "query Entities($r: [_Any!]!) { _entities(representations: $r) { ... on Order { number } } }",
             "variables": {"r": [{"__typename": "Order", "id": o["id"]} for o in (adas, bens)]}}

    def ask(token: str | None) -> list:
        headers = bearer(token) if token else {}
        return httpx.post(fake.api_url, json=query, headers=headers, timeout=30).json()["data"]["_entities"]

    # then Ada gets hers only, an app with MANAGE_ORDERS both, a caller without a token neither
    assert ask(fake.customer_token(*ada)) == [{"number": adas["number"]}, None]
    assert ask(fake.add_app().token) == [{"number": adas["number"]}, {"number": bens["number"]}]
    assert ask(None) == [None, None]
