"""The Saleor App end to end against a fake Saleor on loopback (tests/support/fake_saleor.py):
install from the manifest → a webhook → a shopper's return with their Saleor token → a keep-item refund
through Saleor's granted refunds → the write-back on the order → the payment app's confirmation."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.saleor.markers import marker_key
from saleor_returns.ports import ReturnRef, StoredInstallation
from saleor_returns.services.store_records import record_in_store
from support.fake_saleor import FakeSaleor, ReturnsApp

RETURN_FIELDS = """id number orderId status resolution refundTotal { amount currency }
  lines { orderLineId quantity reason refund { amount currency } }
  refunds { id amount { amount currency } status gateway pspReference }
  label { carrier trackingNumber } events { actor type note }"""
REQUEST_RETURN = """mutation($input: RequestReturnInput!) { requestReturn(input: $input) { __typename
  ... on ReturnRequested { returnRequest { FIELDS } } ... on ReturnError { code message field }
  ... on ReturnNotEligible { lines { orderLineId codes } } } }""".replace("FIELDS", RETURN_FIELDS)
RETURN_REQUEST = "query($id: ID!) { returnRequest(id: $id) { FIELDS } }".replace("FIELDS", RETURN_FIELDS)
ELIGIBILITY = """query($id: ID!, $email: String) { orderReturnEligibility(orderId: $id, email: $email) { __typename
  ... on OrderReturnEligibility { orderNumber channel timezone deadline lines { orderLineId eligible codes
  unitRefund { amount currency } } } ... on ReturnError { code message } } }"""
UPDATE_POLICY = """mutation($channel: String!, $input: ReturnPolicyInput!) { updateReturnPolicy(channel: $channel,
  input: $input) { __typename ... on ReturnPolicy { version timezone } ... on ReturnError { code message } } }"""
RECEIVED = """mutation($id: ID!) { markReturnReceived(id: $id) { __typename
  ... on ReturnUpdated { returnRequest { FIELDS } } ... on ReturnError { code message } } }""".replace(
    "FIELDS", RETURN_FIELDS)
KEEP_UP_TO_25 = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
                 "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]}
COVER = {"name": "Laptop cover", "sku": "COV-14", "qty": 1, "price": "19.00", "undiscounted": "24.00",
         "type": "Accessories", "category": "Covers", "slug": "laptop-cover"}
LAPTOP = {"name": "Laptop 14", "sku": "LAP-14", "qty": 1, "price": "1299.00", "type": "Electronics",
          "category": "Laptops", "slug": "laptop-14"}


@pytest.fixture
def fake() -> Iterator[FakeSaleor]:
    saleor = FakeSaleor().start()
    saleor.add_channel("default-channel", "USD", timezone="America/New_York")
    try:
        yield saleor
    finally:
        saleor.stop()


@pytest.fixture
def returns_app(settings, demo_store, clock) -> Iterator[ReturnsApp]:
    app = ReturnsApp(replace(settings, refund_gateway="saleor"), DemoOrderSource(demo_store), clock)
    try:
        yield app
    finally:
        app.close()


def installed(fake: FakeSaleor, app: ReturnsApp):
    """The store installs the app from its manifest; staff set a keep-item threshold from the Dashboard."""
    saleor_app = fake.install(f"{app.url}/api/manifest")
    staff = fake.dashboard_token(saleor_app.id)
    body = app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": KEEP_UP_TO_25}, token=staff)
    assert body["data"]["updateReturnPolicy"]["__typename"] == "ReturnPolicy", body
    return saleor_app, staff


def test_a_store_installs_the_app_and_its_token_is_kept_encrypted(fake, returns_app):
    # when the store installs the app from its manifest URL
    saleor_app = fake.install(f"{returns_app.url}/api/manifest")

    # then the app confirmed the token with Saleor and keeps it, encrypted, for that API URL
    assert fake.calls[:1] == ["AppIdentity"]
    row = returns_app.run(_installation(returns_app, fake.api_url))
    assert (row.app_id, row.active, row.domain, row.schema_version) == (saleor_app.id, True, fake.domain,
                                                                               "3.24")
    assert saleor_app.token not in row.auth_token and len(row.auth_token) > 60
    assert row.jwks["keys"][0]["kid"] == fake.key.kid
    assert sorted(row.permissions) == ["HANDLE_PAYMENTS", "MANAGE_GIFT_CARD", "MANAGE_ORDERS"]


def test_the_manifest_names_what_the_app_needs_and_saleor_accepts_it(fake, returns_app):
    # when Saleor reads the manifest
    manifest = returns_app.http.get("/api/manifest").json()

    # then it asks for orders and payments, points Saleor at our endpoints, and mounts the console
    assert manifest["permissions"] == ["MANAGE_ORDERS", "HANDLE_PAYMENTS", "MANAGE_GIFT_CARD"]
    assert manifest["tokenTargetUrl"] == f"{returns_app.url}/api/register"
    assert manifest["appUrl"] == f"{returns_app.url}/console"
    assert {(e["mount"], e["target"]) for e in manifest["extensions"]} == {
        ("NAVIGATION_ORDERS", "APP_PAGE"), ("ORDER_DETAILS_MORE_ACTIONS", "APP_PAGE")}
    events = sorted(ev for hook in manifest["webhooks"] for ev in hook["asyncEvents"])
    assert events == ["APP_DELETED", "ORDER_FULLY_REFUNDED", "ORDER_REFUNDED", "ORDER_UPDATED"]
    fake.install(f"{returns_app.url}/api/manifest")  # the fake checks it as Saleor does (raises otherwise)


def test_a_cheap_cover_is_refunded_through_saleor_and_the_return_shows_up_on_the_order(fake, returns_app, clock):
    # given an order for a laptop cover (19.00 after a discount), shipped five days ago, and the app installed
    order = fake.add_order(email="ben@example.com", user_id="VXNlcjox", lines=[COVER],
                           shipped_at=clock.now() - timedelta(days=5))
    saleor_app, _ = installed(fake, returns_app)
    shopper = fake.customer_token("ben@example.com", "VXNlcjox")
    line_id = order["lines"][0]["id"]

    # and Saleor says the order changed (a signed webhook the app accepts and has nothing to do for)
    fake.emit_order("ORDER_UPDATED", order)
    assert [r.status_code for r in fake.deliver()] == [200]

    # when the signed-in shopper sees what can go back, then asks to return the cover
    eligibility = returns_app.gql(ELIGIBILITY, {"id": order["id"]}, token=shopper)["data"]["orderReturnEligibility"]
    calls_before = len(fake.calls)
    body = returns_app.gql(REQUEST_RETURN, {"input": {"orderId": order["id"], "lines": [
        {"orderLineId": line_id, "quantity": 1, "reason": "DOES_NOT_FIT"}]}}, token=shopper)

    # then the line was eligible in the store's time zone, priced at what was paid
    assert eligibility["timezone"] == "America/New_York" and eligibility["orderNumber"] == order["number"]
    assert eligibility["lines"][0]["unitRefund"] == {"amount": "19.00", "currency": "USD"}
    # and the shopper keeps the item; the refund waits for the store's payment app
    ret = body["data"]["requestReturn"]["returnRequest"]
    assert (ret["status"], ret["resolution"], ret["refundTotal"]["amount"]) == ("APPROVED", "KEEP_ITEM", "19.00")
    assert [(r["status"], r["gateway"]) for r in ret["refunds"]] == [("PENDING", "saleor")]
    # and Saleor holds one granted refund of 19.00 on the card transaction, with the line, sent to the payment app
    [grant] = order["grantedRefunds"]
    assert grant["amount"]["amount"] == Decimal("19.00") and grant["status"] == "PENDING"
    assert [(gl["orderLine"]["id"], gl["quantity"], gl["reason"]) for gl in grant["lines"]] == [
        (line_id, 1, "DOES_NOT_FIT")]
    assert ret["number"] in grant["reason"] and fake.refund_requests == [grant["id"]]
    assert ret["refunds"][0]["pspReference"] == grant["id"]
    # and the order shows the return: a note saying the refund is pending, a summary; the unit counts as
    # returned only once the money is back
    notes = [e["message"] for e in order["events"] if e["type"] == "NOTE_ADDED"]
    assert len(notes) == 1 and notes[0].startswith(f"Return {ret['number']}: the shopper keeps the items")
    assert "Refund of 19.00 USD pending (asked the store's payment app)" in notes[0]
    assert [f for f in order["fulfillments"] if f["status"] == "RETURNED"] == []
    summary = json.loads(order["_private"][marker_key(ret["number"])])
    assert (summary["status"], summary["resolution"], summary["refund"]) == ("APPROVED", "KEEP_ITEM", "19.00 USD")
    # and reading the order took one round trip per request
    assert fake.calls[calls_before:].count("ReturnsOrder") == 1

    # when the payment app refunds and Saleor sends ORDER_REFUNDED (shipping stays paid: not fully refunded)
    fake.settle_refunds("SUCCESS")
    statuses = [r.status_code for r in fake.deliver()]

    # then the refund succeeded, the return is REFUNDED, and Saleor says so: the unit as returned (no money
    # moved there), a note of the refund's success, the summary
    assert statuses == [200]
    after = returns_app.gql(RETURN_REQUEST, {"id": ret["id"]}, token=shopper)["data"]["returnRequest"]
    assert after["status"] == "REFUNDED"
    assert [(r["status"], r["pspReference"]) for r in after["refunds"]] == [("SUCCEEDED", grant["id"])]
    assert json.loads(order["_private"][marker_key(ret["number"])])["status"] == "REFUNDED"
    returned = [f for f in order["fulfillments"] if f["status"] == "RETURNED"]
    assert [(fl["quantity"], fl["reason"]) for f in returned for fl in f["lines"]] == [(1, "DOES_NOT_FIT")]
    notes = [e["message"] for e in order["events"] if e["type"] == "NOTE_ADDED"]
    assert notes[1].startswith(f"Return {ret['number']}: refund of 19.00 USD succeeded")
    # and nothing was written twice: one grant, two notes (the return, the refund), one returned fulfillment
    assert len(order["grantedRefunds"]) == 1 and len(returned) == 1 and len(notes) == 2


def test_a_laptop_shipped_back_is_recorded_in_saleor_when_staff_receive_it(fake, returns_app, clock):
    # given a laptop order (above the keep-item threshold) and the app installed
    order = fake.add_order(email="ada@example.com", user_id="VXNlcjoy", lines=[LAPTOP],
                           shipped_at=clock.now() - timedelta(days=10))
    _, staff = installed(fake, returns_app)
    shopper = fake.customer_token("ada@example.com", "VXNlcjoy")

    # when the shopper asks to return it: a prepaid label to the channel's warehouse, nothing in Saleor yet
    ret = returns_app.gql(REQUEST_RETURN, {"input": {"orderId": order["id"], "lines": [
        {"orderLineId": order["lines"][0]["id"], "quantity": 1, "reason": "DAMAGED"}]}},
        token=shopper)["data"]["requestReturn"]["returnRequest"]
    assert (ret["status"], ret["resolution"]) == ("LABEL_ISSUED", "SHIP_BACK")
    assert order["grantedRefunds"] == [] and not order["_private"]

    # and staff mark the parcel received from the Dashboard
    body = returns_app.gql(RECEIVED, {"id": ret["id"]}, token=staff)["data"]["markReturnReceived"]

    # then the refund is asked of the payment app, and the order shows the return with the label's tracking
    assert body["__typename"] == "ReturnUpdated", body
    assert [g["amount"]["amount"] for g in order["grantedRefunds"]] == [Decimal("1299.00")]
    note = next(e["message"] for e in order["events"] if e["type"] == "NOTE_ADDED")
    assert note.startswith(f"Return {ret['number']}: parcel received") and ret["label"]["trackingNumber"] in note
    assert {f["status"]: sum(fl["quantity"] for fl in f["lines"]) for f in order["fulfillments"]} == {
        "FULFILLED": 0, "RETURNED": 1}  # the shipment's only unit came back

    # when the payment app refunds it
    fake.settle_refunds("SUCCESS")
    assert {r.status_code for r in fake.deliver()} == {200}

    # then the return is refunded, and the eligibility still counts the unit as shipped and returned once
    after = returns_app.gql(RETURN_REQUEST, {"id": ret["id"]}, token=shopper)["data"]["returnRequest"]
    assert after["status"] == "REFUNDED"
    lines = returns_app.gql(ELIGIBILITY, {"id": order["id"]}, token=shopper)["data"]["orderReturnEligibility"]["lines"]
    assert lines[0]["codes"] == ["ALREADY_RETURNED"]


def test_a_guest_of_the_store_is_known_by_the_api_url_header_and_the_order_email(fake, returns_app, clock):
    # given an order placed as a guest, and the app installed
    order = fake.add_order(email="guest@example.com", user_id=None, lines=[COVER],
                           shipped_at=clock.now() - timedelta(days=3))
    installed(fake, returns_app)
    store = {"Saleor-Api-Url": fake.api_url}

    # when the guest asks with the order id and e-mail, for this store; and someone with another e-mail
    mine = returns_app.gql(ELIGIBILITY, {"id": order["id"], "email": "Guest@Example.com"}, headers=store)
    other = returns_app.gql(ELIGIBILITY, {"id": order["id"], "email": "eve@example.com"}, headers=store)

    # then the guest sees the order, the other e-mail sees nothing
    assert mine["data"]["orderReturnEligibility"]["__typename"] == "OrderReturnEligibility"
    assert other["data"]["orderReturnEligibility"]["code"] == "ORDER_NOT_FOUND"


def test_the_standalone_store_answers_as_before_next_to_saleor_tenants(fake, returns_app):
    # given a Saleor store installed in the same deployment
    installed(fake, returns_app)

    # when a guest of the demo store asks, without a store header
    body = returns_app.gql(ELIGIBILITY, {"id": "ORD-1002", "email": "ben@example.com"})

    # then the demo store answers
    assert body["data"]["orderReturnEligibility"]["orderNumber"] == "1002"


def test_removing_the_app_in_saleor_deactivates_the_store_and_a_reinstall_brings_it_back(fake, returns_app, clock):
    # given the app installed, and an order of the store
    order = fake.add_order(email="ben@example.com", user_id="VXNlcjox", lines=[COVER],
                           shipped_at=clock.now() - timedelta(days=5))
    saleor_app, _ = installed(fake, returns_app)

    # when the store deletes the app (Saleor sends APP_DELETED to the app itself)
    fake.delete_app(saleor_app)
    assert [r.status_code for r in fake.deliver()] == [200]

    # then the installation is inactive and its token forgotten; the store's shoppers are not served
    row = returns_app.run(_installation(returns_app, fake.api_url))
    assert (row.active, row.auth_token) == (False, "")
    shopper = fake.customer_token("ben@example.com", "VXNlcjox")
    refused = returns_app.gql(ELIGIBILITY, {"id": order["id"]}, token=shopper)["data"]["orderReturnEligibility"]
    assert refused["__typename"] == "ReturnError"

    # when the store installs the app again
    again = fake.install(f"{returns_app.url}/api/manifest")

    # then it is served again, with the new token
    row = returns_app.run(_installation(returns_app, fake.api_url))
    assert (row.active, row.app_id) == (True, again.id)
    body = returns_app.gql(ELIGIBILITY, {"id": order["id"]}, token=shopper)["data"]["orderReturnEligibility"]
    assert body["__typename"] == "OrderReturnEligibility"


async def _installation(app: ReturnsApp, api_url: str) -> StoredInstallation:
    async with app.deps.uow(readonly=True) as tx:
        found = await tx.installations.load(api_url)
    assert found is not None
    return found


def test_the_request_and_a_webhook_writing_back_at_once_leave_one_note(fake, returns_app, clock):
    # given a keep-item return recorded in Saleor, then its summary changed in Saleor's eyes (removed)
    order = fake.add_order(email="ben@example.com", user_id="VXNlcjox", lines=[COVER],
                           shipped_at=clock.now() - timedelta(days=5))
    installed(fake, returns_app)
    shopper = fake.customer_token("ben@example.com", "VXNlcjox")
    ret = returns_app.gql(REQUEST_RETURN, {"input": {"orderId": order["id"], "lines": [
        {"orderLineId": order["lines"][0]["id"], "quantity": 1, "reason": "DOES_NOT_FIT"}]}},
        token=shopper)["data"]["requestReturn"]["returnRequest"]
    order["_private"].clear()
    order["events"] = [e for e in order["events"] if e["type"] != "NOTE_ADDED"]

    # when two writers (the request's and a webhook's) write the same return back at the same moment,
    # both reading Saleor before either writes
    fake.delays["WritebackState"] = 0.3

    async def both():
        deps = await returns_app.deps.saleor.deps_for(returns_app.deps, fake.api_url)
        ref = ReturnRef(fake.api_url, ret["id"], order["id"])
        return await asyncio.gather(record_in_store(deps, ref), record_in_store(deps, ref))

    steps = returns_app.run(both())

    # then one of them wrote, once: one note, one summary; the other left it to the first
    assert sorted(map(len, steps)) == [0, 2] and sorted(sum(steps, [])) == ["note", "summary"]
    assert len([e for e in order["events"] if e["type"] == "NOTE_ADDED"]) == 1
    assert marker_key(ret["number"]) in order["_private"]
