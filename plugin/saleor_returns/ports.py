"""The Protocols the services need; adapters implement them, fakes pass the same contract tests."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .domain.money import Money
from .domain.order import Address, Channel, Order
from .domain.refunds import RefundCommand, RefundOutcome


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class OrderSource(Protocol):
    """Where orders come from: Saleor's GraphQL API, or the demo store."""

    async def get_order(self, order_id: str) -> Order | None:
        """The order, or None when it does not exist. Raises UpstreamUnavailable when the source is down."""
        ...

    async def get_channel(self, slug: str) -> Channel | None:
        """The channel (currency, time zone), or None when there is no such channel."""
        ...

    def return_address(self, channel_slug: str) -> Address:
        """Where returned parcels go for this channel (the return warehouse)."""
        ...


class UpstreamUnavailable(Exception):
    """An external system (order source, gateway, carrier) did not answer in time or answered 5xx."""


class RefundGateway(Protocol):
    name: str

    async def refund(self, command: RefundCommand) -> RefundOutcome:
        """Perform (or, with the same idempotency key, look up) one refund. Never raises for provider errors:
        they come back as a FAILED outcome, or PENDING with retryable=True."""
        ...


@dataclass(frozen=True, slots=True)
class LabelLine:
    product_name: str
    quantity: int


@dataclass(frozen=True, slots=True)
class LabelRequest:
    return_id: str
    return_number: str  # e.g. "R-10042", printed on the label
    order_number: str
    ship_from: Address | None  # the shopper (None when the order has no address)
    ship_to: Address  # the channel's return warehouse
    deadline: datetime  # ship by (the one deadline, store time zone)
    timezone: str
    lines: tuple[LabelLine, ...]
    idempotency_key: str  # a carrier must not sell two labels for the same key


@dataclass(frozen=True, slots=True)
class IssuedLabel:
    carrier: str
    tracking_number: str
    pdf: bytes  # the printable label (4x6 in)
    cost: Money | None
    expires_at: datetime | None
    carrier_reference: str | None = None  # the carrier's shipment id (for voiding)
    qr_payload: str | None = None


class LabelError(Exception):
    """A carrier refused or could not be reached; `retryable` says whether trying again may help."""

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


class LabelCarrier(Protocol):
    name: str

    def expected_cost(self, currency: str) -> Money | None:
        """What a label is expected to cost (for LABEL_COST deductions decided up front)."""
        ...

    async def create_label(self, request: LabelRequest) -> IssuedLabel:
        """Buy or draw one label. Raises LabelError."""
        ...
