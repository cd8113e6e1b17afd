"""Money left on the order caps every refund, even when it shrinks between a decision and its refund."""
from __future__ import annotations

import json

import pytest

from documents import APPROVE, REQUEST_RETURN, line, request
from saleor_returns.adapters.demo.orders_file import DemoStore, parse_demo_store
from support.constants import EXAMPLES

CAPPED_ORDER = {
    "id": "ORD-CAP", "number": "9001", "channel": "default-channel", "currency": "USD", "createdAt": "-60d",
    "userEmail": "kim@example.com", "shippingPriceGross": "0.00",
    "lines": [{"id": "L-CAP-1", "productName": "Old Lamp", "quantity": 1, "unitPriceGross": "100.00"},
              {"id": "L-CAP-2", "productName": "Bulb", "quantity": 1, "unitPriceGross": "20.00"}],
    "fulfillments": [{"id": "F-CAP-1", "createdAt": "-50d", "lines": [{"orderLineId": "L-CAP-1", "quantity": 1}]},
                     {"id": "F-CAP-2", "createdAt": "-2d", "lines": [{"orderLineId": "L-CAP-2", "quantity": 1}]}],
    # 30.00 already went back outside this app (e.g. a goodwill credit in Saleor)
    "payments": [{"pspReference": "pi_cap", "gateway": "stripe", "chargedAmount": "120.00",
                  "refundedAmount": "30.00"}],
}


@pytest.fixture
def demo_store(clock) -> DemoStore:
    data = json.loads((EXAMPLES / "demo-orders.json").read_text())
    data["orders"].append(CAPPED_ORDER)
    return parse_demo_store(data, clock.now())


def test_a_refund_is_cut_to_what_is_left_on_the_order_and_the_return_still_completes(app, gateway):
    # given the late lamp waits for staff (exception) and is worth 90.00 of the 90.00 left on the order
    asked = app.gql(REQUEST_RETURN, request("ORD-CAP", "kim@example.com", line("L-CAP-1"), exception=True))
    lamp = asked["requestReturn"]["returnRequest"]
    assert lamp["status"] == "PENDING_REVIEW" and lamp["refundTotal"]["amount"] == "90.00"

    # and meanwhile the bulb is returned and refunded at once (20.00), leaving 70.00 on the order
    bulb = app.gql(REQUEST_RETURN, request("ORD-CAP", "kim@example.com", line("L-CAP-2")))["requestReturn"]
    assert bulb["returnRequest"]["status"] == "REFUNDED"

    # when staff approve the lamp as keep-the-item
    done = app.gql(APPROVE, {"id": lamp["id"], "resolution": "KEEP_ITEM"}, staff=True)["approveReturn"]
    ret = done["returnRequest"]

    # then only the 70.00 left goes back, the cut is explained, and the return is complete
    assert [(r["status"], r["amount"]["amount"]) for r in ret["refunds"]] == [("SUCCEEDED", "70.00")]
    assert ret["refundTotal"]["amount"] == "70.00" and ret["status"] == "REFUNDED"
    assert any(e["type"] == "REFUND_CAPPED" and e["note"].startswith("20.00 USD") for e in ret["events"])
    paid = sum(c.amount.amount for c in gateway.refunds if c.order_id == "ORD-CAP")
    assert str(paid) == "90.00"  # 20.00 + 70.00: never more than the 90.00 that was left
