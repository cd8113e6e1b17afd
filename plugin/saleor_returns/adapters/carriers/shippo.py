"""Shippo behind the LabelCarrier port, with the official `shippo` package (3.9).

Return labels are shipments with `extra.is_return` (Shippo swaps the addresses: we send the outbound ones,
warehouse → shopper) and `qr_code_requested` (paperless drop-off where the carrier offers it), bought as a
transaction with `label_file_type=PDF_4x6`. Shippo return labels are scan-based: the store pays only when
the parcel is scanned, so the recorded cost is what a used label will cost.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import requests
import shippo
from shippo.models import components, errors, operations

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
T = TypeVar("T")
_BOUGHT = ("SUCCESS", "QUEUED", "WAITING")  # a transaction in these states is (or is becoming) a label
SEPARATOR = "|"  # carrier_reference: "<shipment id>" before the purchase, "<shipment id>|<transaction id>" after


class _TimeoutSession(requests.Session):
    """The SDK sends without a timeout; every request of ours has one."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self._timeout = timeout

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self._timeout)
        return super().send(request, **kwargs)


class ShippoCarrier:
    """Buys scan-based return labels from Shippo; refunds unused ones."""

    name = "shippo"

    def __init__(self, api_key: str, *, api_base: str, clock: Clock, valid_days: int, service: str | None = None,
                 parcel: Parcel = Parcel(), timeout: float = 20.0, expected: tuple[Money, ...] = ()) -> None:
        self._sdk = shippo.Shippo(api_key_header=f"ShippoToken {api_key}", server_url=api_base.rstrip("/"),
                                  client=_TimeoutSession(timeout))
        self._clock = clock
        self._valid_days = valid_days
        self._service = service
        self._parcel = parcel
        self._timeout = timeout
        self._expected = expected

    def expected_cost(self, currency: str) -> Money | None:
        """The configured expected cost (RETURNS_LABEL_COST) in `currency`."""
        return cost_in(self._expected, currency)

    async def prepare_label(self, request: LabelRequest) -> str | None:
        """Create the return shipment (rates, nothing bought) and return its object id."""
        shopper = require_sender(request.ship_from)
        body = components.ShipmentCreateRequest(
            address_from=_address(request.ship_to), address_to=_address(shopper), parcels=[_parcel(self._parcel)],
            extra=components.ShipmentExtra(is_return=True, qr_code_requested=True),
            metadata=request.idempotency_key[:100], async_=False)
        shipment = await self._call(lambda: self._sdk.shipments.create(body))
        if not shipment.object_id:
            raise LabelError("shippo created no shipment", retryable=True, code=LABEL_UNAVAILABLE)
        return str(shipment.object_id)

    async def create_label(self, request: LabelRequest) -> IssuedLabel:
        """Buy the chosen rate as a PDF_4x6 transaction, unless one of the shipment's rates was already bought."""
        reference = request.carrier_reference or await self.prepare_label(request)
        assert reference is not None
        shipment_id = reference.split(SEPARATOR)[0]
        shipment = await self._call(lambda: self._sdk.shipments.get(shipment_id))
        transaction = await self._bought(shipment) or await self._buy(shipment, request.idempotency_key)
        return await self._issued(shipment_id, shipment, transaction)

    async def void_label(self, carrier_reference: str | None, tracking_number: str) -> VoidOutcome:
        """Ask Shippo to refund the label (scan-based: unused costs nothing, but a refund keeps it unusable)."""
        if not carrier_reference or SEPARATOR not in carrier_reference:
            return VoidOutcome(voided=True, detail="no transaction was bought")
        transaction_id = carrier_reference.split(SEPARATOR)[1]
        try:
            refund = await self._call(lambda: self._sdk.refunds.create(transaction=transaction_id, async_=False))
        except LabelError as exc:
            return VoidOutcome(voided=False, retryable=exc.retryable, detail=str(exc))
        status = str(getattr(refund.status, "value", refund.status) or "QUEUED")
        return VoidOutcome(voided=status != "ERROR", detail=f"shippo refund {status}")

    # --- inside ---------------------------------------------------------------------------------
    async def _bought(self, shipment: components.Shipment) -> components.Transaction | None:
        """A transaction already made for any rate of this shipment (a retry after a timeout, say)."""
        for rate in shipment.rates or []:
            listing = await self._call(
                lambda rate_id=rate.object_id: self._sdk.transactions.list(  # type: ignore[misc]
                    operations.ListTransactionsRequest(rate=rate_id)))
            for transaction in listing.results or []:
                if _status(transaction) in _BOUGHT:
                    log.info("shippo rate already bought; reusing its label",
                             extra={"shipment": shipment.object_id, "transaction": transaction.object_id})
                    return transaction
        return None

    async def _buy(self, shipment: components.Shipment, key: str) -> components.Transaction:
        rate = self._choose(shipment)
        body = components.TransactionCreateRequest(rate=rate.id, label_file_type=components.LabelFileTypeEnum.PDF_4X6,
                                                   async_=False, metadata=key[:100])
        return await self._call(lambda: self._sdk.transactions.create(body))

    def _choose(self, shipment: components.Shipment) -> RateOption:
        options = []
        for r in shipment.rates or []:
            try:
                token = (r.servicelevel.token if r.servicelevel else None) or ""
                options.append(RateOption(r.object_id, r.provider, token, Decimal(r.amount), r.currency))
            except (InvalidOperation, TypeError):
                continue
        chosen = choose_rate(options, self._service, self.name)
        if chosen is None:
            why = "; ".join(m.text or "" for m in shipment.messages or []) or "no carrier serves this route"
            raise LabelError(f"shippo offered no rate: {why}", retryable=False, code=LABEL_NO_RATE)
        return chosen

    async def _issued(self, shipment_id: str, shipment: components.Shipment,
                      transaction: components.Transaction) -> IssuedLabel:
        status = _status(transaction)
        if status == "ERROR":
            raise _refusal(transaction)
        if status != "SUCCESS" or not transaction.label_url or not transaction.tracking_number:
            raise LabelError(f"shippo is still making the label ({status})", retryable=True, code=LABEL_UNAVAILABLE)
        pdf = await fetch_label_file(transaction.label_url, self._timeout, self.name)
        rate = next((r for r in shipment.rates or [] if r.object_id == _rate_id(transaction)), None)
        cost = Money(Decimal(rate.amount), rate.currency) if rate else None
        return IssuedLabel(carrier=self.name, tracking_number=transaction.tracking_number, pdf=pdf, cost=cost,
                           expires_at=self._expiry(),
                           carrier_reference=f"{shipment_id}{SEPARATOR}{transaction.object_id}",
                           qr_payload=None, qr_code_url=transaction.qr_code_url or None, label_format="PDF_4x6")

    def _expiry(self) -> datetime:
        return self._clock.now() + timedelta(days=self._valid_days)

    async def _call(self, call: Callable[[], T]) -> T:
        try:
            return await blocking(call)
        except requests.Timeout as exc:
            raise LabelError("shippo did not answer in time", retryable=True, code=LABEL_TIMEOUT) from exc
        except requests.RequestException as exc:
            raise LabelError(f"shippo could not be reached ({type(exc).__name__})", retryable=True,
                             code=LABEL_UNAVAILABLE) from exc
        except errors.SDKError as exc:
            raise _api_error(exc) from exc


def _status(transaction: components.Transaction) -> str:
    return str(getattr(transaction.status, "value", transaction.status) or "")


def _rate_id(transaction: components.Transaction) -> str | None:
    rate = transaction.rate
    return rate if isinstance(rate, str) or rate is None else getattr(rate, "object_id", None)


def _refusal(transaction: components.Transaction) -> LabelError:
    text = "; ".join(m.text or "" for m in transaction.messages or []) or "the carrier refused the label"
    code = LABEL_ADDRESS_INVALID if "address" in text.lower() else LABEL_REFUSED
    return LabelError(f"shippo: {text}", retryable=False, code=code)


def _api_error(exc: errors.SDKError) -> LabelError:
    status = exc.status_code
    message = f"shippo: HTTP {status}: {(exc.body or '')[:300]}"
    if status in RETRYABLE_STATUS:
        return LabelError(message, retryable=True, code=LABEL_TIMEOUT if status in (408, 504) else LABEL_UNAVAILABLE)
    if status in (401, 403):
        return LabelError(message, retryable=False, code=LABEL_NOT_CONFIGURED)
    if "address" in (exc.body or "").lower():
        return LabelError(message, retryable=False, code=LABEL_ADDRESS_INVALID)
    return LabelError(message, retryable=False, code=LABEL_REFUSED)


def _address(address: Address) -> components.AddressCreateRequest:
    street1, street2 = street_lines(address)
    return components.AddressCreateRequest(country=address.country.upper(), name=address.name,
                                           company=address.company, street1=street1, street2=street2 or None,
                                           city=address.city, state=address.country_area, zip=address.postal_code)


def _parcel(parcel: Parcel) -> components.ParcelCreateRequest:
    return components.ParcelCreateRequest(mass_unit=components.WeightUnitEnum.OZ, weight=str(parcel.weight_oz),
                                          distance_unit=components.DistanceUnitEnum.IN, height=str(parcel.height_in),
                                          length=str(parcel.length_in), width=str(parcel.width_in))
