"""A small loopback stand-in for EasyPost's REST API (v2), shaped like its documented requests and responses.

Covers what the returns app uses: POST /v2/shipments (is_return, reference, options), GET /v2/shipments/:id,
POST /v2/shipments/:id/buy, POST /v2/shipments/:id/refund, and the label PDF behind postage_label.label_pdf_url.
Errors come back as EasyPost does: {"error": {"code", "message", "errors"}} with 4xx/5xx.
It counts what matters (purchases, refunds per shipment) so tests can prove "exactly once".
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import itertools
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from reportlab.graphics.barcode.code128 import Code128
from reportlab.pdfgen.canvas import Canvas
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

API_KEY = "EZTK_test_fake_key"
BAD_ZIP = "00000"  # an address with this postal code cannot be verified


@dataclass
class FakeRate:
    carrier: str
    service: str
    rate: str
    currency: str = "USD"


DEFAULT_RATES = (FakeRate("USPS", "Priority", "8.95"), FakeRate("USPS", "GroundAdvantage", "6.40"),
                 FakeRate("UPS", "Ground", "11.20"))


def label_pdf(tracking: str) -> bytes:
    """A 4x6 in PDF with the tracking number as Code128, as a carrier's label would carry it."""
    buffer = io.BytesIO()
    c = Canvas(buffer, pagesize=(288, 432), invariant=True)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(20, 400, "FAKE CARRIER RETURN LABEL")
    Code128(tracking, barHeight=60, barWidth=1.4, humanReadable=True).drawOn(c, 20, 200)
    c.showPage()
    c.save()
    return buffer.getvalue()


def sign(body: bytes, secret: str) -> str:
    """The X-Hmac-Signature EasyPost sends: hmac-sha256-hex=<hex of HMAC-SHA256(secret, body)>."""
    return "hmac-sha256-hex=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def tracker_event(event_id: str, tracking_code: str, status: str, shipment_id: str | None = None) -> dict[str, Any]:
    """An EasyPost Event (description tracker.updated) whose result is a Tracker."""
    return {"id": event_id, "object": "Event", "mode": "test", "description": "tracker.updated",
            "previous_attributes": {"status": "pre_transit"}, "status": "pending",
            "created_at": "2026-11-26T10:00:00Z", "updated_at": "2026-11-26T10:00:00Z",
            "result": {"id": "trk_" + tracking_code[-8:], "object": "Tracker", "mode": "test",
                       "tracking_code": tracking_code, "status": status, "carrier": "USPS",
                       "shipment_id": shipment_id, "status_detail": status,
                       "tracking_details": [{"object": "TrackingDetail", "status": status,
                                             "message": f"Parcel {status}", "datetime": "2026-11-26T09:58:00Z"}]}}


@dataclass
class FakeEasyPost:
    rates: tuple[FakeRate, ...] = DEFAULT_RATES
    buy_delay_seconds: float = 0.0  # longer than the client's timeout: a timeout
    fail_buys_with: int | None = None  # e.g. 503 for the next buys, until reset
    bad_zips: set[str] = field(default_factory=lambda: {BAD_ZIP})  # addresses that cannot be verified
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    buys: Counter[str] = field(default_factory=Counter)  # purchases per shipment
    refunds: Counter[str] = field(default_factory=Counter)  # refund requests per shipment
    created: list[dict[str, Any]] = field(default_factory=list)  # the shipment params as received
    base_url: str = ""
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def api_base(self) -> str:
        return self.base_url + "/v2"

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/v2/shipments", self._create, methods=["POST"]),
            Route("/v2/shipments/{id}", self._get, methods=["GET"]),
            Route("/v2/shipments/{id}/buy", self._buy, methods=["POST"]),
            Route("/v2/shipments/{id}/refund", self._refund, methods=["POST"]),
            Route("/files/{id}.pdf", self._file, methods=["GET"]),
        ])

    @property
    def total_buys(self) -> int:
        return sum(self.buys.values())

    # --- handlers ---------------------------------------------------------------------------
    async def _create(self, request: Request) -> Response:
        if (denied := _auth(request)) is not None:
            return denied
        params = (await request.json())["shipment"]
        self.created.append(params)
        for side in ("to_address", "from_address"):
            if params.get(side, {}).get("zip") in self.bad_zips:
                return _error(422, "ADDRESS.VERIFY.FAILURE", "Unable to verify address.",
                              [{"field": side, "message": "Address not found"}])
        shipment_id = f"shp_{next(self._ids):08d}"
        rates = [{"id": f"rate_{shipment_id[4:]}_{i}", "object": "Rate", "mode": "test", "carrier": r.carrier,
                  "service": r.service, "rate": r.rate, "currency": r.currency, "retail_rate": None,
                  "list_rate": r.rate, "delivery_days": 2 + i, "shipment_id": shipment_id,
                  "carrier_account_id": f"ca_{r.carrier.lower()}"} for i, r in enumerate(self.rates)]
        to, frm = params["to_address"], params["from_address"]
        if params.get("is_return"):  # EasyPost swaps the addresses of a return shipment
            to, frm = frm, to
        self.shipments[shipment_id] = {
            "id": shipment_id, "object": "Shipment", "mode": "test", "reference": params.get("reference"),
            "is_return": bool(params.get("is_return")), "to_address": _address(to), "from_address": _address(frm),
            "parcel": {"object": "Parcel", **params.get("parcel", {})}, "options": params.get("options", {}),
            "rates": rates, "selected_rate": None, "postage_label": None, "tracking_code": None,
            "refund_status": None, "status": "unknown", "messages": [], "created_at": "2026-11-25T17:00:00Z"}
        return JSONResponse(self.shipments[shipment_id], status_code=201)

    async def _get(self, request: Request) -> Response:
        if (denied := _auth(request)) is not None:
            return denied
        shipment = self.shipments.get(request.path_params["id"])
        if shipment is None:
            return _error(404, "NOT_FOUND", "The requested resource could not be found.")
        return JSONResponse(shipment)

    async def _buy(self, request: Request) -> Response:
        if (denied := _auth(request)) is not None:
            return denied
        shipment = self.shipments.get(request.path_params["id"])
        if shipment is None:
            return _error(404, "NOT_FOUND", "The requested resource could not be found.")
        body = await request.json()
        if self.buy_delay_seconds:
            await asyncio.sleep(self.buy_delay_seconds)
        if self.fail_buys_with:
            return _error(self.fail_buys_with, "INTERNAL_SERVER_ERROR", "We're sorry, something went wrong.")
        if shipment["postage_label"] is not None:
            return _error(422, "SHIPMENT.POSTAGE.EXISTS", "Postage already exists for this shipment.")
        rate = next((r for r in shipment["rates"] if r["id"] == body.get("rate", {}).get("id")), None)
        if rate is None:
            return _error(422, "SHIPMENT.RATE.INVALID", "Rate is not valid for this shipment.")
        self.buys[shipment["id"]] += 1
        tracking = f"9400{int(shipment['id'][4:]):018d}"
        shipment.update(selected_rate=rate, tracking_code=tracking, status="unknown", postage_label={
            "object": "PostageLabel", "id": "pl_" + shipment["id"][4:], "label_size": "4x6",
            "label_file_type": "application/pdf", "label_resolution": 300,
            "label_url": f"{self.base_url}/files/{shipment['id']}.png",
            "label_pdf_url": f"{self.base_url}/files/{shipment['id']}.pdf"})
        return JSONResponse(shipment)

    async def _refund(self, request: Request) -> Response:
        if (denied := _auth(request)) is not None:
            return denied
        shipment = self.shipments.get(request.path_params["id"])
        if shipment is None:
            return _error(404, "NOT_FOUND", "The requested resource could not be found.")
        self.refunds[shipment["id"]] += 1
        if shipment["postage_label"] is None:
            return _error(422, "SHIPMENT.REFUND.UNAVAILABLE", "This shipment has no postage to refund.")
        shipment["refund_status"] = "submitted"
        return JSONResponse(shipment)

    async def _file(self, request: Request) -> Response:
        shipment = self.shipments.get(request.path_params["id"])
        if shipment is None or shipment["tracking_code"] is None:
            return Response(status_code=404)
        return Response(label_pdf(shipment["tracking_code"]), media_type="application/pdf")


def _address(params: dict[str, Any]) -> dict[str, Any]:
    return {"object": "Address", "id": "adr_" + hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()
            [:12], **params}


def _auth(request: Request) -> Response | None:
    if request.headers.get("authorization") != f"Bearer {API_KEY}":
        return _error(401, "APIKEY.INACTIVE", "This api key is no longer active.")
    return None


def _error(status: int, code: str, message: str, errors: list[dict[str, str]] | None = None) -> Response:
    return JSONResponse({"error": {"code": code, "message": message, "errors": errors or []}}, status_code=status)
