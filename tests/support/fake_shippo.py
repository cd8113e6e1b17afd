"""A small loopback stand-in for Shippo's REST API, shaped like its documented requests and responses.

Covers what the returns app uses: POST /shipments (extra.is_return, extra.qr_code_requested), GET /shipments/{id},
GET /transactions?rate=..., POST /transactions (label_file_type PDF_4x6), POST /refunds, and the files behind
label_url / qr_code_url. A refused address comes back as Shippo does it: a transaction with status ERROR and
messages. It counts purchases and refunds so tests can prove "exactly once".
"""
from __future__ import annotations

import asyncio
import io
import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from support.fake_easypost import label_pdf

API_KEY = "shippo_test_fake_key"
BAD_ZIP = "00000"
NOW = "2026-11-25T17:00:00Z"


@dataclass
class FakeServiceRate:
    provider: str
    token: str
    amount: str
    currency: str = "USD"


DEFAULT_RATES = (FakeServiceRate("USPS", "usps_priority", "9.10"), FakeServiceRate("USPS", "usps_ground_advantage",
                                                                                    "6.85"),
                 FakeServiceRate("UPS", "ups_ground", "12.40"))


def track_updated(tracking_number: str, status: str, status_date: str, object_id: str | None = None,
                  transaction: str | None = None) -> dict[str, Any]:
    """A track_updated webhook body: event, test, data = the Track object."""
    status_obj = {"status": status, "status_details": f"Parcel {status.lower()}", "status_date": status_date,
                  "location": {"city": "Brooklyn", "state": "NY", "zip": "11201", "country": "US"}}
    if object_id:
        status_obj["object_id"] = object_id
    return {"event": "track_updated", "test": True,
            "data": {"carrier": "usps", "tracking_number": tracking_number, "transaction": transaction,
                     "tracking_status": status_obj, "tracking_history": [status_obj], "eta": None,
                     "servicelevel": {"token": "usps_priority", "name": "Priority Mail"}, "metadata": None}}


@dataclass
class FakeShippo:
    rates: tuple[FakeServiceRate, ...] = DEFAULT_RATES
    purchase_delay_seconds: float = 0.0
    fail_purchases_with: int | None = None
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    transactions: dict[str, dict[str, Any]] = field(default_factory=dict)
    purchases: Counter[str] = field(default_factory=Counter)  # successful transactions per shipment
    refunds: Counter[str] = field(default_factory=Counter)  # refund requests per transaction
    created: list[dict[str, Any]] = field(default_factory=list)
    base_url: str = ""
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    @property
    def api_base(self) -> str:
        return self.base_url

    @property
    def total_purchases(self) -> int:
        return sum(self.purchases.values())

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/shipments", self._create_shipment, methods=["POST"]),
            Route("/shipments/{id}", self._get_shipment, methods=["GET"]),
            Route("/transactions", self._transactions, methods=["GET", "POST"]),
            Route("/refunds", self._refund, methods=["POST"]),
            Route("/files/{name}", self._file, methods=["GET"]),
        ])

    async def _create_shipment(self, request: Request) -> Response:
        if (denied := _auth(request)) is not None:
            return denied
        body = await request.json()
        self.created.append(body)
        sid = f"shp{next(self._ids):08d}"
        rates = [{"object_id": f"rate{sid[3:]}{i}", "object_owner": "returns@example.com", "object_created": NOW,
                  "amount": r.amount, "currency": r.currency, "amount_local": r.amount, "currency_local": r.currency,
                  "attributes": ["CHEAPEST"] if i == 1 else [], "carrier_account": f"ca_{r.provider.lower()}",
                  "provider": r.provider, "servicelevel": {"name": r.token.replace("_", " ").title(),
                                                           "token": r.token, "terms": ""},
                  "shipment": sid, "estimated_days": 2 + i, "test": True} for i, r in enumerate(self.rates)]
        self.shipments[sid] = {
            "object_id": sid, "object_owner": "returns@example.com", "object_created": NOW, "object_updated": NOW,
            "status": "SUCCESS", "address_from": _address(body["address_from"]),
            "address_to": _address(body["address_to"]), "parcels": [_parcel(p) for p in body["parcels"]],
            "extra": body.get("extra", {}), "metadata": body.get("metadata", ""), "carrier_accounts": [],
            "messages": [], "rates": rates, "test": True}
        return JSONResponse(self.shipments[sid], status_code=201)

    async def _get_shipment(self, request: Request) -> Response:
        if (denied := _auth(request)) is not None:
            return denied
        shipment = self.shipments.get(request.path_params["id"])
        if shipment is None:
            return JSONResponse({"detail": "Not found."}, status_code=404)
        return JSONResponse(shipment)

    async def _transactions(self, request: Request) -> Response:
        if (denied := _auth(request)) is not None:
            return denied
        if request.method == "GET":
            rate = request.query_params.get("rate")
            found = [t for t in self.transactions.values() if rate is None or t["rate"]["object_id"] == rate]
            return JSONResponse({"next": None, "previous": None, "results": found})
        return await self._purchase(await request.json())

    async def _purchase(self, body: dict[str, Any]) -> Response:
        if self.purchase_delay_seconds:
            await asyncio.sleep(self.purchase_delay_seconds)
        if self.fail_purchases_with:
            return JSONResponse({"detail": "Service unavailable"}, status_code=self.fail_purchases_with)
        rate_id = body["rate"]
        shipment = next((s for s in self.shipments.values() if any(r["object_id"] == rate_id for r in s["rates"])),
                        None)
        if shipment is None:
            return JSONResponse({"rate": ["Rate not found."]}, status_code=400)
        tid = f"txn{next(self._ids):08d}"
        rate = next(r for r in shipment["rates"] if r["object_id"] == rate_id)
        core_rate = {"object_id": rate_id, "amount": rate["amount"], "currency": rate["currency"],
                     "amount_local": rate["amount_local"], "currency_local": rate["currency_local"],
                     "provider": rate["provider"], "carrier_account": rate["carrier_account"],
                     "servicelevel_name": rate["servicelevel"]["name"],
                     "servicelevel_token": rate["servicelevel"]["token"]}
        refused = BAD_ZIP in (shipment["address_from"].get("zip"), shipment["address_to"].get("zip"))
        transaction = {
            "object_id": tid, "object_owner": "returns@example.com", "object_created": NOW, "object_updated": NOW,
            "object_state": "VALID", "created_by": {"first_name": "Store", "last_name": "Returns",
                                                    "username": "returns@example.com"},
            "status": "ERROR" if refused else "SUCCESS", "rate": core_rate,
            "metadata": body.get("metadata", ""), "label_file_type": body.get("label_file_type", "PDF"),
            "tracking_number": "" if refused else f"9205{int(tid[3:]):018d}", "tracking_status": "UNKNOWN",
            "label_url": "" if refused else f"{self.base_url}/files/{tid}.pdf",
            "qr_code_url": "" if refused or not shipment["extra"].get("qr_code_requested")
            else f"{self.base_url}/files/{tid}-qr.png",
            "messages": [{"source": "USPS", "code": "",
                          "text": "The address as submitted could not be found. Please check for excessive "
                                  "abbreviations in the street address line or in the City name."}]
            if refused else [], "test": True}
        self.transactions[tid] = transaction
        if not refused:
            self.purchases[shipment["object_id"]] += 1
        return JSONResponse(transaction, status_code=201)

    async def _refund(self, request: Request) -> Response:
        if (denied := _auth(request)) is not None:
            return denied
        body = await request.json()
        tid = body["transaction"]
        self.refunds[tid] += 1
        if tid not in self.transactions:
            return JSONResponse({"transaction": ["Transaction not found."]}, status_code=400)
        self.transactions[tid]["status"] = "REFUNDPENDING"
        return JSONResponse({"object_id": f"ref{tid[3:]}", "object_owner": "returns@example.com",
                             "object_created": NOW, "object_updated": NOW, "status": "QUEUED",
                             "transaction": tid, "test": True}, status_code=201)

    async def _file(self, request: Request) -> Response:
        name = request.path_params["name"]
        tid = name.split(".")[0].removesuffix("-qr")
        transaction = self.transactions.get(tid)
        if transaction is None:
            return Response(status_code=404)
        if name.endswith("-qr.png"):
            return Response(_qr_png(transaction["tracking_number"]), media_type="image/png")
        return Response(label_pdf(transaction["tracking_number"]), media_type="application/pdf")


def _qr_png(payload: str) -> bytes:
    """A stand-in image: the app links to Shippo's QR code, it never reads it."""
    buffer = io.BytesIO()
    Image.new("1", (33, 33), 1).save(buffer, format="PNG")
    return buffer.getvalue()


def _address(params: dict[str, Any]) -> dict[str, Any]:
    return {"object_id": "adr" + str(abs(hash(str(sorted(params.items())))))[:10], "is_complete": True, **params}


def _parcel(params: dict[str, Any]) -> dict[str, Any]:
    return {"object_id": "prc0001", "object_state": "VALID", **params}


def _auth(request: Request) -> Response | None:
    if request.headers.get("authorization") != f"ShippoToken {API_KEY}":
        return JSONResponse({"detail": "Authentication credentials were not provided."}, status_code=401)
    return None
