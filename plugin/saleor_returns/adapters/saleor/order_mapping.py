"""Saleor's order and channel JSON (graphql/saleor/ReturnsOrder.graphql) → the domain's read-only snapshot."""
from __future__ import annotations

import base64
import binascii
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from ...domain.money import Money
from ...domain.order import Address, Channel, Fulfillment, FulfillmentLine, Order, OrderLine, Payment
from ...saleor_settings import SaleorSettings, valid_timezone
from .markers import MARKER_PREFIX, Marker, recorded_only, refund_id_in

log = logging.getLogger(__name__)
SHIPPED = "FULFILLED"  # units still with the customer; RETURNED ones come back through ours (markers)
RETURN_WAREHOUSE_KEY = "returns.warehouse"  # channel metadata: the slug of the warehouse returns go to
GRANT_COUNTS = frozenset({"PENDING", "SUCCESS"})  # our granted refunds Saleor already counts as refunded


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    channel: Channel
    return_address: Address | None


def parse_datetime(raw: str) -> datetime:
    value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def money(raw: dict[str, Any] | None, currency: str) -> Money:
    """Saleor's Money {amount, currency}; amounts arrive as Decimal (the client parses floats so)."""
    if not raw:
        return Money.zero(currency)
    return Money(Decimal(str(raw["amount"])), str(raw.get("currency") or currency))


def address(raw: dict[str, Any] | None) -> Address | None:
    if not raw:
        return None
    street = ", ".join(p for p in (raw.get("streetAddress1"), raw.get("streetAddress2")) if p)
    name = " ".join(p for p in (raw.get("firstName"), raw.get("lastName")) if p)
    return Address(name=name or (raw.get("companyName") or ""), street=street, city=raw.get("city") or "",
                   postal_code=raw.get("postalCode") or "", country=(raw.get("country") or {}).get("code") or "",
                   company=raw.get("companyName") or None, country_area=raw.get("countryArea") or None)


def channel_info(raw: dict[str, Any], settings: SaleorSettings) -> ChannelInfo:
    """The channel, its time zone (metadata "returns.timezone", else the settings) and return address."""
    slug = raw["slug"]
    tz = (raw.get("timezone") or "").strip()
    if not tz or not valid_timezone(tz):
        if tz:
            log.warning("channel time zone is not valid", extra={"channel": slug, "timezone": tz})
        tz = settings.timezone_for(slug)
    warehouses = raw.get("warehouses") or []
    wanted = (raw.get("returnWarehouse") or "").strip()
    chosen = next((w for w in warehouses if wanted and w.get("slug") == wanted), warehouses[0] if warehouses else None)
    ship_to = address(chosen.get("address")) if chosen else None
    if ship_to is not None and chosen and not ship_to.name:
        ship_to = Address(chosen.get("name") or "Returns", ship_to.street, ship_to.city, ship_to.postal_code,
                          ship_to.country, ship_to.company, ship_to.country_area)
    return ChannelInfo(Channel(slug, raw["currencyCode"], tz), ship_to)


def order_from(raw: dict[str, Any], channel: Channel) -> Order:
    """The snapshot the engine decides on. Prices are Saleor's unit prices after discounts, gross."""
    currency = ((raw.get("total") or {}).get("gross") or {}).get("currency") or channel.currency
    markers = _markers(raw)
    user = raw.get("user") or {}
    return Order(
        id=raw["id"], number=str(raw["number"]), channel=channel, currency=currency,
        created_at=parse_datetime(raw["created"]), user_email=(raw.get("userEmail") or user.get("email") or ""),
        lines=tuple(_line(line, currency) for line in raw.get("lines") or ()),
        fulfillments=_fulfillments(raw, markers),
        payments=_payments(raw, currency, markers),
        shipping_price=money((raw.get("shippingPrice") or {}).get("gross"), currency),
        user_id=user.get("id"), shipping_address=address(raw.get("shippingAddress")),
        metadata={m["key"]: m["value"] for m in raw.get("metadata") or ()},
        language_code=language(raw.get("languageCodeEnum")))


def language(raw: str | None) -> str | None:
    """Saleor's LanguageCodeEnum ("DE", "PT_BR", "ZH_HANS") → a locale name ("de", "pt_BR", "zh_Hans")."""
    if not raw:
        return None
    lang, _, rest = str(raw).partition("_")
    if not rest:
        return lang.lower()
    return f"{lang.lower()}_{rest.upper() if len(rest) == 2 else rest.title()}"


def _line(raw: dict[str, Any], currency: str) -> OrderLine:
    variant = raw.get("variant") or {}
    product = variant.get("product") or {}
    variant_name = raw.get("variantName") or ""
    if variant_name == variant.get("id") or is_global_id(variant_name, "ProductVariant"):
        variant_name = ""  # Saleor names an unnamed variant by its id: nothing a person should read
    name = raw["productName"] + (f" ({variant_name})" if variant_name else "")
    return OrderLine(id=raw["id"], product_name=name, sku=raw.get("productSku"), quantity=int(raw["quantity"]),
                     unit_price=money((raw.get("unitPrice") or {}).get("gross"), currency),
                     product_type=(product.get("productType") or {}).get("name"),
                     category=(product.get("category") or {}).get("name"), product=product.get("slug"),
                     variant_id=variant.get("id"))


def is_global_id(value: str, type_name: str) -> bool:
    """Saleor ids are base64("<Type>:<pk>"): anything else is not worth a round trip (nor a name to show)."""
    try:
        decoded = base64.b64decode(value.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return False
    kind, sep, pk = decoded.partition(":")
    return kind == type_name and bool(sep) and bool(pk)


def _markers(raw: dict[str, Any]) -> list[Marker]:
    found = []
    for item in raw.get("privateMetadata") or ():
        if str(item.get("key", "")).startswith(MARKER_PREFIX):
            marker = Marker.from_json(item.get("value"))
            if marker is not None:
                found.append(marker)
    return found


def _fulfillments(raw: dict[str, Any], markers: list[Marker]) -> tuple[Fulfillment, ...]:
    """Shipped units: FULFILLED fulfillments, plus the units our own returns moved to RETURNED ones in
    Saleor (our database counts those as returned; units returned outside this app stay out)."""
    out = []
    for f in raw.get("fulfillments") or ():
        if f.get("status") != SHIPPED:
            continue
        lines = tuple(FulfillmentLine(fl["id"], (fl.get("orderLine") or {}).get("id", ""), int(fl["quantity"]))
                      for fl in f.get("lines") or () if (fl.get("orderLine") or {}).get("id"))
        out.append(Fulfillment(f["id"], parse_datetime(f["created"]), lines))
    by_date: dict[str, list[FulfillmentLine]] = defaultdict(list)
    for marker in markers:
        if not marker.returned_in_saleor():
            continue
        for ml in marker.lines:
            shipped = ml.shipped or raw["created"]
            by_date[shipped].append(FulfillmentLine(f"{marker.number}:{ml.line}", ml.line, ml.qty))
    for shipped, moved in sorted(by_date.items()):
        out.append(Fulfillment(f"returned-through-saleor-returns@{shipped}", parse_datetime(shipped), tuple(moved)))
    return tuple(out)


def _payments(raw: dict[str, Any], currency: str, markers: list[Marker]) -> tuple[Payment, ...]:
    """One payment per charged transaction. Saleor's chargedAmount is what is still charged (refunds, also
    pending ones, are taken off it), so what was charged is charged + refunded + refund pending; `refunded`
    is what was refunded outside this app: refunded + pending minus our own granted refunds."""
    ours: dict[str, Money] = defaultdict(lambda: Money.zero(currency))
    for grant in raw.get("grantedRefunds") or ():
        transaction = (grant.get("transaction") or {}).get("id")
        counted = grant.get("status") in GRANT_COUNTS or recorded_only(grant.get("reason"))  # (older versions)
        if transaction and counted and refund_id_in(grant.get("reason")):
            ours[transaction] = ours[transaction] + money(grant.get("amount"), currency)
    for marker in markers:  # paid through Stripe directly, booked in our summary: its payment app may report it
        for booked in marker.booked_elsewhere():
            if booked.get("payment") and booked.get("amount"):
                paid = Money(Decimal(booked["amount"]), booked.get("currency") or currency)
                ours[booked["payment"]] = ours[booked["payment"]] + paid
    out = []
    for t in raw.get("transactions") or ():
        refunded = money(t.get("refundedAmount"), currency) + money(t.get("refundPendingAmount"), currency)
        charged = money(t.get("chargedAmount"), currency) + refunded
        if charged.amount <= 0:
            continue
        elsewhere = (refunded - ours[t["id"]]).max(Money.zero(currency))
        out.append(Payment(id=t["id"], psp_reference=t.get("pspReference") or t["id"],
                           gateway=t.get("name") or "saleor", charged=charged, refunded=elsewhere))
    return tuple(out)
