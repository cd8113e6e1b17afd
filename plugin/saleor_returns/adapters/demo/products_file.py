"""The demo orders file's catalog: "products" with their variants, prices and stock (exchanges.md).

    "products": [{"id": "P-SHOE", "name": "Trail Shoe",
                  "variants": [{"id": "V-SHOE-42", "name": "42", "sku": "SHOE-42", "unitPriceGross": "89.00",
                                "stock": 5}, ...]}]

A variant's price is in the currency of the channel that sells it (the file has one price per variant; an
order's line names its product with "productId" and its variant with "variantId").
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ...domain.catalog import Product, Variant
from ...domain.money import Money, parse_decimal
from .entries import Entry, shown


@dataclass(frozen=True, slots=True)
class DemoVariant:
    id: str
    name: str
    sku: str | None
    unit_price: Decimal
    stock: int


@dataclass(frozen=True, slots=True)
class DemoProduct:
    id: str
    name: str
    variants: tuple[DemoVariant, ...]

    def in_currency(self, currency: str) -> Product:
        return Product(self.id, self.name, tuple(
            Variant(v.id, v.name, v.sku, Money(v.unit_price, currency), v.stock) for v in self.variants))


def _stock(e: Entry) -> int:
    value = e.raw.get("stock", 0)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise e.error("stock", f"expected a whole number of units, 0 or more, got {shown(value)}")
    return value


def _price(e: Entry) -> Decimal:
    value = e.raw.get("unitPriceGross")
    if value is None or isinstance(value, float):
        raise e.error("unitPriceGross", f"expected an amount as a string such as \"89.00\", got {shown(value)}")
    try:
        amount = parse_decimal(value)
    except ValueError as exc:
        raise e.error("unitPriceGross", str(exc)) from None
    if amount < 0:
        raise e.error("unitPriceGross", f"must not be negative: {value!r}")
    return amount


def _variant(e: Entry) -> DemoVariant:
    return DemoVariant(id=e.text("id", allow_int=True), name=e.text("name", allow_int=True),
                       sku=e.opt_text("sku", allow_int=True), unit_price=_price(e), stock=_stock(e))


def _product(e: Entry, variant_ids: set[str]) -> DemoProduct:
    variants = []
    for j, raw in enumerate(e.items("variants", required=True)):
        v = e.child("variants", j, raw, "id")
        variant = _variant(v)
        if variant.id in variant_ids:
            raise v.error("id", f"duplicate variant id {variant.id!r}")
        variant_ids.add(variant.id)
        variants.append(variant)
    return DemoProduct(id=e.text("id", allow_int=True), name=e.text("name"), variants=tuple(variants))


def parse_products(top: Entry) -> dict[str, DemoProduct]:
    products: dict[str, DemoProduct] = {}
    variant_ids: set[str] = set()
    for i, raw in enumerate(top.items("products")):
        e = top.child("products", i, raw, "id")
        product = _product(e, variant_ids)
        if product.id in products:
            raise e.error("id", f"duplicate product id {product.id!r}")
        products[product.id] = product
    return products
