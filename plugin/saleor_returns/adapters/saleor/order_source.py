"""Orders from Saleor: an OrderSource (ports.py) for one store, one round trip per order (or per batch)."""
from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from uuid import UUID

from ...domain.catalog import Product, Variant
from ...domain.money import Money, parse_decimal
from ...domain.order import Address, Channel, Order
from ...ports import LABEL_RETURN_ADDRESS, LabelError, UpstreamUnavailable
from ...saleor_settings import SaleorSettings
from .client import SaleorClient
from .errors import SaleorError, SaleorUnavailable
from .order_mapping import RETURN_WAREHOUSE_KEY, ChannelInfo, channel_info, is_global_id, order_from

log = logging.getLogger(__name__)
MAX_PAGE = 100  # Saleor lists at most 100 objects per query

# countries that use no postal codes (common ones; elsewhere a missing one is refused, carriers need it)
NO_POSTAL_CODE = frozenset({"AE", "AG", "AO", "AW", "BF", "BI", "BJ", "BO", "BS", "BW", "BZ", "CD", "CF", "CG", "CI",
                            "CK", "CM", "DJ", "DM", "ER", "FJ", "GA", "GD", "GH", "GM", "GQ", "GY", "HK", "KI", "KM",
                            "KN", "KP", "LY", "ML", "MO", "MR", "MW", "NR", "NU", "QA", "RW", "SB", "SC", "SL", "SR",
                            "ST", "SY", "TF", "TG", "TK", "TL", "TO", "TV", "UG", "VU", "YE", "ZW"})


def missing_address_fields(address: Address) -> list[str]:
    """What a carrier needs and the address lacks: street, city, postal code (where the country has them),
    country."""
    missing = [label for label, value in (("street", address.street), ("city", address.city)) if not value.strip()]
    if not address.postal_code.strip() and address.country.upper() not in NO_POSTAL_CODE:
        missing.append("postal code")
    if not address.country.strip():
        missing.append("country")
    return missing


@dataclass(frozen=True, slots=True)
class OrderRef:
    id: str


class SaleorOrderSource:
    """Reads orders and channels of one Saleor instance with the app's token."""

    def __init__(self, client: SaleorClient, settings: SaleorSettings) -> None:
        self.client = client
        self.settings = settings
        self._channels: dict[str, ChannelInfo] = {}
        self._shop_name: str | None = None

    async def get_order(self, order_id: str) -> Order | None:
        """The order (lines, prices after discounts, fulfillments, transactions, shipping), or None."""
        if not is_global_id(order_id, "Order"):
            return None
        data = await self._call("ReturnsOrder", {"id": order_id})
        raw = data.get("order")
        if raw is None:
            return None
        info = self._remember(channel_info(raw["channel"], self.settings))
        return order_from(raw, info.channel)

    async def get_orders(self, order_ids: Sequence[str]) -> dict[str, Order]:
        """The orders with these ids, by id, in one round trip per 100 (ids that are not orders are left out)."""
        wanted = list(dict.fromkeys(i for i in order_ids if _listable(i)))
        found: dict[str, Order] = {}
        for start in range(0, len(wanted), MAX_PAGE):
            chunk = wanted[start:start + MAX_PAGE]
            data = await self._call("ReturnsOrders", {"ids": chunk, "first": len(chunk)})
            for edge in (data.get("orders") or {}).get("edges") or ():
                raw = edge["node"]
                info = self._remember(channel_info(raw["channel"], self.settings))
                found[raw["id"]] = order_from(raw, info.channel)
        return found

    async def get_channel(self, slug: str) -> Channel | None:
        """The channel (currency, time zone), or None."""
        if slug in self._channels:
            return self._channels[slug].channel
        raw = (await self._call("ReturnsChannel", {"slug": slug})).get("channel")
        return self._remember(channel_info(raw, self.settings)).channel if raw else None

    async def get_product(self, product_id: str, channel_slug: str) -> Product | None:
        """The product (by slug, as order lines name it) with its variants' gross price in the channel and the
        units Saleor can sell now (quantityAvailable)."""
        raw = (await self._call("ExchangeProduct", {"slug": product_id, "channel": channel_slug})).get("product")
        if not raw:
            return None
        variants = []
        for v in raw.get("variants") or ():
            gross = (((v.get("pricing") or {}).get("price") or {}).get("gross")) or None
            if gross is None:
                continue  # not sold in this channel
            variants.append(Variant(v["id"], v.get("name") or v["id"], v.get("sku"),
                                    Money(parse_decimal(str(gross["amount"])), gross["currency"]),
                                    int(v.get("quantityAvailable") or 0)))
        return Product(product_id, raw.get("name") or product_id, tuple(variants))

    def return_address(self, channel_slug: str) -> Address:
        """The channel's return warehouse (channel metadata "returns.warehouse", else its first warehouse).
        Known once the channel or one of its orders was read. Raises KeyError otherwise, and LabelError
        when the warehouse has no address a carrier could deliver to (no label is better than a wrong one)."""
        info = self._channels.get(channel_slug)
        if info is None or info.return_address is None:
            raise KeyError(f"no return warehouse known for channel {channel_slug!r}")
        missing = missing_address_fields(info.return_address)
        if missing:
            raise LabelError(f"the return warehouse {info.return_address.name or '(no name)'!r} of channel "
                             f"{channel_slug!r} has no {', '.join(missing)}: add them to the warehouse in Saleor, "
                             f"or name a warehouse that has them (its slug) in the channel's metadata key "
                             f"{RETURN_WAREHOUSE_KEY!r}", retryable=False, code=LABEL_RETURN_ADDRESS)
        return info.return_address

    async def order_by_number(self, number: str) -> OrderRef | None:
        """The order a shopper knows by its number (as printed on the receipt), or None."""
        if not number.isdigit():
            return None
        edges = ((await self._call("OrderByNumber", {"number": number})).get("orders") or {}).get("edges") or []
        return OrderRef(edges[0]["node"]["id"]) if edges else None

    async def shop_name(self) -> str | None:
        """The shop's name as Saleor's settings give it (read once per process)."""
        if self._shop_name is None:
            self._shop_name = ((await self._call("ShopName", {})).get("shop") or {}).get("name") or ""
        return self._shop_name or None

    async def channel_slugs(self) -> list[str]:
        return [c["slug"] for c in (await self._call("ChannelSlugs", {})).get("channels") or ()]

    def _remember(self, info: ChannelInfo) -> ChannelInfo:
        self._channels[info.channel.slug] = info
        return info

    async def _call(self, name: str, variables: dict[str, object]) -> dict:
        try:
            return await self.client.execute(name, variables)
        except SaleorUnavailable:
            raise
        except SaleorError as exc:  # a revoked token or a refused document: the store cannot answer us
            log.error("saleor refused a read", extra={"operation": name, "api_url": self.client.api_url,
                                                      "error": str(exc), "saleor_codes": list(exc.saleor_codes)})
            raise UpstreamUnavailable(str(exc)) from exc


def _listable(order_id: str) -> bool:
    """An Order id Saleor's `ids` filter accepts: a UUID, or the number of an order from before UUIDs.
    Anything else would fail the whole list for every order in it."""
    if not is_global_id(order_id, "Order"):
        return False
    pk = base64.b64decode(order_id).decode().partition(":")[2]
    try:
        UUID(pk)
    except ValueError:
        return pk.isdigit()
    return True
