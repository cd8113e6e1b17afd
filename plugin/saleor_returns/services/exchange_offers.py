"""What an order may be exchanged for: its products as the store sells them now, and the stock left once the
replacements this app already sent are taken off (exchanges.md)."""
from __future__ import annotations

from collections.abc import Mapping

from ..domain.catalog import Product
from ..domain.codes import ReturnError, ReturnErrorCode
from ..domain.exchanges import ExchangeOption, exchange_options
from ..domain.order import Order
from ..domain.policy import ExchangeMode, Policy
from ..ports import UpstreamUnavailable
from .context import Deps
from .loading import UNREACHABLE


async def products_of(deps: Deps, order: Order, policy: Policy, only: set[str] | None = None) -> dict[str, Product]:
    """The catalog entries of the order's lines (of the lines `only` names), read once per product; nothing
    when exchanges are off."""
    if policy.exchange_mode is ExchangeMode.OFF and all(o.exchange_mode is None for o in policy.overrides):
        return {}
    ids = sorted({line.product for line in order.lines if line.product and (only is None or line.id in only)})
    found: dict[str, Product] = {}
    try:
        for product_id in ids:
            product = await deps.orders.get_product(product_id, order.channel.slug)
            if product is not None:
                found[product_id] = product
    except UpstreamUnavailable as exc:
        raise ReturnError(ReturnErrorCode.UPSTREAM_UNAVAILABLE, UNREACHABLE) from exc
    return found


def offers(order: Order, policy: Policy, products: Mapping[str, Product],
           stock: Mapping[str, int] | None = None) -> dict[str, tuple[ExchangeOption, ...]]:
    """Per order line, the variants it may be swapped for (none at all when no product was read: exchanges off)."""
    if not products:
        return dict.fromkeys([line.id for line in order.lines], ())
    return {line.id: exchange_options(line, products.get(line.product or ""), policy, stock) for line in order.lines}


async def stock_left(deps: Deps, products: Mapping[str, Product]) -> dict[str, int]:
    """Units left per variant: the catalog's, less what this app already sent as replacements (the standalone
    store's stock is the file's; a store whose catalog counts its own orders sends nothing here)."""
    ids = [v.id for p in products.values() for v in p.variants]
    sent = await deps.replacements.units_sent(deps.tenant, ids) if deps.replacements is not None and ids else {}
    return {v.id: max(v.stock - sent.get(v.id, 0), 0) for p in products.values() for v in p.variants}
