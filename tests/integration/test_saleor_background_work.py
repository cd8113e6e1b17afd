"""Work that does not start with a request, for a Saleor store (the fake Saleor on loopback): label purchase
retries, expiry and voids, write-backs that failed, and refunds on the first scan all run as the store the
return belongs to — its orders read from its Saleor, its refunds granted there — from the worker, which
serves every store of the deployment."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from test_saleor_app_flow import LAPTOP, RECEIVED, REQUEST_RETURN, RETURN_REQUEST, UPDATE_POLICY, installed

from saleor_returns.adapters.demo.order_source import DemoOrderSource
from saleor_returns.adapters.memory.providers import MemoryCarrier
from saleor_returns.domain.tracking import ParcelStatus, TrackingUpdate
from saleor_returns.ports import LabelError
from saleor_returns.services.tracking import apply_tracking
from saleor_returns.services.worker import run_once
from support.fake_saleor import FakeSaleor, ReturnsApp

ON_FIRST_SCAN = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_FIRST_SCAN",
                 "keepItemThresholds": []}


@pytest.fixture
def fake() -> Iterator[FakeSaleor]:
    saleor = FakeSaleor().start()
    saleor.add_channel("default-channel", "USD", timezone="America/New_York")
    try:
        yield saleor
    finally:
        saleor.stop()


@pytest.fixture
def carrier(clock) -> MemoryCarrier:
    return MemoryCarrier(name="parcelco", valid_days=30, clock=clock)


@pytest.fixture
def returns_app(settings, demo_store, clock, carrier) -> Iterator[ReturnsApp]:
    app = ReturnsApp(replace(settings, refund_gateway="saleor"), DemoOrderSource(demo_store), clock, carrier=carrier)
    try:
        yield app
    finally:
        app.close()


def _ship_back(fake: FakeSaleor, app: ReturnsApp, clock, policy: dict | None = None) -> tuple[dict, dict, str]:
    """The app installed (with `policy` when given), and Ada's laptop on its way back with a label."""
    order = fake.add_order(email="ada@example.com", user_id="VXNlcjoy", lines=[LAPTOP],
                           shipped_at=clock.now() - timedelta(days=10))
    _, staff = installed(fake, app)
    if policy is not None:
        body = app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": policy}, token=staff)
        assert body["data"]["updateReturnPolicy"]["__typename"] == "ReturnPolicy", body
    shopper = fake.customer_token("ada@example.com", "VXNlcjoy")
    ret = app.gql(REQUEST_RETURN, {"input": {"orderId": order["id"], "lines": [
        {"orderLineId": order["lines"][0]["id"], "quantity": 1, "reason": "DAMAGED"}]}},
        token=shopper)["data"]["requestReturn"]["returnRequest"]
    return order, ret, staff


def _seen(app: ReturnsApp, return_id: str, token: str) -> dict:
    return app.gql(RETURN_REQUEST, {"id": return_id}, token=token)["data"]["returnRequest"]


def test_a_failed_label_purchase_is_bought_by_the_worker_reading_the_order_from_saleor(fake, returns_app, clock,
                                                                                        carrier):
    # given the carrier is down when a Saleor shopper's laptop is approved for shipping back
    carrier.fail_with = LabelError("carrier down", retryable=True, code="CARRIER_UNAVAILABLE")
    order, ret, staff = _ship_back(fake, returns_app, clock)
    assert ret["status"] == "APPROVED" and ret["label"] is None
    reads_before = fake.calls.count("ReturnsOrder")

    # when the carrier is back and the worker runs a pass a few minutes later
    carrier.fail_with = None
    clock.advance(minutes=3)
    report = returns_app.run(run_once(returns_app.deps))

    # then the label was bought once, for that store's order (read from its Saleor), and the return has it
    assert report.work["labels issued"] == 1 and len(carrier.bought) == 1
    assert fake.calls.count("ReturnsOrder") == reads_before + 1
    after = _seen(returns_app, ret["id"], staff)
    assert after["status"] == "LABEL_ISSUED" and after["label"]["carrier"] == "parcelco"


def test_an_unused_label_of_a_saleor_store_expires_and_is_voided_with_its_carrier(fake, returns_app, clock,
                                                                                   carrier):
    # given a Saleor store's return with a bought label, never scanned
    order, ret, staff = _ship_back(fake, returns_app, clock)
    tracking = ret["label"]["trackingNumber"]

    # when its validity has passed and the worker runs
    clock.advance(days=75)
    report = returns_app.run(run_once(returns_app.deps))

    # then it is void here (a new one can be asked for) and the carrier was asked to void it, once
    assert report.work["labels expired"] == 1 and carrier.voids == [tracking]
    after = _seen(returns_app, ret["id"], staff)
    assert after["label"] is None
    assert [e["type"] for e in after["events"]][-2:] == ["LABEL_EXPIRED", "LABEL_VOIDED"]
    returns_app.run(run_once(returns_app.deps))
    assert carrier.voids == [tracking]


def test_a_write_back_that_failed_is_written_by_the_worker_later(fake, returns_app, clock):
    # given Saleor refuses the write-back when staff mark the parcel received
    order, ret, staff = _ship_back(fake, returns_app, clock)
    fake.fail_operations["OrderNoteAdd"] = 503
    body = returns_app.gql(RECEIVED, {"id": ret["id"]}, token=staff)["data"]["markReturnReceived"]
    assert body["__typename"] == "ReturnUpdated"
    assert "STORE_RECORD_FAILED" in [e["type"] for e in body["returnRequest"]["events"]]
    assert not any(e["type"] == "NOTE_ADDED" for e in order["events"])

    # when Saleor answers again and the worker runs after the backoff
    clock.advance(minutes=2)
    returns_app.run(run_once(returns_app.deps))

    # then the order in Saleor shows the return (units returned, one note), and the trail says so
    notes = [e for e in order["events"] if e["type"] == "NOTE_ADDED"]
    assert len(notes) == 1 and notes[0]["message"].startswith(f"Return {ret['number']}: parcel received")
    assert "RECORDED_IN_STORE" in [e["type"] for e in _seen(returns_app, ret["id"], staff)["events"]]


def test_the_first_scan_refunds_a_saleor_store_return_through_its_own_saleor(fake, returns_app, clock, carrier):
    # given a store whose policy refunds on the first scan, and a laptop on its way back
    order2, ret2, staff = _ship_back(fake, returns_app, clock, ON_FIRST_SCAN)

    # when the carrier reports the first scan (a webhook that names no store)
    update = TrackingUpdate("parcelco", "evt-1", ret2["label"]["trackingNumber"], ParcelStatus.IN_TRANSIT)
    returns_app.run(apply_tracking(returns_app.deps, update))

    # then the refund was granted in that store's Saleor, on that order, once
    assert [str(g["amount"]["amount"]) for g in order2["grantedRefunds"]] == ["1299.00"]
    after = _seen(returns_app, ret2["id"], staff)
    assert after["status"] == "IN_TRANSIT" and [r["gateway"] for r in after["refunds"]] == ["saleor"]


def test_a_first_scan_while_saleor_is_down_is_refunded_by_the_worker_later(fake, returns_app, clock, carrier):
    # given the policy refunds on the first scan and Saleor is down when the scan arrives
    order, ret, staff = _ship_back(fake, returns_app, clock, ON_FIRST_SCAN)
    fake.down_operations.add("ReturnsOrder")
    update = TrackingUpdate("parcelco", "evt-9", ret["label"]["trackingNumber"], ParcelStatus.IN_TRANSIT)
    returns_app.run(apply_tracking(returns_app.deps, update))
    assert order["grantedRefunds"] == []
    returns_app.run(run_once(returns_app.deps))  # still down: the refund stays due, nothing is granted
    assert order["grantedRefunds"] == []

    # when Saleor is back and the worker runs after the wait
    fake.down_operations.clear()
    clock.advance(minutes=6)
    returns_app.run(run_once(returns_app.deps))

    # then the refund was granted once
    assert len(order["grantedRefunds"]) == 1
    assert [r["status"] for r in _seen(returns_app, ret["id"], staff)["refunds"]] == ["PENDING"]
    returns_app.run(run_once(returns_app.deps))
    assert len(order["grantedRefunds"]) == 1
