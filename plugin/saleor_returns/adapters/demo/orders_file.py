"""The demo orders file: channels, orders and seed returns, validated once at start-up.

Format (examples/demo-orders.json): a JSON object with "channels", "orders" and optionally
"returns". Unknown keys anywhere are ignored, so a file may carry a top-level "_comment" string
or fields of its own. Datetimes are ISO 8601 with an offset, or an offset from `now` ("-31d",
"-2h", "-90m", "+1d"); days are calendar days at the same wall-clock time in the channel's time
zone, so an order shipped "-31d" is always one calendar day past a 30-day window, DST or not.
Amounts are decimal strings or whole JSON numbers; JSON numbers with a fraction are refused
because floats lose cents. Every error names the entry and the field, e.g.
``orders[2] (ORD-3).lines[0].unitPriceGross: not an amount: 'abc'``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ...domain.money import Money
from ...domain.order import Address, Channel, Fulfillment, FulfillmentLine, Order, OrderLine, Payment
from .entries import DemoStoreError, Entry, shown
from .products_file import DemoProduct, parse_products

DEFAULT_RETURN_ADDRESS = Address(
    name="Returns Department", company="Saleor Demo Store", street="1 Warehouse Way",
    city="Newark", country_area="NJ", postal_code="07105", country="US",
)

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")


@dataclass(frozen=True, slots=True)
class SeedReturnLine:
    order_line_id: str
    quantity: int
    reason: str
    comment: str | None = None


@dataclass(frozen=True, slots=True)
class SeedReturn:
    """An earlier return the demo creates at its first start (someone else creates it)."""

    order_id: str
    email: str
    lines: tuple[SeedReturnLine, ...]


@dataclass(frozen=True)
class DemoStore:
    channels: dict[str, Channel]
    orders: dict[str, Order]
    return_addresses: dict[str, Address]  # per channel slug: the returns warehouse
    returns: tuple[SeedReturn, ...] = field(default=())
    products: dict[str, DemoProduct] = field(default_factory=dict)  # the catalog exchanges choose from


# --- one function per entity kind -------------------------------------------------------------

def _address(parent: Entry, key: str) -> Address | None:
    e = parent.nested(key)
    if e is None:
        return None
    country = e.text("country")
    if not _COUNTRY.match(country):
        raise e.error("country", f"expected a two-letter country code such as US, got {country!r}")
    return Address(name=e.text("name"), street=e.text("street"), city=e.text("city"),
                   postal_code=e.text("postalCode", allow_int=True), country=country.upper(),
                   company=e.opt_text("company"), country_area=e.opt_text("countryArea"))


def _channel(e: Entry) -> Channel:
    zone = e.text("timezone")
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise e.error("timezone", f"unknown time zone {zone!r} (use an IANA name such as America/New_York)") from None
    return Channel(slug=e.text("slug"), currency=e.currency("currency"), timezone=zone)


def _channels(top: Entry) -> tuple[dict[str, Channel], dict[str, Address]]:
    channels: dict[str, Channel] = {}
    addresses: dict[str, Address] = {}
    raws = top.items("channels", required=True)
    if not raws:
        raise top.error("channels", "at least one channel is needed")
    for i, raw in enumerate(raws):
        e = top.child("channels", i, raw, "slug")
        channel = _channel(e)
        if channel.slug in channels:
            raise e.error("slug", f"duplicate channel {channel.slug!r}")
        channels[channel.slug] = channel
        addresses[channel.slug] = _address(e, "returnAddress") or DEFAULT_RETURN_ADDRESS
    return channels, addresses


def _line(e: Entry, currency: str) -> OrderLine:
    return OrderLine(
        id=e.text("id", allow_int=True), product_name=e.text("productName"), sku=e.opt_text("sku"),
        quantity=e.count("quantity"), unit_price=e.amount("unitPriceGross", currency),
        product_type=e.opt_text("productType"), category=e.opt_text("category"),
        product=e.opt_text("productId", allow_int=True) or e.opt_text("product", allow_int=True),
        variant_id=e.opt_text("variantId", allow_int=True),
    )


def _lines(order: Entry, currency: str) -> tuple[OrderLine, ...]:
    raws = order.items("lines", required=True)
    if not raws:
        raise order.error("lines", "an order needs at least one line")
    lines: dict[str, OrderLine] = {}
    for i, raw in enumerate(raws):
        e = order.child("lines", i, raw)
        line = _line(e, currency)
        if line.id in lines:
            raise e.error("id", f"duplicate line id {line.id!r}")
        lines[line.id] = line
    return tuple(lines.values())


@dataclass
class _Shipped:
    """Running totals while reading one order's fulfillments (fulfilled ≤ ordered, unique ids)."""

    ordered: dict[str, int]
    shipped: dict[str, int] = field(default_factory=dict)
    line_ids: set[str] = field(default_factory=set)


def _fulfillment_line(e: Entry, default_id: str, state: _Shipped) -> FulfillmentLine:
    line_id = e.text("orderLineId", allow_int=True)
    if line_id not in state.ordered:
        raise e.error("orderLineId", f"the order has no line {line_id!r}")
    quantity = e.count("quantity")
    state.shipped[line_id] = state.shipped.get(line_id, 0) + quantity
    if state.shipped[line_id] > state.ordered[line_id]:
        raise e.error("quantity", f"{state.shipped[line_id]} units of line {line_id} fulfilled, "
                                  f"but only {state.ordered[line_id]} ordered")
    fl_id = e.opt_text("id", allow_int=True) or default_id
    if fl_id in state.line_ids:
        raise e.error("id", f"duplicate fulfillment line id {fl_id!r}")
    state.line_ids.add(fl_id)
    return FulfillmentLine(id=fl_id, order_line_id=line_id, quantity=quantity)


def _fulfillment(e: Entry, now: datetime, zone: ZoneInfo, ordered_at: datetime, state: _Shipped) -> Fulfillment:
    f_id = e.text("id", allow_int=True)
    created = e.moment("createdAt", now, zone)
    if created < ordered_at:
        raise e.error("createdAt", "the fulfillment is dated before the order was placed")
    raws = e.items("lines", required=True)
    if not raws:
        raise e.error("lines", "a fulfillment needs at least one line")
    lines = tuple(_fulfillment_line(e.child("lines", j, raw), f"{f_id}-{j + 1}", state)
                  for j, raw in enumerate(raws))
    return Fulfillment(id=f_id, created_at=created, lines=lines)


def _fulfillments(order: Entry, now: datetime, zone: ZoneInfo, ordered_at: datetime,
                  lines: tuple[OrderLine, ...]) -> tuple[Fulfillment, ...]:
    state = _Shipped(ordered={line.id: line.quantity for line in lines})
    result: dict[str, Fulfillment] = {}
    for i, raw in enumerate(order.items("fulfillments")):
        e = order.child("fulfillments", i, raw)
        fulfillment = _fulfillment(e, now, zone, ordered_at, state)
        if fulfillment.id in result:
            raise e.error("id", f"duplicate fulfillment id {fulfillment.id!r}")
        result[fulfillment.id] = fulfillment
    return tuple(result.values())


def _payment(e: Entry, default_id: str, currency: str) -> Payment:
    charged = e.amount("chargedAmount", currency)
    refunded = e.opt_amount("refundedAmount", currency) or Money.zero(currency)
    if refunded > charged:
        raise e.error("refundedAmount", f"refunded {refunded} is more than charged {charged}")
    return Payment(id=e.opt_text("id", allow_int=True) or default_id, psp_reference=e.text("pspReference"),
                   gateway=e.text("gateway"), charged=charged, refunded=refunded)


def _payments(order: Entry, order_id: str, currency: str) -> tuple[Payment, ...]:
    result: dict[str, Payment] = {}
    for i, raw in enumerate(order.items("payments")):
        e = order.child("payments", i, raw)
        payment = _payment(e, f"{order_id}-P{i + 1}", currency)
        if payment.id in result:
            raise e.error("id", f"duplicate payment id {payment.id!r}")
        result[payment.id] = payment
    return tuple(result.values())


def _metadata(order: Entry) -> dict[str, str]:
    e = order.nested("metadata")
    if e is None:
        return {}
    for key, value in e.raw.items():
        if not isinstance(value, str):
            raise e.error(key, f"metadata values must be strings, got {shown(value)}")
    return dict(e.raw)


def _order_channel(e: Entry, channels: dict[str, Channel]) -> tuple[Channel, str]:
    slug = e.text("channel")
    channel = channels.get(slug)
    if channel is None:
        raise e.error("channel", f"unknown channel {slug!r} (known: {', '.join(sorted(channels))})")
    if e.raw.get("currency") is None:
        return channel, channel.currency
    currency = e.currency("currency")
    if currency != channel.currency:
        raise e.error("currency", f"{currency} differs from the currency of channel {slug} ({channel.currency})")
    return channel, currency


def _order(e: Entry, channels: dict[str, Channel], now: datetime) -> Order:
    order_id = e.text("id", allow_int=True)
    channel, currency = _order_channel(e, channels)
    zone = ZoneInfo(channel.timezone)
    created = e.moment("createdAt", now, zone)
    lines = _lines(e, currency)
    return Order(
        id=order_id, number=e.text("number", allow_int=True), channel=channel, currency=currency,
        created_at=created, user_email=e.text("userEmail"), lines=lines,
        fulfillments=_fulfillments(e, now, zone, created, lines),
        payments=_payments(e, order_id, currency),
        shipping_price=e.opt_amount("shippingPriceGross", currency),
        order_discount=e.opt_amount("orderDiscountGross", currency),
        user_id=e.opt_text("userId", allow_int=True),
        shipping_address=_address(e, "shippingAddress"),
        metadata=_metadata(e),
        language_code=e.opt_text("language"),  # e.g. "de": the shopper's e-mails are written in it
    )


def _orders(top: Entry, channels: dict[str, Channel], now: datetime) -> dict[str, Order]:
    orders: dict[str, Order] = {}
    seen_ids: dict[str, str] = {}
    seen_numbers: dict[str, str] = {}
    for i, raw in enumerate(top.items("orders", required=True)):
        e = top.child("orders", i, raw, "id")
        order = _order(e, channels, now)
        if order.id in seen_ids:
            raise e.error("id", f"duplicate order id {order.id!r} (also {seen_ids[order.id]})")
        if order.number in seen_numbers:
            raise e.error("number", f"duplicate order number {order.number!r} (also {seen_numbers[order.number]})")
        seen_ids[order.id] = seen_numbers[order.number] = f"orders[{i}]"
        orders[order.id] = order
    return orders


def _seed_line(e: Entry, order: Order, taken: dict[tuple[str, str], int]) -> SeedReturnLine:
    line_id = e.text("orderLineId", allow_int=True)
    if order.line(line_id) is None:
        raise e.error("orderLineId", f"order {order.id} has no line {line_id!r}")
    quantity = e.count("quantity")
    key = (order.id, line_id)
    taken[key] = taken.get(key, 0) + quantity
    shipped = order.fulfilled_quantity(line_id)
    if taken[key] > shipped:
        raise e.error("quantity", f"{taken[key]} units of line {line_id} returned, but only {shipped} shipped")
    return SeedReturnLine(order_line_id=line_id, quantity=quantity, reason=e.text("reason"),
                          comment=e.opt_text("comment"))


def _seed_return(e: Entry, orders: dict[str, Order], taken: dict[tuple[str, str], int]) -> SeedReturn:
    order_id = e.text("orderId", allow_int=True)
    order = orders.get(order_id)
    if order is None:
        raise e.error("orderId", f"unknown order {order_id!r}")
    email = e.text("email")
    if not order.owned_by(email):
        raise e.error("email", f"{email!r} is not the e-mail address of order {order_id}")
    raws = e.items("lines", required=True)
    if not raws:
        raise e.error("lines", "a return needs at least one line")
    lines = tuple(_seed_line(e.child("lines", j, raw), order, taken) for j, raw in enumerate(raws))
    return SeedReturn(order_id=order_id, email=email, lines=lines)


def _seed_returns(top: Entry, orders: dict[str, Order]) -> tuple[SeedReturn, ...]:
    taken: dict[tuple[str, str], int] = {}  # units per (order, line) over all seed returns
    return tuple(_seed_return(top.child("returns", i, raw, "orderId"), orders, taken)
                 for i, raw in enumerate(top.items("returns")))


def _check_catalog_lines(top: Entry, orders: dict[str, Order], products: dict[str, DemoProduct]) -> None:
    """A line naming a product of the catalog names one of that product's variants."""
    if not products:
        return
    for i, order in enumerate(orders.values()):
        for j, line in enumerate(order.lines):
            product = products.get(line.product or "")
            if product is None or line.variant_id is None:
                continue
            if all(v.id != line.variant_id for v in product.variants):
                where = f"orders[{i}] ({order.id}).lines[{j}]"
                raise DemoStoreError(f"{where}.variantId", f"{line.variant_id!r} is not a variant of {product.id}",
                                     top.source)


# --- public entry points ------------------------------------------------------------------------

def parse_demo_store(data: dict[str, Any], now: datetime, source: str = "<data>") -> DemoStore:
    """Validate the decoded demo file; relative times resolve against `now` (aware). Raises DemoStoreError."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    top = Entry(data, "", source)
    channels, addresses = _channels(top)
    orders = _orders(top, channels, now)
    products = parse_products(top)
    _check_catalog_lines(top, orders, products)
    return DemoStore(channels=channels, orders=orders, return_addresses=addresses,
                     returns=_seed_returns(top, orders), products=products)


def load_demo_store(path: Path, now: datetime) -> DemoStore:
    """Read and validate a demo orders file. Raises DemoStoreError naming the file, entry and field."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise DemoStoreError("file", f"cannot read it: {exc.strerror or exc}", source) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DemoStoreError(f"line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}", source) from exc
    return parse_demo_store(data, now, source)
