"""The stories of PRODUCT.md, told through the GraphQL API over real HTTP against the demo store."""
from __future__ import annotations

from decimal import Decimal

import httpx

from documents import (
    APPROVE,
    ELIGIBILITY,
    POLICY,
    RECEIVED,
    REJECT,
    REQUEST_RETURN,
    RETURN_REQUEST,
    RETURN_REQUESTS,
    UPDATE_POLICY,
    line,
    request,
)


def test_late_laptop_one_day_past_the_window_goes_through_in_grace_with_a_label(app):
    # given the laptop was fulfilled 31 days ago: the 30-day window closed yesterday, grace is 3 days
    data = app.gql(ELIGIBILITY, {"orderId": "ORD-1001", "email": "ada@example.com"})["orderReturnEligibility"]
    laptop = data["lines"][0]
    assert laptop["eligible"] is True and laptop["inGrace"] is True and laptop["codes"] == ["IN_GRACE"]
    assert data["timezone"] == "America/New_York"
    assert laptop["deadline"].endswith("T23:59:59-05:00") and laptop["graceDeadline"].endswith("T23:59:59-05:00")

    # when the shopper asks to return it
    result = app.gql(REQUEST_RETURN, request("ORD-1001", "ada@example.com", line("L-1001-1", reason="DAMAGED")))
    ret = result["requestReturn"]["returnRequest"]

    # then it ships back with a prepaid label whose link serves a PDF, and the deadline is the same one
    assert ret["status"] == "LABEL_ISSUED" and ret["resolution"] == "SHIP_BACK"
    assert ret["refundTotal"] == {"amount": "1299.00", "currency": "USD"}
    assert ret["refunds"] == []  # refund_timing ON_RECEIPT
    assert ret["deadline"] == laptop["deadline"] and ret["graceDeadline"] == laptop["graceDeadline"]
    pdf = httpx.get(ret["label"]["url"], timeout=10)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert any(t["rule"] == "window[L-1001-1]" and t["verdict"] == "IN_GRACE" for t in ret["decision"]["trace"])


def test_cheap_cover_is_refunded_at_once_and_kept(app):
    result = app.gql(REQUEST_RETURN, request("ORD-1002", "ben@example.com", line("L-1002-1")))
    ret = result["requestReturn"]["returnRequest"]
    assert ret["resolution"] == "KEEP_ITEM" and ret["status"] == "REFUNDED" and ret["label"] is None
    assert [(r["status"], r["amount"]["amount"]) for r in ret["refunds"]] == [("SUCCEEDED", "19.99")]
    # and the gateway paid exactly one refund for this order, to the original payment
    paid = [(c.amount.amount, c.psp_reference) for c in app.deps.refunds.default.refunds if c.order_id == "ORD-1002"]
    assert paid == [(Decimal("19.99"), "pi_demo_1002")]


def test_past_grace_is_refused_with_the_deadline_and_an_exception_goes_to_staff(app):
    # given the espresso machine was fulfilled 45 days ago (window 30 + grace 3 are over)
    refused = app.gql(REQUEST_RETURN, request("ORD-1005", "eve@example.com", line("L-1005-1")))["requestReturn"]
    assert refused["__typename"] == "ReturnNotEligible"
    assert refused["lines"][0]["codes"] == ["WINDOW_EXPIRED"] and refused["lines"][0]["graceDeadline"]

    # when the shopper asks for an exception
    asked = app.gql(REQUEST_RETURN, request("ORD-1005", "eve@example.com", line("L-1005-1"), exception=True))
    ret = asked["requestReturn"]["returnRequest"]
    assert ret["status"] == "PENDING_REVIEW" and ret["decision"]["reviewReasons"] == ["EXCEPTION_REQUESTED"]

    # then staff see it in the queue and approve it from their goodwill budget; a label follows
    queue = app.gql(RETURN_REQUESTS, {"filter": {"status": "PENDING_REVIEW"}}, staff=True)["returnRequests"]
    assert [e["node"]["id"] for e in queue["edges"]] == [ret["id"]]
    approved = app.gql(APPROVE, {"id": ret["id"], "note": "forgot it in the garage"}, staff=True)["approveReturn"]
    assert approved["returnRequest"]["status"] == "LABEL_ISSUED"
    assert any(e["type"] == "GOODWILL_SPENT" for e in approved["returnRequest"]["events"])


def test_high_value_camera_goes_to_review_and_staff_can_reject_it(app):
    ret = app.gql(REQUEST_RETURN, request("ORD-1004", "dee@example.com", line("L-1004-1")))["requestReturn"]
    ret = ret["returnRequest"]
    assert ret["status"] == "PENDING_REVIEW" and ret["decision"]["reviewReasons"] == ["ABOVE_REVIEW_THRESHOLD"]
    rejected = app.gql(REJECT, {"id": ret["id"], "note": "Used, see photos"}, staff=True)["rejectReturn"]
    assert rejected["returnRequest"]["status"] == "REJECTED"
    # then the camera can be asked for again (a rejected return holds no units)
    again = app.gql(REQUEST_RETURN, request("ORD-1004", "dee@example.com", line("L-1004-1")))["requestReturn"]
    assert again["__typename"] == "ReturnRequested"


def test_received_parcel_triggers_the_refund_and_the_shopper_sees_it(app):
    ret = app.gql(REQUEST_RETURN, request("ORD-1001", "ada@example.com", line("L-1001-1")))["requestReturn"]
    rid = ret["returnRequest"]["id"]
    received = app.gql(RECEIVED, {"id": rid, "note": "box intact"}, staff=True)["markReturnReceived"]
    assert received["returnRequest"]["status"] == "REFUNDED"
    seen = app.gql(RETURN_REQUEST, {"id": rid, "email": "ada@example.com"})["returnRequest"]
    assert [(r["status"], r["amount"]["amount"]) for r in seen["refunds"]] == [("SUCCEEDED", "1299.00")]
    assert [e["type"] for e in seen["events"]][-2:] == ["REFUND_SUCCEEDED", "REFUNDED"]


def test_jpy_order_keeps_whole_yen(app):
    ret = app.gql(REQUEST_RETURN, request("ORD-2001", "hana@example.jp", line("L-2001-1")))["requestReturn"]
    ret = ret["returnRequest"]
    assert ret["resolution"] == "KEEP_ITEM" and ret["refundTotal"] == {"amount": "1800", "currency": "JPY"}


def test_partially_returned_order_only_offers_what_is_left(app):
    # given the orders file seeded a return of 1 of the 3 socks
    data = app.gql(ELIGIBILITY, {"orderId": "ORD-1006", "email": "fay@example.com"})["orderReturnEligibility"]
    socks = next(x for x in data["lines"] if x["orderLineId"] == "L-1006-1")
    assert socks["quantityReturnable"] == 2


def test_policy_set_through_the_api_decides_the_next_return(app):
    # given staff lower the keep-item threshold to 10.00
    policy = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_RECEIPT",
              "keepItemThresholds": [{"amount": "10.00", "currency": "USD"}]}
    saved = app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": policy}, staff=True)["updateReturnPolicy"]
    assert saved["version"] == 2 and saved["keepItemThresholds"] == [{"amount": "10.00", "currency": "USD"}]
    # when the cover (19.99) is returned, then it ships back, decided by policy version 2
    ret = app.gql(REQUEST_RETURN, request("ORD-1002", "ben@example.com", line("L-1002-1")))["requestReturn"]
    assert ret["returnRequest"]["resolution"] == "SHIP_BACK"
    assert ret["returnRequest"]["decision"]["policyVersion"] == 2
    # and shoppers see the policy without its thresholds
    public = app.gql(POLICY, {"channel": "default-channel"})["returnPolicy"]
    assert public["keepItemThresholds"] is None and public["version"] == 2 and public["graceDays"] == 3
