"""The providers the services call: orders, refunds, carriers, the store's books, the clock, settings."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from ..domain.catalog import Product
from ..domain.labels import LabelErrorCode
from ..domain.money import Money
from ..domain.order import Address, Channel, Order
from ..domain.refunds import RefundCommand, RefundOutcome, RefundStatus


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware (UTC)."""
        ...


class OrderSource(Protocol):
    """Where orders come from: Saleor's GraphQL API, or the demo store."""

    async def get_order(self, order_id: str) -> Order | None:
        """The order, or None when it does not exist. Raises UpstreamUnavailable when the source is down."""
        ...

    async def get_orders(self, order_ids: Sequence[str]) -> dict[str, Order]:
        """Many orders in one read (a federation batch), by id; ids that do not exist are left out.
        Raises UpstreamUnavailable when the source is down."""
        ...

    async def get_channel(self, slug: str) -> Channel | None:
        """The channel (currency, time zone), or None when there is no such channel."""
        ...

    def return_address(self, channel_slug: str) -> Address:
        """Where returned parcels go for this channel (the return warehouse)."""
        ...

    async def get_product(self, product_id: str, channel_slug: str) -> Product | None:
        """A product with its variants, their prices in the channel and their stock (exchanges); None when
        unknown or when the source has no catalog. Raises UpstreamUnavailable when the source is down."""
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
class ProviderRefund:
    """One refund as the payment provider sees it (listed for reconciliation, or carried by a webhook)."""

    provider_id: str  # the provider's refund id (Stripe: re_...)
    payment_reference: str | None  # the payment it refunds (Stripe: the payment intent)
    amount: Money | None  # None when the provider's amount cannot be read in our currency table
    status: RefundStatus
    refund_id: str | None  # ours, from the metadata we sent (None: made outside this app)
    failure_code: str | None = None
    failure_message: str | None = None


@dataclass(frozen=True, slots=True)
class ProviderEvent:
    """A verified provider webhook about a refund; `event_id` is what makes it processed once."""

    provider: str
    event_id: str
    type: str
    created: datetime
    refund: ProviderRefund | None  # None for event types that carry no refund


class RefundLedger(Protocol):
    """What the provider holds, for reconciliation."""

    async def list_refunds(self, payment_reference: str) -> list[ProviderRefund]:
        """Every refund the provider has on one payment. Raises UpstreamUnavailable."""
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
    channel: str = ""  # the order's channel (carriers are chosen per channel)
    carrier_reference: str | None = None  # the shipment prepared by an earlier attempt: check it before buying


@dataclass(frozen=True, slots=True)
class IssuedLabel:
    carrier: str
    tracking_number: str
    pdf: bytes  # the printable label (4x6 in)
    cost: Money | None
    expires_at: datetime | None
    carrier_reference: str | None = None  # the carrier's shipment id (for voiding)
    qr_payload: str | None = None
    qr_code_url: str | None = None  # a carrier's QR code for paperless drop-off (Shippo), when offered
    label_format: str | None = None  # e.g. "4x6", "A6", "letter", "PDF_4x6"


# why a carrier said no (LabelError.code): stable values, shown to staff and shoppers next to LABEL_FAILED
LABEL_ADDRESS_INVALID = LabelErrorCode.ADDRESS_INVALID.value
LABEL_TIMEOUT = LabelErrorCode.CARRIER_TIMEOUT.value
LABEL_UNAVAILABLE = LabelErrorCode.CARRIER_UNAVAILABLE.value
LABEL_REFUSED = LabelErrorCode.CARRIER_REFUSED.value
LABEL_NO_RATE = LabelErrorCode.NO_RATE.value
LABEL_NOT_CONFIGURED = LabelErrorCode.CARRIER_NOT_CONFIGURED.value
LABEL_RETURN_ADDRESS = LabelErrorCode.RETURN_ADDRESS_INCOMPLETE.value  # the return warehouse has no deliverable address


class LabelError(Exception):
    """A carrier refused or could not be reached; `retryable` says whether trying again may help."""

    def __init__(self, message: str, retryable: bool = False, code: str | LabelErrorCode = LABEL_REFUSED) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.code: str = code.value if isinstance(code, LabelErrorCode) else code


@dataclass(frozen=True, slots=True)
class VoidOutcome:
    """What a carrier said to "void this unused label": done (no charge), or try again, or refused."""

    voided: bool
    retryable: bool = False
    detail: str | None = None


class LabelCarrier(Protocol):
    name: str

    def expected_cost(self, currency: str) -> Money | None:
        """What a label is expected to cost (for LABEL_COST deductions decided up front)."""
        ...

    async def create_label(self, request: LabelRequest) -> IssuedLabel:
        """Buy or draw one label. Raises LabelError. With `request.carrier_reference` set, a label already
        bought for that shipment is returned instead of buying another."""
        ...

    async def prepare_label(self, request: LabelRequest) -> str | None:
        """Create the carrier's shipment (free) and return its reference, saved before anything is bought;
        None for carriers without such a step. Raises LabelError."""
        ...

    async def void_label(self, carrier_reference: str | None, tracking_number: str) -> VoidOutcome:
        """Ask the carrier not to charge for an unused label (refund/void). Never raises for carrier errors."""
        ...


@dataclass(frozen=True, slots=True)
class RecordedLine:
    order_line_id: str
    product_name: str
    quantity: int
    reason: str
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class RecordedRefund:
    """One refund of a return as the store's books should show it (its outcome, never a guess)."""

    refund_id: str
    gateway: str  # "saleor" (the store's payment app), "stripe", "simulated"
    status: str  # RefundStatus value
    amount: Money
    payment_id: str  # the order's payment (Saleor: the transaction id) it goes back to
    reference: str | None = None  # the provider's refund id (Saleor: the granted refund's id)
    failure: str | None = None  # "code: message" of a failed refund


@dataclass(frozen=True, slots=True)
class ReturnRecord:
    """A return as the store's own system should remember it (Saleor: returned units, notes, metadata)."""

    tenant: str
    return_id: str
    number: str  # e.g. "R-10042"
    order_id: str
    status: str
    resolution: str | None
    refund_total: Money
    lines: tuple[RecordedLine, ...]
    received: bool  # a shipped-back parcel arrived (or the shopper keeps the items): the return's note is due
    tracking_number: str | None = None
    carrier: str | None = None
    units_back: bool = True  # record the units as returned now (keep-item: only once the money is back)
    refunds: tuple[RecordedRefund, ...] = ()


class StoreRecordError(Exception):
    """The store refused a write-back (a recorder raises it; UpstreamUnavailable when it cannot be reached)."""


class StoreRecorder(Protocol):
    """Writes what happened to a return back into the store's system, idempotently (safe to call again)."""

    def handles(self, tenant: str) -> bool:
        """Whether this tenant's returns are written back by this recorder at all."""
        ...

    async def record(self, record: ReturnRecord) -> list[str]:
        """Do what is not yet done; returns the steps done now ([] when all were done before or the tenant
        is not such a store). Raises UpstreamUnavailable when the store cannot be reached."""
        ...


class Carriers(Protocol):
    """The carriers of a deployment: one per channel, and each by name (a label is voided by its own)."""

    def for_channel(self, channel: str) -> LabelCarrier:
        ...

    def named(self, name: str) -> LabelCarrier | None:
        ...


class RefundGateways(Protocol):
    """The refund gateways of a deployment: new refunds go through `default`; a refund is always finished by
    the gateway that began it (`named`)."""

    @property
    def default(self) -> RefundGateway:
        ...

    def named(self, name: str) -> RefundGateway | None:
        ...


class Stores(Protocol):
    """The stores one deployment serves, for work that does not start with a request (the worker, webhooks):
    the store of a row or payload gives its orders and whether its books are written back."""

    async def orders_for(self, tenant: str) -> OrderSource | None:
        """The order source of a tenant (the standalone store or an installed Saleor); None: not served here."""
        ...


class Config(Protocol):
    """The settings the services read (settings.Settings is one)."""

    @property
    def tenant(self) -> str:
        """The standalone store's tenant name."""
        ...

    @property
    def refund_lease(self) -> timedelta:
        """How long a new or claimed refund is left to its caller before the worker takes it over."""
        ...

    @property
    def refund_give_up_after(self) -> timedelta:
        ...

    @property
    def label_valid_days(self) -> int:
        ...

    @property
    def insight_retention(self) -> timedelta:
        """How far back policy simulations and analytics may look."""
        ...

    def goodwill_budget(self, currency: str) -> Money:
        ...


@dataclass(frozen=True, slots=True)
class GrantLine:
    order_line_id: str
    quantity: int
    reason: str


@dataclass(frozen=True, slots=True)
class GrantPlan:
    """What Saleor's books should say one refund was for (the lines only when it covers the whole return)."""

    lines: tuple[GrantLine, ...] = ()
    shipping: bool = False


@dataclass(frozen=True, slots=True)
class RefundWord:
    """A store's word on one of our refunds (Saleor: a granted refund's status in a signed webhook)."""

    refund_id: str
    outcome: RefundOutcome
