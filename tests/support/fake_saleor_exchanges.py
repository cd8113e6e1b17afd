"""The fake Saleor's catalog, gift cards and draft orders (exchanges.md), checked against Saleor's SDL like the
rest of the fake: products by slug with their variants' price and stock, giftCards by tag and giftCardCreate,
order(externalReference), draftOrderCreate, orderDiscountAdd and draftOrderComplete (stock allocated there:
INSUFFICIENT_STOCK when a variant ran out)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any


def gid(kind: str, pk: object) -> str:
    import base64
    return base64.b64encode(f"{kind}:{pk}".encode()).decode()


def _errors(code: str, field_name: str) -> dict[str, Any]:
    return {"errors": [{"field": field_name, "message": f"{field_name}: {code}", "code": code}]}


# what a draft may ship with (Order.shippingMethods): Saleor lists the channel's methods for the address, some
# inactive (excluded by a weight or price limit)
SHIPPING_METHODS = (
    {"id": gid("ShippingMethod", 1), "name": "Express", "active": True, "price": {"amount": 19.0, "currency": "USD"}},
    {"id": gid("ShippingMethod", 2), "name": "Standard", "active": True, "price": {"amount": 5.0, "currency": "USD"}},
    {"id": gid("ShippingMethod", 3), "name": "Free over 500", "active": False,
     "price": {"amount": 0.0, "currency": "USD"}},
)


class CatalogState:
    """What the fake keeps for exchanges (a part of FakeSaleor)."""

    def __init__(self) -> None:
        self.products: dict[str, dict[str, Any]] = {}  # by slug
        self.stock: dict[str, int] = {}  # variant id -> units
        self.gift_cards: list[dict[str, Any]] = []
        self.prices: dict[str, tuple[Decimal, str]] = {}  # variant id -> gross unit price
        self.shipping_methods: list[dict[str, Any]] = [dict(m) for m in SHIPPING_METHODS]  # for new drafts

    def add_product(self, slug: str, name: str, variants: list[dict[str, Any]]) -> dict[str, Any]:
        """`variants`: {id, name, sku, price, currency, stock}."""
        nodes = []
        for v in variants:
            self.stock[v["id"]] = v.get("stock", 0)
            self.prices[v["id"]] = (Decimal(str(v["price"])), v.get("currency", "USD"))
            amount, currency = self.prices[v["id"]]
            nodes.append({"id": v["id"], "name": v["name"], "sku": v.get("sku"),
                          "quantityAvailable": (lambda vid: lambda info, **_: self.stock.get(vid, 0))(v["id"]),
                          "pricing": lambda info, _a=amount, _c=currency, **_: {"price": {
                              "gross": {"amount": _a, "currency": _c}, "net": {"amount": _a, "currency": _c},
                              "tax": {"amount": 0, "currency": _c}, "currency": _c}}})
        product = {"id": gid("Product", slug), "slug": slug, "name": name, "variants": nodes}
        self.products[slug] = product
        return product

    def charged_total(self, order: dict[str, Any]) -> Decimal:
        """What the shopper pays for an order the fake made: the lines less the discount."""
        return order["_total"] * (Decimal(100) - order["_discount_percent"]) / Decimal(100)


class ExchangeRoot:
    """Root fields of the fake for exchanges; mixed into fake_saleor.Root (`self.fake`, `self._need`)."""

    fake: Any

    def _need(self, permission: str | None = None) -> Any:  # provided by Root
        raise NotImplementedError

    def product(self, info: Any, slug: str | None = None, channel: str | None = None, **_: Any) -> Any:
        return self.fake.catalog.products.get(slug or "")

    def giftCards(self, info: Any, filter: dict[str, Any] | None = None, first: int | None = None,  # noqa: N802, A002
                  **_: Any) -> dict[str, Any]:
        self._need("MANAGE_GIFT_CARD")
        tags = set((filter or {}).get("tags") or ())
        found = [c for c in self.fake.catalog.gift_cards if not tags or tags & set(c["_tags"])]
        page = found[:first] if first is not None else found
        return {"edges": [{"node": c, "cursor": c["id"]} for c in page],
                "pageInfo": {"hasNextPage": len(page) < len(found), "hasPreviousPage": False},
                "totalCount": len(found)}

    def giftCardCreate(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        self._need("MANAGE_GIFT_CARD")
        balance = input["balance"]
        pk = next(self.fake._ids)
        card = {"id": gid("GiftCard", pk), "code": f"GC-{pk:04d}-FAKE",
                "_tags": [t.lower() for t in input.get("addTags") or ()],  # Saleor lower-cases tags, filters as given
                "initialBalance": {"amount": Decimal(str(balance["amount"])), "currency": balance["currency"]},
                "_email": input.get("userEmail"), "_channel": input.get("channel"), "_note": input.get("note"),
                "_private": {m["key"]: m["value"] for m in input.get("privateMetadata") or ()}}
        self.fake.catalog.gift_cards.append(card)
        return {"giftCard": card, "errors": []}

    def draftOrderCreate(self, info: Any, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, A002
        self._need("MANAGE_ORDERS")
        pk = next(self.fake._ids)
        lines = []
        total = Decimal(0)
        for i, ln in enumerate(input.get("lines") or (), 1):
            price, currency = self.fake.catalog.prices.get(ln["variantId"], (Decimal(0), "USD"))
            total += price * ln["quantity"]
            lines.append({"id": gid("OrderLine", f"{pk}-{i}"), "variantId": ln["variantId"], "quantity": ln["quantity"],
                          "unitPrice": price, "currency": currency})
        order = {"__typename": "Order", "id": gid("Order", f"draft-{pk}"), "number": str(1000 + pk),
                 "status": "DRAFT", "userEmail": input.get("userEmail"), "_external": input.get("externalReference"),
                 "_lines": lines, "_total": total, "_discount_percent": Decimal(0), "_channel": input.get("channelId"),
                 "_shipping": input.get("shippingAddress"), "_note": input.get("customerNote"),
                 "_private": {m["key"]: m["value"] for m in input.get("privateMetadata") or ()},
                 "events": [], "metadata": [], "grantedRefunds": [], "transactions": [], "fulfillments": [],
                 "shippingMethods": [dict(m) for m in self.fake.catalog.shipping_methods],
                 "_shipping_method": None}
        self.fake.orders[order["id"]] = order
        return {"order": order, "errors": []}

    def orderDiscountAdd(self, info: Any, orderId: str, input: dict[str, Any]) -> dict[str, Any]:  # noqa: N802, N803, A002
        self._need("MANAGE_ORDERS")
        order = self.fake.orders.get(orderId)
        if order is None or order.get("status") != "DRAFT":
            return _errors("CANNOT_DISCOUNT", "orderId")
        order["_discount_percent"] = Decimal(str(input["value"])) if input["valueType"] == "PERCENTAGE" else Decimal(0)
        return {"order": order, "errors": []}

    def draftOrderUpdate(self, info: Any, input: dict[str, Any], id: str | None = None,  # noqa: N802, A002
                         **_: Any) -> dict[str, Any]:
        self._need("MANAGE_ORDERS")
        order = self.fake.orders.get(id or "")
        if order is None or order.get("status") != "DRAFT":
            return _errors("NOT_FOUND", "id")
        if "shippingMethod" in input:
            if input["shippingMethod"] not in {m["id"] for m in order["shippingMethods"] if m["active"]}:
                return _errors("SHIPPING_METHOD_NOT_APPLICABLE", "shippingMethod")
            order["_shipping_method"] = input["shippingMethod"]
        return {"order": order, "errors": []}

    def draftOrderComplete(self, info: Any, id: str) -> dict[str, Any]:  # noqa: N802, A002
        self._need("MANAGE_ORDERS")
        order = self.fake.orders.get(id)
        if order is None or order.get("status") != "DRAFT":
            return _errors("NOT_FOUND", "id")
        if not order.get("_shipping_method"):  # as Saleor 3.23 answers a draft of shippable items without one
            return {"order": None, "errors": [{"field": "shipping", "code": "SHIPPING_METHOD_REQUIRED",
                                               "message": "Shipping method is required."}]}
        stock = self.fake.catalog.stock
        for ln in order["_lines"]:
            if stock.get(ln["variantId"], 0) < ln["quantity"]:
                return {"order": None, "errors": [{"field": "lines", "code": "INSUFFICIENT_STOCK",
                                                   "message": "Insufficient product stock"}]}
        for ln in order["_lines"]:
            stock[ln["variantId"]] -= ln["quantity"]
        order["status"] = "UNFULFILLED"
        return {"order": order, "errors": []}
