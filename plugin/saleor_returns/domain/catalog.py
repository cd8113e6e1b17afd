"""The store's products as exchanges see them: a product's variants, their prices and stock (read-only)."""
from __future__ import annotations

from dataclasses import dataclass

from .money import Money


@dataclass(frozen=True, slots=True)
class Variant:
    id: str
    name: str  # "43", "Blue / M"
    sku: str | None
    unit_price: Money  # gross, what a shopper pays for one unit in the order's channel
    stock: int  # units the store can send now


@dataclass(frozen=True, slots=True)
class Product:
    id: str
    name: str
    variants: tuple[Variant, ...]

    def variant(self, variant_id: str) -> Variant | None:
        return next((v for v in self.variants if v.id == variant_id), None)
