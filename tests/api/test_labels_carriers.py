"""Prepaid labels from real carrier APIs, end to end over HTTP: the default channel buys from EasyPost, the
Japanese one from Shippo (both loopback fakes speaking the documented API, driven by the official packages).
A label is bought once, voided once, expires and can be issued again; the carriers' tracking webhooks move
the return along, once per event, and refund it at the first scan when the policy says so."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import replace

import httpx
import pytest

from documents import CANCEL, RECEIVED, REQUEST_RETURN, RETURN_FIELDS, RETURN_REQUEST, UPDATE_POLICY, line, request
from saleor_returns.carrier_settings import CarrierSettings
from saleor_returns.services import label_expiry
from saleor_returns.settings import Settings
from support.fake_easypost import API_KEY as EASYPOST_KEY
from support.fake_easypost import FakeEasyPost, sign, tracker_event
from support.fake_shippo import API_KEY as SHIPPO_KEY
from support.fake_shippo import FakeShippo, track_updated
from support.server import ServerThread

EASYPOST_SECRET = "whsec-easypost-test"
SHIPPO_TOKEN = "shippo-webhook-token-test"
FIELDS = RETURN_FIELDS + " labelError { code message field } "
ASK = REQUEST_RETURN.replace(RETURN_FIELDS, FIELDS)
SEE = RETURN_REQUEST.replace(RETURN_FIELDS, FIELDS)
REISSUE = ("mutation Reissue($id: ID!, $email: String) { reissueReturnLabel(id: $id, email: $email) { "
           "__typename ... on ReturnUpdated { returnRequest { " + FIELDS + " } } "
           "... on ReturnError { code message field } } }")


@pytest.fixture
def easypost() -> Iterator[FakeEasyPost]:
    fake = FakeEasyPost()
    server = ServerThread(fake.app).start()
    fake.base_url = server.url
    yield fake
    server.stop()


@pytest.fixture
def shippo() -> Iterator[FakeShippo]:
    fake = FakeShippo()
    server = ServerThread(fake.app).start()
    fake.base_url = server.url
    yield fake
    server.stop()


@pytest.fixture
def settings(settings: Settings, easypost: FakeEasyPost, shippo: FakeShippo) -> Settings:
    """conftest's settings, plus carriers per channel pointed at the fakes (the `app` fixture uses these)."""
    carriers = CarrierSettings(per_channel=(("default-channel", "easypost"), ("japan", "shippo")),
                               easypost_api_key=EASYPOST_KEY, easypost_api_base=easypost.api_base,
                               easypost_webhook_secret=EASYPOST_SECRET, shippo_api_key=SHIPPO_KEY,
                               shippo_api_base=shippo.api_base, shippo_webhook_token=SHIPPO_TOKEN,
                               timeout_seconds=2.0)
    return replace(settings, label_valid_days=30, carriers=carriers)


def ask(app, order_id: str, email: str, *lines: dict) -> dict:
    result = app.gql(ASK, request(order_id, email, *lines))["requestReturn"]
    assert result["__typename"] == "ReturnRequested", result
    return result["returnRequest"]


def laptop(app) -> dict:
    return ask(app, "ORD-1001", "ada@example.com", line("L-1001-1"))


def seen(app, rid: str) -> dict:
    return app.gql(SEE, {"id": rid}, staff=True)["returnRequest"]


def types(ret: dict) -> list[str]:
    return [e["type"] for e in ret["events"]]


def post_easypost(app, event: dict, secret: str = EASYPOST_SECRET) -> httpx.Response:
    body = json.dumps(event).encode()
    return httpx.post(f"{app.server.url}/webhooks/easypost", content=body, timeout=10,
                      headers={"content-type": "application/json", "x-hmac-signature": sign(body, secret)})


def post_shippo(app, payload: dict, token: str = SHIPPO_TOKEN) -> httpx.Response:
    return httpx.post(f"{app.server.url}/webhooks/shippo", params={"token": token}, json=payload, timeout=10)


# --- buying -------------------------------------------------------------------------------------

def test_a_shipped_back_laptop_gets_an_easypost_label_bought_once_with_its_cost(app, easypost):
    # when Ada returns the laptop (default channel: EasyPost)
    ret = laptop(app)

    # then the return has an EasyPost label, its cost as Money, a link serving the stored PDF
    assert ret["status"] == "LABEL_ISSUED" and ret["labelError"] is None
    label = ret["label"]
    assert label["carrier"] == "easypost" and label["cost"] == {"amount": "6.40", "currency": "USD"}
    (shipment_id,) = easypost.buys
    assert label["trackingNumber"] == easypost.shipments[shipment_id]["tracking_code"]
    pdf = httpx.get(label["url"], timeout=10)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # and reading it again, or asking for it again, buys nothing more
    assert seen(app, ret["id"])["label"]["trackingNumber"] == label["trackingNumber"]
    again = app.gql(REISSUE, {"id": ret["id"], "email": "ada@example.com"})["reissueReturnLabel"]
    assert again["code"] == "INVALID_TRANSITION"
    assert easypost.total_buys == 1


def test_the_japanese_channel_buys_a_scan_based_shippo_label(app, shippo, easypost):
    ret = ask(app, "ORD-2001", "hana@example.jp", line("L-2001-2"))
    assert ret["status"] == "LABEL_ISSUED" and ret["label"]["carrier"] == "shippo"
    assert shippo.total_purchases == 1 and easypost.total_buys == 0
    assert ret["label"]["cost"] == {"amount": "6.85", "currency": "USD"}  # what Shippo charges when it is used


def test_a_refused_address_leaves_the_return_approved_with_a_clear_label_error(app, easypost):
    # given EasyPost cannot verify Ada's address
    easypost.bad_zips.add("11201")

    # when she returns the laptop
    ret = laptop(app)

    # then the return is approved without a label, and both she and staff read why
    assert ret["status"] == "APPROVED" and ret["label"] is None
    error = ret["labelError"]
    assert error["code"] == "LABEL_FAILED" and error["field"] == "shippingAddress"
    assert "could not use the address" in error["message"] and "ADDRESS.VERIFY.FAILURE" in error["message"]
    shopper_view = app.gql(SEE, {"id": ret["id"], "email": "ada@example.com"})["returnRequest"]
    assert shopper_view["labelError"] == error
    assert types(ret)[-1] == "LABEL_FAILED" and easypost.total_buys == 0
    # and once the address is fixed, staff ask for the label again and get one
    easypost.bad_zips.discard("11201")
    fixed = app.gql(REISSUE, {"id": ret["id"]}, staff=True)["reissueReturnLabel"]["returnRequest"]
    assert fixed["status"] == "LABEL_ISSUED" and fixed["labelError"] is None and easypost.total_buys == 1


def test_an_outage_is_retried_by_the_worker_and_racing_retries_buy_one_label(app, easypost, clock):
    # given EasyPost is down when Ada returns the laptop
    easypost.fail_buys_with = 503
    ret = laptop(app)
    assert ret["status"] == "APPROVED"
    assert "try again automatically" in ret["labelError"]["message"]

    # when EasyPost is back and, a minute later, six workers race for the label
    easypost.fail_buys_with = None
    easypost.buy_delay_seconds = 0.2
    clock.advance(minutes=2)
    async def race():
        return await asyncio.gather(*(label_expiry.retry_due(app.deps) for _ in range(6)))

    app.run(race())

    # then exactly one label was bought, and the return has it
    assert easypost.total_buys == 1
    after = seen(app, ret["id"])
    assert after["status"] == "LABEL_ISSUED" and after["labelError"] is None
    assert after["label"]["trackingNumber"] == next(
        s["tracking_code"] for s in easypost.shipments.values() if s["tracking_code"])


# --- voiding ------------------------------------------------------------------------------------

def test_a_cancelled_return_voids_its_bought_label_exactly_once(app, easypost):
    # given the laptop's label was bought
    ret = laptop(app)
    (shipment_id,) = easypost.buys

    # when Ada cancels, and the worker passes twice afterwards
    cancelled = app.gql(CANCEL, {"id": ret["id"], "email": "ada@example.com"})["cancelReturn"]
    assert cancelled["returnRequest"]["status"] == "CANCELLED"
    app.run(label_expiry.run_label_work(app.deps))
    app.run(label_expiry.run_label_work(app.deps))

    # then EasyPost was asked to refund that label once, and staff see it
    assert easypost.refunds == {shipment_id: 1}
    after = seen(app, ret["id"])
    assert after["label"] is None and types(after).count("LABEL_VOIDED") == 1


def test_an_unused_label_expires_is_voided_and_the_shopper_gets_a_new_one(app, easypost, clock):
    # given a label bought today
    ret = laptop(app)
    (first,) = easypost.buys

    # when 31 days pass without a scan and the worker runs
    clock.advance(days=31)
    work = app.run(label_expiry.run_label_work(app.deps))

    # then the label is voided here and with EasyPost, and the return has none to print
    assert work.expired == 1 and easypost.refunds == {first: 1}
    expired = seen(app, ret["id"])
    assert expired["status"] == "LABEL_ISSUED" and expired["label"] is None
    assert "LABEL_EXPIRED" in types(expired) and "LABEL_VOIDED" in types(expired)
    # and Ada asks for a new one: a second shipment is bought, the first stays refunded
    new = app.gql(REISSUE, {"id": ret["id"], "email": "ada@example.com"})["reissueReturnLabel"]["returnRequest"]
    assert new["label"] is not None and new["label"]["trackingNumber"] != expired["events"][0]["note"]
    assert easypost.total_buys == 2 and easypost.refunds == {first: 1}
    # and a stranger cannot do the same
    other = app.gql(REISSUE, {"id": ret["id"], "email": "eve@example.com"})["reissueReturnLabel"]
    assert other["code"] == "RETURN_NOT_FOUND"


# --- tracking -----------------------------------------------------------------------------------

def test_easypost_tracking_moves_the_return_once_per_event_and_reports_the_arrival(app):
    # given the laptop ships back with an EasyPost label
    ret = laptop(app)
    tracking = ret["label"]["trackingNumber"]
    in_transit = tracker_event("evt_001", tracking, "in_transit")

    # when a forged webhook comes in, then it is refused and nothing moves
    assert post_easypost(app, in_transit, secret="not-the-secret").status_code == 401
    unsigned = httpx.post(f"{app.server.url}/webhooks/easypost", json=in_transit, timeout=10)
    assert unsigned.status_code == 401
    assert seen(app, ret["id"])["status"] == "LABEL_ISSUED"

    # when the first scan arrives twice (EasyPost repeats deliveries)
    assert post_easypost(app, in_transit).json() == {"status": "recorded"}
    assert post_easypost(app, in_transit).json() == {"status": "duplicate"}

    # then the return is IN_TRANSIT, once
    moving = seen(app, ret["id"])
    assert moving["status"] == "IN_TRANSIT" and types(moving).count("IN_TRANSIT") == 1

    # when it is delivered to the warehouse, then staff see it arrived and mark it received
    assert post_easypost(app, tracker_event("evt_002", tracking, "delivered")).json()["status"] == "recorded"
    arrived = seen(app, ret["id"])
    assert types(arrived)[-1] == "ARRIVED" and arrived["status"] == "IN_TRANSIT"
    done = app.gql(RECEIVED, {"id": ret["id"]}, staff=True)["markReturnReceived"]["returnRequest"]
    assert done["status"] in ("RECEIVED", "REFUNDED")


def test_refund_on_first_scan_pays_once_however_often_the_scan_is_reported(app, gateway):
    # given the default channel refunds at the first scan
    policy = {"windowDays": 30, "graceDays": 3, "graceMode": "AUTO_APPROVE", "refundTiming": "ON_FIRST_SCAN",
              "keepItemThresholds": [{"amount": "25.00", "currency": "USD"}],
              "reviewAbove": [{"amount": "2000.00", "currency": "USD"}]}
    saved = app.gql(UPDATE_POLICY, {"channel": "default-channel", "input": policy}, staff=True)
    assert saved["updateReturnPolicy"]["__typename"] == "ReturnPolicy"
    ret = ask(app, "ORD-1006", "fay@example.com", line("L-1006-2"))
    assert ret["status"] == "LABEL_ISSUED" and ret["refunds"] == []

    # when the carrier reports the first scan three times, under two event ids
    tracking = ret["label"]["trackingNumber"]
    calls_before = gateway.calls
    for event_id in ("evt_a", "evt_a", "evt_b"):
        assert post_easypost(app, tracker_event(event_id, tracking, "in_transit")).status_code == 200

    # then the money went back once
    after = seen(app, ret["id"])
    assert after["status"] == "IN_TRANSIT"
    owed = ret["refundTotal"]["amount"]
    assert [(r["amount"]["amount"], r["status"]) for r in after["refunds"]] == [(owed, "SUCCEEDED")]
    assert gateway.calls == calls_before + 1


def test_shippo_track_updated_is_checked_deduplicated_and_moves_the_return(app):
    # given the teapot ships back to Japan with a Shippo label
    ret = ask(app, "ORD-2001", "hana@example.jp", line("L-2001-2"))
    tracking = ret["label"]["trackingNumber"]
    transit = track_updated(tracking, "TRANSIT", "2026-11-26T01:00:00Z")

    # when someone without the token posts, then nothing happens
    assert post_shippo(app, transit, token="guess").status_code == 401
    assert seen(app, ret["id"])["status"] == "LABEL_ISSUED"

    # when Shippo sends the same update twice (track_updated is not idempotent)
    assert post_shippo(app, transit).json() == {"status": "recorded"}
    assert post_shippo(app, transit).json() == {"status": "duplicate"}

    # then the return moved once; an unknown parcel is acknowledged and ignored
    moving = seen(app, ret["id"])
    assert moving["status"] == "IN_TRANSIT" and types(moving).count("IN_TRANSIT") == 1
    stranger = post_shippo(app, track_updated("9999", "TRANSIT", "2026-11-26T01:00:00Z"))
    assert stranger.json() == {"status": "unknown_label"}
