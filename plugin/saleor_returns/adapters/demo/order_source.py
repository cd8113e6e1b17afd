"""The demo store as an OrderSource: orders from a validated DemoStore, no network."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ...domain.catalog import Product
from ...domain.order import Address, Channel, Order
from .orders_file import DemoStore, load_demo_store


class DemoOrderSource:
    """Serves the orders of a DemoStore; implements ports.OrderSource."""

    def __init__(self, store: DemoStore) -> None:
        self.store = store

    @classmethod
    def from_file(cls, path: Path, now: datetime) -> "DemoOrderSource":
        """Load and validate a demo orders file (raises DemoStoreError)."""
        return cls(load_demo_store(path, now))

    async def get_order(self, order_id: str) -> Order | None:
        """The order with this id, or None."""
        return self.store.orders.get(order_id)

    async def get_orders(self, order_ids: Sequence[str]) -> dict[str, Order]:
        """The orders with these ids that exist, by id."""
        return {i: self.store.orders[i] for i in order_ids if i in self.store.orders}

    async def get_channel(self, slug: str) -> Channel | None:
        """The channel with this slug, or None."""
        return self.store.channels.get(slug)

    async def get_product(self, product_id: str, channel_slug: str) -> Product | None:
        """The product with its variants and the stock the file gives (what was sent since is not taken off
        here: the replacements ledger knows it)."""
        product, channel = self.store.products.get(product_id), self.store.channels.get(channel_slug)
        return product.in_currency(channel.currency) if product and channel else None

    def order_by_number(self, number: str) -> Order | None:
        """The order a shopper knows by its number (as printed on the receipt), or None."""
        for order in self.store.orders.values():
            if order.number == number:
                return order
        return None

    def return_address(self, channel_slug: str) -> Address:
        """Where returns for the channel are shipped to. Raises KeyError for an unknown channel."""
        try:
            return self.store.return_addresses[channel_slug]
        except KeyError:
            raise KeyError(f"unknown channel {channel_slug!r}") from None
