"""The store (order source) is down: staff get UPSTREAM_UNAVAILABLE or a refund to retry, nothing is lost."""
from __future__ import annotations

from documents import APPROVE, RECEIVED, REQUEST_RETURN, RETRY, line, request
from saleor_returns.ports import UpstreamUnavailable


def _store_down(app, down: bool) -> None:
    source = app.deps.orders
    if down:
        async def unavailable(order_id: str):
            raise UpstreamUnavailable("store did not answer")
        source.get_order = unavailable  # the instance attribute shadows the method
    else:
        del source.get_order


def test_approving_while_the_store_is_down_changes_nothing(app):
    # given an exception request waits for staff
    asked = app.gql(REQUEST_RETURN, request("ORD-1005", "eve@example.com", line("L-1005-1"), exception=True))
    rid = asked["requestReturn"]["returnRequest"]["id"]

    # when staff approve it as keep-item while the store cannot be reached
    _store_down(app, True)
    refused = app.gql(APPROVE, {"id": rid, "resolution": "KEEP_ITEM"}, staff=True)["approveReturn"]

    # then they are told so, and the return still waits (no goodwill spent, no refund)
    assert refused["__typename"] == "ReturnError" and refused["code"] == "UPSTREAM_UNAVAILABLE"
    _store_down(app, False)
    approved = app.gql(APPROVE, {"id": rid, "resolution": "KEEP_ITEM"}, staff=True)["approveReturn"]
    ret = approved["returnRequest"]
    assert ret["status"] == "REFUNDED"
    assert [e["type"] for e in ret["events"]].count("GOODWILL_SPENT") == 1


def test_a_parcel_received_while_the_store_is_down_is_refunded_on_retry(app, gateway):
    # given the laptop's label was issued
    made = app.gql(REQUEST_RETURN, request("ORD-1001", "ada@example.com", line("L-1001-1")))["requestReturn"]
    rid = made["returnRequest"]["id"]

    # when the parcel is marked received while the store cannot be reached
    _store_down(app, True)
    received = app.gql(RECEIVED, {"id": rid}, staff=True)["markReturnReceived"]

    # then the receipt is kept (the parcel is here), no refund went out yet, and staff are told to retry
    ret = received["returnRequest"]
    assert ret["status"] == "RECEIVED" and ret["refunds"] == []
    assert ret["events"][-1]["type"] == "REFUND_WAITING"
    assert not [c for c in gateway.refunds if c.order_id == "ORD-1001"]

    # and once the store answers again, retryRefund pays it exactly once
    _store_down(app, False)
    retried = app.gql(RETRY, {"id": rid}, staff=True)["retryRefund"]
    assert retried["returnRequest"]["status"] == "REFUNDED"
    assert len([c for c in gateway.refunds if c.order_id == "ORD-1001"]) == 1
