"""EasyPost behind the LabelCarrier port, with the official `easypost` package (10.x).

A return label is an `is_return` shipment created with the *original* addresses (EasyPost swaps them):
from = the store's return warehouse, to = the shopper. The shipment (free) is created first and its id
saved by the service; buying checks that shipment first, so a retry never buys a second label.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import easypost
from easypost import errors as ep_errors

from ...carrier_settings import Parcel
from ...domain.money import Money
from ...domain.order import Address
from ...ports import (
    LABEL_ADDRESS_INVALID,
    LABEL_NO_RATE,
    LABEL_NOT_CONFIGURED,
    LABEL_REFUSED,
    LABEL_TIMEOUT,
    LABEL_UNAVAILABLE,
    Clock,
    IssuedLabel,
    LabelError,
    LabelRequest,
    VoidOutcome,
)
from .carrier_calls import (
    RETRYABLE_STATUS,
    RateOption,
    blocking,
    choose_rate,
    cost_in,
    fetch_label_file,
    require_sender,
    street_lines,
)

log = logging.getLogger(__name__)


class EasyPostCarrier:
    """Buys return labels from EasyPost; refunds unused ones."""

    name = "easypost"

    def __init__(self, api_key: str, *, api_base: str, clock: Clock, valid_days: int, service: str | None = None,
                 parcel: Parcel = Parcel(), timeout: float = 20.0, expected: tuple[Money, ...] = ()) -> None:
        self._client = easypost.EasyPostClient(api_key, api_base=api_base.rstrip("/"), timeout=timeout)  # type: ignore[arg-type]
        self._clock = clock
        self._valid_days = valid_days
        self._service = service
        self._parcel = parcel
        self._timeout = timeout
        self._expected = expected

    def expected_cost(self, currency: str) -> Money | None:
        """The configured expected cost (RETURNS_LABEL_COST) in `currency`: the real rate is known only later."""
        return cost_in(self._expected, currency)

    async def prepare_label(self, request: LabelRequest) -> str | None:
        """Create the return shipment (nothing is bought yet) and return its id."""
        shopper = require_sender(request.ship_from)
        params = {"to_address": _address(shopper), "from_address": _address(request.ship_to),
                  "parcel": _parcel(self._parcel), "is_return": True, "reference": request.idempotency_key[:100],
                  "options": {"label_format": "PDF", "label_size": "4x6",
                              "print_custom_1": f"RMA {request.return_number}"}}
        shipment = await self._call(lambda: self._client.shipment.create(**params))
        return str(shipment["id"])

    async def create_label(self, request: LabelRequest) -> IssuedLabel:
        """Buy the chosen rate of the prepared shipment, unless that shipment already has postage."""
        reference = request.carrier_reference or await self.prepare_label(request)
        assert reference is not None
        shipment = await self._call(lambda: self._client.shipment.retrieve(reference))
        if not shipment.get("postage_label"):
            rate = self._choose(shipment)
            shipment = await self._call(lambda: self._client.shipment.buy(reference, rate={"id": rate.id}))
        else:
            log.info("easypost shipment already bought; reusing its label", extra={"shipment": reference})
        return await self._issued(shipment)

    async def void_label(self, carrier_reference: str | None, tracking_number: str) -> VoidOutcome:
        """Ask EasyPost to refund the unused label's postage (refund_status: submitted/refunded/rejected)."""
        if not carrier_reference:
            return VoidOutcome(voided=True, detail="no shipment was bought")
        try:
            shipment = await self._call(lambda: self._client.shipment.refund(carrier_reference))
        except LabelError as exc:
            already = "REFUND" in str(exc).upper() and not exc.retryable
            return VoidOutcome(voided=already, retryable=exc.retryable, detail=str(exc))
        status = shipment.get("refund_status") or "submitted"
        return VoidOutcome(voided=status in ("submitted", "refunded"), detail=f"easypost refund {status}")

    # --- inside ---------------------------------------------------------------------------------
    def _choose(self, shipment: dict[str, Any]) -> RateOption:
        options = []
        for r in shipment.get("rates") or []:
            try:
                options.append(RateOption(str(r["id"]), str(r["carrier"]), str(r["service"]), Decimal(str(r["rate"])),
                                          str(r["currency"])))
            except (KeyError, InvalidOperation):
                continue
        chosen = choose_rate(options, self._service, self.name)
        if chosen is None:
            raise LabelError("easypost offered no rate for this return shipment", retryable=False,
                             code=LABEL_NO_RATE)
        return chosen

    async def _issued(self, shipment: dict[str, Any]) -> IssuedLabel:
        label = shipment.get("postage_label") or {}
        url = label.get("label_pdf_url") or label.get("label_url")
        if not url or not shipment.get("tracking_code"):
            raise LabelError("easypost bought the label but sent no label file", retryable=True,
                             code=LABEL_UNAVAILABLE)
        pdf = await fetch_label_file(str(url), self._timeout, self.name)
        rate = shipment.get("selected_rate") or {}
        cost = Money(Decimal(str(rate["rate"])), str(rate["currency"])) if rate.get("rate") else None
        return IssuedLabel(carrier=self.name, tracking_number=str(shipment["tracking_code"]), pdf=pdf, cost=cost,
                           expires_at=self._expiry(), carrier_reference=str(shipment["id"]),
                           qr_payload=None, label_format="PDF_4x6")

    def _expiry(self) -> datetime:
        return self._clock.now() + timedelta(days=self._valid_days)

    async def _call(self, call: Any) -> dict[str, Any]:
        try:
            result = await blocking(call)
        except ep_errors.TimeoutError as exc:
            raise LabelError("easypost did not answer in time", retryable=True, code=LABEL_TIMEOUT) from exc
        except ep_errors.ApiError as exc:
            raise _label_error(exc) from exc
        except ep_errors.EasyPostError as exc:
            raise LabelError(f"easypost: {exc.message}", retryable=True, code=LABEL_UNAVAILABLE) from exc
        return result.to_dict() if hasattr(result, "to_dict") else dict(result)


def _label_error(exc: Any) -> LabelError:
    status = exc.http_status or 0
    code = str(exc.code or "")
    message = f"easypost: {exc.message}" + (f" ({code})" if code else "")
    if status == 0:  # no answer at all (connection refused or reset)
        return LabelError(message, retryable=True, code=LABEL_UNAVAILABLE)
    if status in RETRYABLE_STATUS:
        return LabelError(message, retryable=True, code=LABEL_TIMEOUT if status in (408, 504) else LABEL_UNAVAILABLE)
    if "ADDRESS" in code.upper():
        return LabelError(message, retryable=False, code=LABEL_ADDRESS_INVALID)
    if status in (401, 403):
        return LabelError(message, retryable=False, code=LABEL_NOT_CONFIGURED)
    return LabelError(message, retryable=False, code=LABEL_REFUSED)


def _address(address: Address) -> dict[str, str]:
    street1, street2 = street_lines(address)
    out = {"name": address.name, "street1": street1, "city": address.city, "zip": address.postal_code,
           "country": address.country.upper()}
    if street2:
        out["street2"] = street2
    if address.company:
        out["company"] = address.company
    if address.country_area:
        out["state"] = address.country_area
    return out


def _parcel(parcel: Parcel) -> dict[str, float]:
    # EasyPost's parcel dimensions are inches and ounces, sent as JSON numbers
    return {"length": float(parcel.length_in), "width": float(parcel.width_in), "height": float(parcel.height_in),
            "weight": float(parcel.weight_oz)}
