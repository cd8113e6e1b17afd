"""The order as the returns engine sees it: a read-only snapshot from an OrderSource."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from .money import Money, total


@dataclass(frozen=True, slots=True)
class Channel:
    slug: str
    currency: str
    timezone: str  # IANA name, e.g. "America/New_York"


@dataclass(frozen=True, slots=True)
class OrderLine:
    id: str
    product_name: str
    sku: str | None
    quantity: int
    unit_price: Money  # gross, after line-level discounts
    product_type: str | None = None
    category: str | None = None
    product: str | None = None  # product id or slug, for product-level overrides
    variant_id: str | None = None


@dataclass(frozen=True, slots=True)
class FulfillmentLine:
    id: str
    order_line_id: str
    quantity: int


@dataclass(frozen=True, slots=True)
class Fulfillment:
    id: str
    created_at: datetime
    lines: tuple[FulfillmentLine, ...]


@dataclass(frozen=True, slots=True)
class Payment:
    """A charge on the order (a Saleor transaction, or a payment in the demo store)."""

    id: str
    psp_reference: str
    gateway: str
    charged: Money
    refunded: Money  # refunded outside this app (or before it), as the source reports it


@dataclass(frozen=True, slots=True)
class Address:
    name: str
    street: str
    city: str
    postal_code: str
    country: str
    company: str | None = None
    country_area: str | None = None


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    number: str
    channel: Channel
    currency: str
    created_at: datetime
    user_email: str
    lines: tuple[OrderLine, ...]
    fulfillments: tuple[Fulfillment, ...] = ()
    payments: tuple[Payment, ...] = ()
    shipping_price: Money | None = None
    order_discount: Money | None = None  # order-level discount not already in unit prices
    user_id: str | None = None
    shipping_address: Address | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    language_code: str | None = None  # the language the shopper ordered in ("de", "pt_BR"), when known
    # what is derived from the snapshot once, not once per line (an order is read-only): lookups by line id,
    # and derived values other domain modules keep here (refund_math's paid line totals)
    memo: dict[str, object] = field(default_factory=dict, init=False, repr=False, compare=False)

    def _index(self) -> dict[str, object]:
        if "lines" not in self.memo:
            shipped: dict[str, int] = {}
            last: dict[str, datetime] = {}
            for f in self.fulfillments:
                for fl in f.lines:
                    shipped[fl.order_line_id] = shipped.get(fl.order_line_id, 0) + fl.quantity
                    if fl.order_line_id not in last or f.created_at > last[fl.order_line_id]:
                        last[fl.order_line_id] = f.created_at
            self.memo.update(lines={line.id: line for line in self.lines}, shipped=shipped, shipped_at=last)
        return self.memo

    def line(self, line_id: str) -> OrderLine | None:
        lines: dict[str, OrderLine] = self._index()["lines"]  # type: ignore[assignment]
        return lines.get(line_id)

    def fulfilled_quantity(self, line_id: str) -> int:
        shipped: dict[str, int] = self._index()["shipped"]  # type: ignore[assignment]
        return shipped.get(line_id, 0)

    def fulfilled_at(self, line_id: str) -> datetime | None:
        """The latest fulfillment containing the line (the most generous window start)."""
        last: dict[str, datetime] = self._index()["shipped_at"]  # type: ignore[assignment]
        return last.get(line_id)

    @property
    def charged(self) -> Money:
        return total([p.charged for p in self.payments], self.currency)

    @property
    def refunded_elsewhere(self) -> Money:
        return total([p.refunded for p in self.payments], self.currency)

    def owned_by(self, email: str | None, user_id: str | None = None) -> bool:
        if user_id and self.user_id and user_id == self.user_id:
            return True
        return email is not None and email.strip().lower() == self.user_email.strip().lower() != ""
