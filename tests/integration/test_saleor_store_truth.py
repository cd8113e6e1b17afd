"""What a real store hits first, against the fake Saleor: the books in Saleor follow what really happened to
the money (notes, returned units), a label is never addressed to a warehouse without an address, and a
retried refund that is on its way again says so."""
from __future__ import annotations

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
