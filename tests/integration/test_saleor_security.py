"""Who may do what with a Saleor store's returns: wrong tokens, forged or replayed webhooks and unwanted
installs are refused with a code, and nothing changes (no return, no refund, no write in Saleor)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from sqlalchemy import func, select

from saleor_returns.adapters.db.models import RefundRow, ReturnRow, SaleorInstallationRow
from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.saleor_settings import SaleorSettings
from support.fake_saleor import FakeSaleor, InstallFailed, ReturnsApp, SigningKey, gid

REQUEST_RETURN = """mutation($input: RequestReturnInput!) { requestReturn(input: $input) { __typename
  ... on ReturnRequested { returnRequest { id number status refunds { status pspReference } } }
  ... on ReturnError { code message } } }"""
UPDATE_POLICY = """mutation($channel: String!, $input: ReturnPolicyInput!) { updateReturnPolicy(channel: $channel,
  input: $input) { __typename ... on ReturnPolicy { version } ... on ReturnError { code message } } }"""
POLICY = "query($channel: String!) { returnPolicy(channel: $channel) { version keepItemThresholds { amount } } }"
RETURN_STATUS = "query($id: ID!) { returnRequest(id: $id) { status refunds { status } events { type } } }"
KEEP_UP_TO_25 = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
                 "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]}
KEEP_UP_TO_500 = {**KEEP_UP_TO_25, "keepItemThresholds": [{"amount": "500.00", "currency": "USD"}]}
COVER = {"name": "Laptop cover", "sku": "COV-14", "qty": 1, "price": "19.00"}
BEN, BEN_ID = "ben@example.com", "VXNlcjox"


@dataclass
class Store:
    fake: FakeSaleor
    app: ReturnsApp
    app_id: str
    staff: str
    order: dict[str, Any]

    def request_return(self, token: str | None = None, headers: dict[str, str] | None = None,
                       email: str | None = None) -> dict[str, Any]:
        variables = {"input": {"orderId": self.order["id"], "email": email, "lines": [
            {"orderLineId": self.order["lines"][0]["id"], "quantity": 1, "reason": "DOES_NOT_FIT"}]}}
        return self.app.gql(REQUEST_RETURN, variables, token=token, headers=headers)

    def counts(self) -> tuple[Any, ...]:
        """Everything a refused request must leave as it was."""
        rows = self.app.run(_counts(self.app))
        order = self.order
        return (*rows, len(order["grantedRefunds"]), len(order["events"]), dict(order["_private"]),
                [g["status"] for g in order["grantedRefunds"]], len(self.fake.calls_of("Mutation")))


async def _counts(app: ReturnsApp) -> tuple[int, int, int]:
    async with app.deps.uow(readonly=True) as tx:
        returns = (await tx.session.execute(select(func.count()).select_from(ReturnRow))).scalar_one()
        refunds = (await tx.session.execute(select(func.count()).select_from(RefundRow))).scalar_one()
        active = (await tx.session.execute(select(func.count()).select_from(SaleorInstallationRow)
                                           .where(SaleorInstallationRow.active.is_(True)))).scalar_one()
    return returns, refunds, active


@pytest.fixture
def store(settings, demo_store, clock) -> Iterator[Store]:
    fake = FakeSaleor().start()
    fake.add_channel("default-channel", "USD")
    app = ReturnsApp(replace(settings, refund_gateway="saleor"), DemoOrderSource(demo_store), clock)
    try:
        saleor_app = fake.install(f"{app.url}/api/manifest")
        staff = fake.dashboard_token(saleor_app.id)
        assert app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": KEEP_UP_TO_25},
                       token=staff)["data"]["updateReturnPolicy"]["version"] == 1
        order = fake.add_order(email=BEN, user_id=BEN_ID, lines=[COVER], shipped_at=clock.now() - timedelta(days=5))
        yield Store(fake, app, saleor_app.id, staff, order)
    finally:
        app.close()
        fake.stop()


def _calls_of(self: FakeSaleor, kind: str) -> list[str]:
    mutations = {"ReturnProducts", "ReturnProductsWithoutReasons", "OrderNoteAdd", "UpdateOrderPrivateMetadata",
                 "GrantRefund", "RequestGrantedRefund"}
    return [c for c in self.calls if (c in mutations) == (kind == "Mutation")]


FakeSaleor.calls_of = _calls_of  # type: ignore[attr-defined]


def _forged(fake: FakeSaleor, kid: str | None = None) -> str:
    """A customer token for Ben signed by a key the store does not have."""
    other = SigningKey()
    if kid:
        other.kid = kid
    return fake.customer_token(BEN, BEN_ID, key=other)


def _cut(token: str) -> str:
    return token.rsplit(".", 1)[0] + "."


def _garbled(token: str) -> str:
    head, claims, signature = token.split(".")
    return f"{head}.{claims}.{signature[:10]}!!{signature[12:]}"


def _garbled_claims(token: str) -> str:
    head, claims, signature = token.split(".")
    return f"{head}.{claims[:-6]}%%%%%%.{signature}"


SHOPPER_CASES = {
    # case: (token maker, extra headers, e-mail argument, expected code)
    "a token of another customer": (lambda f: f.customer_token("eve@example.com", "VXNlcjo5"), {}, None,
                                    "ORDER_NOT_FOUND"),
    "a token of another customer, with the order's e-mail": (
        lambda f: f.customer_token("eve@example.com", "VXNlcjo5"), {}, BEN, "ORDER_NOT_FOUND"),
    "an expired token": (lambda f: f.customer_token(BEN, BEN_ID, expires_in=-120), {}, None, "FORBIDDEN"),
    "a token signed by another key": (lambda f: _forged(f), {}, None, "FORBIDDEN"),
    "a token signed by another key under the store's key id": (lambda f: _forged(f, f.key.kid), {}, None,
                                                                "FORBIDDEN"),
    "a refresh token": (lambda f: f.customer_token(BEN, BEN_ID, token_type="refresh"), {}, None, "FORBIDDEN"),
    "a token of another store, sent to this store": (
        lambda f: f.customer_token(BEN, BEN_ID, issuer="https://other.example/graphql/"),
        {"Saleor-Api-Url": "self"}, None, "FORBIDDEN"),
    # a storefront must tell "sign in again" from "no such order": an unreadable token is FORBIDDEN too
    "a bearer token that is not a JWT": (lambda f: "not-a-jwt", {}, None, "FORBIDDEN"),
    "a bearer token that is not a JWT, sent to this store": (lambda f: "not-a-jwt", {"Saleor-Api-Url": "self"}, None,
                                                             "FORBIDDEN"),
    "a token cut short (no signature)": (lambda f: _cut(f.customer_token(BEN, BEN_ID)), {}, None, "FORBIDDEN"),
    "a token whose signature is garbled": (lambda f: _garbled(f.customer_token(BEN, BEN_ID)), {}, None, "FORBIDDEN"),
    "a token whose claims are garbled, sent to this store": (lambda f: _garbled_claims(f.customer_token(BEN, BEN_ID)),
                                                             {"Saleor-Api-Url": "self"}, None, "FORBIDDEN"),
    "a guest of a store that has not installed the app": (
        lambda f: None, {"Saleor-Api-Url": "https://other.example/graphql/"}, BEN, "FORBIDDEN"),
}


@pytest.mark.parametrize("case", list(SHOPPER_CASES))
def test_a_shopper_with_a_wrong_token_is_refused_and_nothing_changes(store, case):
    make_token, headers, email, code = SHOPPER_CASES[case]
    headers = {k: (store.fake.api_url if v == "self" else v) for k, v in headers.items()}
    before = store.counts()

    # when someone asks to return Ben's cover with that token
    body = store.request_return(make_token(store.fake), headers, email)

    # then it is refused with a code, and nothing changed here or in Saleor
    result = body["data"]["requestReturn"]
    assert (result["__typename"], result["code"]) == ("ReturnError", code), result
    assert store.counts() == before


def test_ben_with_his_own_token_may_return_his_cover(store):
    # the control case of the table above: the same request with Ben's token goes through
    result = store.request_return(store.fake.customer_token(BEN, BEN_ID))["data"]["requestReturn"]
    assert result["__typename"] == "ReturnRequested" and result["returnRequest"]["status"] == "APPROVED"


STAFF_CASES = {
    "a Dashboard token of another app": lambda f, app: f.dashboard_token(gid("App", 999)),
    "a Dashboard token without MANAGE_ORDERS": lambda f, app: f.dashboard_token(app, permissions=["HANDLE_PAYMENTS"]),
    "an expired Dashboard token": lambda f, app: f.dashboard_token(app, expires_in=-120),
    "a Dashboard token signed by another key": lambda f, app: f.dashboard_token(app, key=SigningKey()),
    "a customer token": lambda f, app: f.customer_token(BEN, BEN_ID),
}


@pytest.mark.parametrize("case", list(STAFF_CASES))
def test_staff_operations_need_our_app_token_with_manage_orders(store, case):
    token = STAFF_CASES[case](store.fake, store.app_id)

    # when that token tries to change the store's policy
    body = store.app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": KEEP_UP_TO_500}, token=token)

    # then it is refused with FORBIDDEN and the policy is the one staff saved
    result = body["data"]["updateReturnPolicy"]
    assert (result["__typename"], result["code"]) == ("ReturnError", "FORBIDDEN"), result
    policy = store.app.gql(POLICY, {"channel": "default-channel"}, token=store.staff)["data"]["returnPolicy"]
    assert (policy["version"], policy["keepItemThresholds"]) == (1, [{"amount": "25.00"}])


def test_the_operators_admin_token_is_not_staff_of_a_saleor_store(store, settings):
    # when the standalone admin token is sent for the Saleor store
    body = store.app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": KEEP_UP_TO_500},
                         token=settings.admin_token, headers={"Saleor-Api-Url": store.fake.api_url})

    # then it is refused: staff of a Saleor store are the store's Dashboard users
    assert body["data"]["updateReturnPolicy"]["code"] == "FORBIDDEN"


@pytest.fixture
def pending(store) -> dict[str, Any]:
    """Ben's keep-item return, its refund waiting for the payment app; Saleor says it succeeded (a webhook
    made but not delivered yet)."""
    result = store.request_return(store.fake.customer_token(BEN, BEN_ID))["data"]["requestReturn"]["returnRequest"]
    assert [r["status"] for r in result["refunds"]] == ["PENDING"]
    store.fake.settle_refunds("SUCCESS")
    [delivery] = store.fake.outbox
    store.fake.outbox = []
    return {"return": result, "delivery": delivery}


def _post(store: Store, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(f"{store.app.url}/api/webhooks/saleor", content=body, headers=headers, timeout=30)


def _resign(fake: FakeSaleor, payload: dict[str, Any], key: SigningKey | None = None) -> tuple[bytes, str]:
    body = json.dumps(payload).encode()
    return body, fake.sign(body, key)


WEBHOOK_CASES = {
    "a tampered body": lambda s, d: (d.body.replace(b'"SUCCESS"', b'"FAILURE"'), d.headers, 401, "BAD_SIGNATURE"),
    "an unsigned delivery": lambda s, d: (d.body, {k: v for k, v in d.headers.items() if k != "Saleor-Signature"},
                                          401, "UNSIGNED"),
    "a delivery signed by another key": lambda s, d: (
        d.body, {**d.headers, "Saleor-Signature": s.fake.sign(d.body, SigningKey())}, 401, "BAD_SIGNATURE"),
    "a token-style JWT instead of a detached JWS": lambda s, d: (
        d.body, {**d.headers, "Saleor-Signature": jwt.encode({"a": 1}, s.fake.key.private, algorithm="RS256",
                                                              headers={"kid": s.fake.key.kid})}, 401, "BAD_SIGNATURE"),
    "a delivery from a Saleor that has not installed the app": lambda s, d: (
        d.body, {**d.headers, "Saleor-Api-Url": "https://other.example/graphql/"}, 401, "UNKNOWN_SALEOR"),
    "a delivery issued two days ago": lambda s, d: (
        *_stale(s.fake, d.body), 400, "STALE"),
}


def _stale(fake: FakeSaleor, body: bytes) -> tuple[bytes, dict[str, str]]:
    payload = json.loads(body)
    payload["issuedAt"] = (datetime.now(UTC) - timedelta(days=2)).isoformat()
    new_body, signature = _resign(fake, payload)
    return new_body, {"Content-Type": "application/json", "Saleor-Api-Url": fake.api_url,
                      "Saleor-Event": "order_refunded", "Saleor-Signature": signature}


@pytest.mark.parametrize("case", list(WEBHOOK_CASES))
def test_a_forged_webhook_is_refused_and_the_refund_stays_pending(store, pending, case):
    body, headers, status, code = WEBHOOK_CASES[case](store, pending["delivery"])
    before = store.counts()

    # when the forged delivery arrives
    response = _post(store, body, headers)

    # then it is refused with a code and the refund still waits for Saleor's word
    assert (response.status_code, response.json()["error"]["code"]) == (status, code), response.text
    ret = store.app.gql(RETURN_STATUS, {"id": pending["return"]["id"]}, token=store.staff)["data"]["returnRequest"]
    assert (ret["status"], [r["status"] for r in ret["refunds"]]) == ("APPROVED", ["PENDING"])
    assert store.counts() == before


def test_a_redelivered_webhook_is_acknowledged_and_applied_once(store, pending):
    delivery = pending["delivery"]

    # given the genuine delivery applied once
    first = _post(store, delivery.body, delivery.headers)
    assert (first.status_code, first.json()["refundsConfirmed"]) == (200, 1)
    after_first = store.app.gql(RETURN_STATUS, {"id": pending["return"]["id"]}, token=store.staff)
    before = store.counts()

    # when Saleor delivers the same signed body again (it retries when an answer was late or lost)
    again = _post(store, delivery.body, delivery.headers)

    # then it is acknowledged (2xx, so Saleor stops retrying and does not show a failure) and nothing changes
    assert again.status_code == 200, again.text
    assert again.json() == {"status": "ok", "event": "OrderRefunded", "refundsConfirmed": 0, "uninstalled": False,
                            "duplicate": True}
    assert store.app.gql(RETURN_STATUS, {"id": pending["return"]["id"]}, token=store.staff) == after_first
    assert after_first["data"]["returnRequest"]["status"] == "REFUNDED"
    assert store.counts() == before


def test_a_forged_app_deleted_does_not_uninstall_the_store(store):
    # when someone posts APP_DELETED for the store, signed with their own key
    body, signature = _resign(store.fake, {"__typename": "AppDeleted", "issuedAt": datetime.now(UTC).isoformat(),
                                           "app": {"id": store.app_id}}, SigningKey())
    response = _post(store, body, {"Content-Type": "application/json", "Saleor-Api-Url": store.fake.api_url,
                                   "Saleor-Event": "app_deleted", "Saleor-Signature": signature})

    # then it is refused and the store stays installed
    assert response.status_code == 401 and store.counts()[2] == 1


def test_a_rotated_store_key_is_fetched_once_and_unknown_keys_do_not_hammer_the_store(store):
    # given the store rotated its signing key
    store.fake.key = SigningKey()
    fetched = store.fake.jwks_requests

    # when Ben comes with a token signed by the new key, then someone with a key the store never had
    ok = store.request_return(store.fake.customer_token(BEN, BEN_ID))["data"]["requestReturn"]
    forged = store.request_return(_forged(store.fake))["data"]["requestReturn"]

    # then the new key was fetched once and accepted; the unknown one is refused without asking again
    assert ok["__typename"] == "ReturnRequested" and forged["code"] == "FORBIDDEN"
    assert store.fake.jwks_requests == fetched + 1


def test_an_install_with_a_token_saleor_does_not_accept_is_refused_and_nothing_is_stored(settings, demo_store, clock):
    fake = FakeSaleor().start()
    app = ReturnsApp(settings, DemoOrderSource(demo_store), clock)
    try:
        # when someone posts a made-up token for that Saleor
        response = httpx.post(f"{app.url}/api/register", json={"auth_token": "made-up-token"},
                              headers={"Saleor-Api-Url": fake.api_url}, timeout=30)

        # then Saleor did not confirm it, the install is refused and nothing is stored
        assert (response.status_code, response.json()["error"]["code"]) == (401, "INVALID_TOKEN")
        assert app.run(_counts(app)) == (0, 0, 0)
        assert fake.calls == ["AppIdentity"]
    finally:
        app.close()
        fake.stop()


@pytest.mark.parametrize("headers, status, code", [
    ({}, 400, "INVALID_API_URL"),
    ({"Saleor-Api-Url": "ftp://shop.example/graphql/"}, 400, "INVALID_API_URL"),
])
def test_a_register_call_without_a_saleor_api_url_is_refused(settings, demo_store, clock, headers, status, code):
    app = ReturnsApp(settings, DemoOrderSource(demo_store), clock)
    try:
        response = httpx.post(f"{app.url}/api/register", json={"auth_token": "x"}, headers=headers, timeout=30)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    finally:
        app.close()


def test_only_allowed_stores_may_install(settings, demo_store, clock):
    # given a deployment that serves one named store only
    fake = FakeSaleor().start()
    allowed = replace(settings, saleor=SaleorSettings(allowed_urls=("https://shop.example/graphql/",)))
    app = ReturnsApp(allowed, DemoOrderSource(demo_store), clock)
    try:
        # when another Saleor installs the app
        with pytest.raises(InstallFailed) as failed:
            fake.install(f"{app.url}/api/manifest")

        # then it is refused before its token is even tried, and nothing is stored
        assert failed.value.response.status_code == 403
        assert "RETURNS_SALEOR_ALLOWED_URLS" in failed.value.response.json()["error"]["message"]
        assert fake.calls == [] and app.run(_counts(app)) == (0, 0, 0)
    finally:
        app.close()
        fake.stop()


RECEIVED = """mutation($id: ID!) { markReturnReceived(id: $id) { __typename ... on ReturnError { code } } }"""
LIST = "query { returnRequests(first: 50) { edges { node { id number } } } }"


def test_two_stores_on_one_deployment_do_not_see_each_others_returns(store, clock):
    # given a second store installed in the same deployment, with a shipped-back return of its own
    other = FakeSaleor().start()
    try:
        other.add_channel("default-channel", "USD")
        other_app = other.install(f"{store.app.url}/api/manifest")
        order = other.add_order(email=BEN, user_id=BEN_ID, shipped_at=clock.now() - timedelta(days=5),
                                lines=[{"name": "Laptop", "qty": 1, "price": "1299.00"}])
        theirs = store.app.gql(REQUEST_RETURN, {"input": {"orderId": order["id"], "lines": [
            {"orderLineId": order["lines"][0]["id"], "quantity": 1, "reason": "DAMAGED"}]}},
            token=other.customer_token(BEN, BEN_ID))["data"]["requestReturn"]["returnRequest"]
        assert theirs["status"] == "LABEL_ISSUED"

        # when the first store's staff list returns and try to receive the other store's return
        listed = store.app.gql(LIST, token=store.staff)["data"]["returnRequests"]["edges"]
        received = store.app.gql(RECEIVED, {"id": theirs["id"]}, token=store.staff)["data"]["markReturnReceived"]
        # and a customer token of the first store is sent with the second store's API URL
        crossed = store.request_return(store.fake.customer_token(BEN, BEN_ID),
                                       {"Saleor-Api-Url": other.api_url})["data"]["requestReturn"]

        # then each store sees only its own returns, and the crossed request is refused
        assert theirs["id"] not in [e["node"]["id"] for e in listed]
        assert received == {"__typename": "ReturnError", "code": "RETURN_NOT_FOUND"}
        assert crossed["code"] == "FORBIDDEN"
        mine = store.app.gql(LIST, token=other.dashboard_token(other_app.id))["data"]["returnRequests"]["edges"]
        assert [e["node"]["id"] for e in mine] == [theirs["id"]]
    finally:
        other.stop()
