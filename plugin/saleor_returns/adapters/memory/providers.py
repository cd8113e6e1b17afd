"""In-memory providers (ports.py): a clock, an order source, a carrier and a store recorder that answer at
once, count what they were asked and can be told to fail. Service tests run on them in milliseconds; a
policy replay runs on them and calls nobody. The refund gateway of this kind is adapters/refunds/simulated.py.
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ...domain.catalog import Product
from ...domain.money import Money
from ...domain.order import Address, Channel, Order
from ...ports import (
    Clock,
    IssuedLabel,
    LabelError,
    LabelRequest,
    ReturnRecord,
    StoreRecordError,
    UpstreamUnavailable,
    VoidOutcome,
)


class FixedClock:
    """A clock that stands still until moved."""

    def __init__(self, at: datetime | None = None) -> None:
        self.at = at or datetime(2026, 11, 25, 17, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at

    def advance(self, **kwargs: float) -> None:
        self.at += timedelta(**kwargs)


@dataclass
class MemoryOrders:
    """ports.OrderSource over dictionaries; `down` makes every read an outage."""

    orders: dict[str, Order] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    return_addresses: dict[str, Address] = field(default_factory=dict)
    products: dict[str, Product] = field(default_factory=dict)
    down: bool = False
    reads: int = 0

    async def get_order(self, order_id: str) -> Order | None:
        self._read()
        return self.orders.get(order_id)

    async def get_orders(self, order_ids: Sequence[str]) -> dict[str, Order]:
        self._read()
        return {i: self.orders[i] for i in order_ids if i in self.orders}

    async def get_channel(self, slug: str) -> Channel | None:
        self._read()
        return self.channels.get(slug)

    async def get_product(self, product_id: str, channel_slug: str) -> Product | None:
        self._read()
        return self.products.get(product_id)

    def order_by_number(self, number: str) -> Order | None:
        return next((o for o in self.orders.values() if o.number == number), None)

    def return_address(self, channel_slug: str) -> Address:
        return self.return_addresses[channel_slug]

    def _read(self) -> None:
        self.reads += 1
        if self.down:
            raise UpstreamUnavailable("the store is down (memory)")


@dataclass
class MemoryCarrier:
    """ports.LabelCarrier that sells labels for nothing. Like EasyPost and Shippo it prepares a new shipment
    per call and sells one label per shipment (a purchase without the prepared shipment's reference prepares
    another and buys again); with `prepares_shipments=False`, like the local carrier, it draws one label per
    idempotency key. Labels are valid `valid_days` from the clock's now. `fail_with` makes the next purchases
    raise it; `void_with` is what voids answer."""

    name: str = "memory"
    cost: Money | None = None
    valid_days: int = 30
    clock: Clock = field(default_factory=FixedClock)
    fail_with: LabelError | None = None
    void_with: VoidOutcome = field(default_factory=lambda: VoidOutcome(voided=True, detail="voided"))
    prepares_shipments: bool = True
    bought: dict[str, IssuedLabel] = field(default_factory=dict)  # by shipment reference (or idempotency key)
    shipments: int = 0  # shipments prepared
    purchases: int = 0  # calls to create_label, failed ones too
    voids: list[str] = field(default_factory=list)  # tracking numbers asked to void

    def expected_cost(self, currency: str) -> Money | None:
        return self.cost if self.cost is not None and self.cost.currency == currency.upper() else None

    async def prepare_label(self, request: LabelRequest) -> str | None:
        if not self.prepares_shipments:
            return None
        self.shipments += 1
        return f"shp_mem_{self.shipments:06d}_{_digest(request.idempotency_key)[:8]}"

    async def create_label(self, request: LabelRequest) -> IssuedLabel:
        self.purchases += 1
        if self.fail_with is not None:
            raise self.fail_with
        reference = request.carrier_reference or await self.prepare_label(request)
        key = reference or request.idempotency_key
        found = self.bought.get(key)
        if found is None:
            found = IssuedLabel(carrier=self.name, tracking_number="MEM" + _digest(key)[:12].upper(),
                                pdf=b"%PDF-1.4 memory label", cost=self.cost,
                                expires_at=self.clock.now() + timedelta(days=self.valid_days),
                                carrier_reference=reference, label_format="4x6")
            self.bought[key] = found
        return found

    async def void_label(self, carrier_reference: str | None, tracking_number: str) -> VoidOutcome:
        self.voids.append(tracking_number)
        return self.void_with


@dataclass
class MemoryRecorder:
    """ports.StoreRecorder keeping what each return's store was told; `fail_with` makes writes fail."""

    tenants: frozenset[str] = frozenset()  # the tenants whose books are written back (empty: every tenant)
    fail_with: Exception | None = None
    records: list[ReturnRecord] = field(default_factory=list)
    written: dict[str, ReturnRecord] = field(default_factory=dict)  # by return id: the last record written

    def handles(self, tenant: str) -> bool:
        return not self.tenants or tenant in self.tenants

    async def record(self, record: ReturnRecord) -> list[str]:
        if not self.handles(record.tenant):
            return []  # not such a store: nothing to tell (SaleorWriteback: no installation, no call)
        self.records.append(record)
        if self.fail_with is not None:
            if isinstance(self.fail_with, UpstreamUnavailable | StoreRecordError):
                raise self.fail_with
            raise StoreRecordError(str(self.fail_with))
        before = self.written.get(record.return_id)
        self.written[record.return_id] = record
        if before is None:
            return ["returned products", "note", "summary"]
        return ["summary"] if before != record else []


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:20]
