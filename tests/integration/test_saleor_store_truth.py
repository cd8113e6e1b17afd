"""What a real store hits first, against the fake Saleor: the books in Saleor follow what really happened to
the money (notes, returned units), a label is never addressed to a warehouse without an address, and a
retried refund that is on its way again says so."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from support.fake_saleor import FakeSaleor, ReturnsApp

RETURN_FIELDS = """id number status resolution refundTotal { amount currency }
  refunds { id status gateway pspReference failureCode failureMessage }
  label { carrier trackingNumber } labelError { code message } events { type note }"""
REQUEST_RETURN = """mutation($input: RequestReturnInput!) { requestReturn(input: $input) { __typename
  ... on ReturnRequested { returnRequest { FIELDS } } ... on ReturnError { code message field } } }""".replace(
    "FIELDS", RETURN_FIELDS)
RETURN_REQUEST = "query($id: ID!) { returnRequest(id: $id) { FIELDS } }".replace("FIELDS", RETURN_FIELDS)
RETRY = """mutation($id: ID!) { retryRefund(id: $id) { __typename
  ... on ReturnUpdated { returnRequest { FIELDS } } ... on ReturnError { code message } } }""".replace(
    "FIELDS", RETURN_FIELDS)
UPDATE_POLICY = """mutation($channel: String!, $input: ReturnPolicyInput!) { updateReturnPolicy(channel: $channel,
  input: $input) { __typename ... on ReturnPolicy { version } ... on ReturnError { code message } } }"""
KEEP_UP_TO_25 = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
                 "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}]}
COVER = {"name": "Laptop cover", "sku": "COV-14", "qty": 1, "price": "20.00"}
LAPTOP = {"name": "Laptop 14", "sku": "LAP-14", "qty": 1, "price": "1299.00"}
BEN, BEN_ID = "ben@example.com", "VXNlcjox"
# populatedb's "Default Warehouse": a name and a country, nothing a carrier could deliver to
NO_ADDRESS = {"firstName": "", "lastName": "", "companyName": "Default Warehouse", "streetAddress1": "",
              "streetAddress2": "", "city": "", "postalCode": "", "countryArea": "",
              "country": {"code": "US", "country": "United States of America"}}


@pytest.fixture
def fake() -> Iterator[FakeSaleor]:
    saleor = FakeSaleor().start()
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


def install(fake: FakeSaleor, app: ReturnsApp) -> str:
    """The store installs the app; staff set keep-item up to 25.00. Returns a Dashboard token."""
    staff = fake.dashboard_token(fake.install(f"{app.url}/api/manifest").id)
    body = app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": KEEP_UP_TO_25}, token=staff)
    assert body["data"]["updateReturnPolicy"]["__typename"] == "ReturnPolicy", body
    return staff


def ask(app: ReturnsApp, fake: FakeSaleor, order: dict, reason: str = "DOES_NOT_FIT") -> dict:
    shopper = fake.customer_token(BEN, BEN_ID)
    body = app.gql(REQUEST_RETURN, {"input": {"orderId": order["id"], "lines": [
        {"orderLineId": order["lines"][0]["id"], "quantity": 1, "reason": reason}]}}, token=shopper)
    result = body["data"]["requestReturn"]
    assert result["__typename"] == "ReturnRequested", result
    return result["returnRequest"]


# --- the return label ------------------------------------------------------------------------------------

def test_a_label_is_refused_for_a_return_warehouse_without_an_address(fake, returns_app, clock):
    # given the channel's only warehouse has a name and a country and nothing else (populatedb's default)
    fake.add_channel("default-channel", "USD", warehouse=NO_ADDRESS)
    order = fake.add_order(email=BEN, user_id=BEN_ID, lines=[LAPTOP], shipped_at=clock.now() - timedelta(days=5))
    install(fake, returns_app)

    # when Ben sends the laptop back
    ret = ask(returns_app, fake, order, "DAMAGED")

    # then no label is issued: LABEL_FAILED, naming what is missing and the metadata key that picks a warehouse
    assert ret["label"] is None and ret["status"] == "APPROVED"
    error = ret["labelError"]
    assert error["code"] == "LABEL_FAILED"
    for words in ("street", "city", "postal code", "Default Warehouse", "returns.warehouse"):
        assert words in error["message"], error["message"]
    assert [e["type"] for e in ret["events"]][-1] == "LABEL_FAILED"


# --- the notes and returned units follow the money ------------------------------------------------------

def notes(order: dict) -> list[str]:
    return [e["message"] for e in order["events"] if e["type"] == "NOTE_ADDED"]


def returned_units(order: dict) -> int:
    return sum(fl["quantity"] for f in order["fulfillments"] if f["status"] == "RETURNED" for fl in f["lines"])


def test_a_keep_item_refund_that_fails_is_noted_as_failed_and_its_units_wait_for_the_money(fake, returns_app,
                                                                                          clock):
    # given the order's transaction has no payment app that handles refund requests
    fake.add_channel("default-channel", "USD")
    order = fake.add_order(email=BEN, user_id=BEN_ID, lines=[COVER], shipped_at=clock.now() - timedelta(days=5))
    staff = install(fake, returns_app)
    fake.no_payment_app = True

    # when Ben keeps the cover
    ret = ask(returns_app, fake, order)

    # then the refund failed, and Saleor's note says so: no "Refund 20.00 USD" as if it were paid
    assert ret["status"] == "REFUND_FAILED" and [r["status"] for r in ret["refunds"]] == ["FAILED"]
    [note] = notes(order)
    assert note.startswith(f"Return {ret['number']}: the shopper keeps the items")
    assert "Refund of 20.00 USD FAILED (missing_transaction_action_request_webhook" in note
    assert "nothing was paid" in note
    # and no unit is recorded as returned while no money went back
    assert returned_units(order) == 0

    # when the store installs a payment app and staff retry
    fake.no_payment_app = False
    retried = returns_app.gql(RETRY, {"id": ret["id"]}, token=staff)["data"]["retryRefund"]["returnRequest"]

    # then the answer says the new refund is on its way (not REFUND_FAILED), and Saleor is not told more yet
    assert retried["status"] == "APPROVED" and [r["status"] for r in retried["refunds"]] == ["FAILED", "PENDING"]
    assert len(notes(order)) == 1 and returned_units(order) == 0

    # when the payment app refunds it and Saleor says so
    fake.settle_refunds("SUCCESS")
    assert {r.status_code for r in fake.deliver()} == {200}

    # then the success is written back: a note, and now the unit counts as returned
    done = returns_app.gql(RETURN_REQUEST, {"id": ret["id"]}, token=staff)["data"]["returnRequest"]
    assert done["status"] == "REFUNDED"
    assert len(notes(order)) == 2 and notes(order)[1].startswith(
        f"Return {ret['number']}: refund of 20.00 USD succeeded (by the store's payment app")
    assert returned_units(order) == 1


def test_a_pending_refund_the_payment_app_fails_later_is_written_back_as_failed(fake, returns_app, clock):
    # given Ben kept the cover: the refund waits for the payment app (Saleor refunds from a background task)
    fake.add_channel("default-channel", "USD")
    order = fake.add_order(email=BEN, user_id=BEN_ID, lines=[COVER], shipped_at=clock.now() - timedelta(days=5))
    install(fake, returns_app)
    ret = ask(returns_app, fake, order)
    assert ret["status"] == "APPROVED" and [r["status"] for r in ret["refunds"]] == ["PENDING"]
    [note] = notes(order)
    assert "Refund of 20.00 USD pending (asked the store's payment app)" in note
    assert returned_units(order) == 0

    # when the payment app fails it and Saleor says so (twice: a redelivery)
    fake.settle_refunds("FAILURE")
    deliveries = list(fake.outbox)
    assert {r.status_code for r in fake.deliver()} == {200}
    fake.outbox = deliveries
    assert {r.status_code for r in fake.deliver()} == {200}

    # then the failure is noted once, and still no unit counts as returned
    assert len(notes(order)) == 2 and notes(order)[1].startswith(
        f"Return {ret['number']}: refund of 20.00 USD failed (payment_app_failed")
    assert returned_units(order) == 0


def test_with_stripe_paying_nothing_booked_in_saleor_can_be_sent_again_from_the_dashboard(
        fake, settings, demo_store, clock):
    # given the deployment pays refunds itself (here the simulated gateway, as Stripe would), on a Saleor store
    fake.add_channel("default-channel", "USD")
    order = fake.add_order(email=BEN, user_id=BEN_ID, lines=[COVER], shipped_at=clock.now() - timedelta(days=5))
    app = ReturnsApp(replace(settings, refund_gateway="simulated"), DemoOrderSource(demo_store), clock)
    try:
        install(fake, app)

        # when Ben keeps the cover
        ret = ask(app, fake, order)
    finally:
        app.close()

    # then the refund is paid, and Saleor's books say so in a note and the return's summary
    [refund] = ret["refunds"]
    assert (ret["status"], refund["status"], refund["gateway"]) == ("REFUNDED", "SUCCEEDED", "simulated")
    [note] = notes(order)
    assert f"Refunded 20.00 USD (paid through simulated, {refund['pspReference']}" in note
    assert "do not refund it again from the Dashboard" in note
    summary = json.loads(order["_private"][f"saleor-returns:{ret['number']}"])
    assert [(r["status"], r["gateway"], r["reference"]) for r in summary["refunds"]] == [
        ("SUCCEEDED", "simulated", refund["pspReference"])]
    assert returned_units(order) == 1

    # and when staff press "refund" on whatever Saleor holds for this order, nothing goes to the payment app
    assert fake.staff_send_granted_refunds() == 0
    assert fake.refund_requests == [] and order["grantedRefunds"] == []


def test_a_retried_refund_asks_again_on_the_failed_grant_so_the_dashboard_holds_nothing_to_send_twice(
        fake, returns_app, clock):
    # given Ben's keep-item refund failed at Saleor (no payment app): its granted refund is FAILURE
    fake.add_channel("default-channel", "USD")
    order = fake.add_order(email=BEN, user_id=BEN_ID, lines=[COVER], shipped_at=clock.now() - timedelta(days=5))
    staff = install(fake, returns_app)
    fake.no_payment_app = True
    ret = ask(returns_app, fake, order)
    [failed] = order["grantedRefunds"]
    assert failed["status"] == "FAILURE" and ret["status"] == "REFUND_FAILED"

    # when staff retry once a payment app handles refunds
    fake.no_payment_app = False
    retried = returns_app.gql(RETRY, {"id": ret["id"]}, token=staff)["data"]["retryRefund"]["returnRequest"]

    # then the new refund went to the payment app on the same granted refund, which now carries its key:
    # Saleor holds one grant of 20.00, not a failed one staff could still send next to the new one
    [grant] = order["grantedRefunds"]
    new = retried["refunds"][-1]
    assert (grant["id"], grant["status"]) == (failed["id"], "PENDING") and fake.refund_requests == [grant["id"]]
    assert new["id"] in grant["reason"] and new["pspReference"] == grant["id"]
    assert fake.staff_send_granted_refunds() == 0
