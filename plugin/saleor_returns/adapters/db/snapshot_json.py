"""The decision snapshot as it is stored (returns.decision_seen, a JSON column): the order as it was read, what
was asked, the history the decision counted, and what it decided. Amounts are decimal strings, times ISO 8601
with offset; `replayable: false` marks snapshots backfilled by migration 0011 without their order."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any

from ...domain.decision import RequestedLine
from ...domain.decision_snapshot import DecisionOutcome, DecisionSnapshot, KeepItemReturn
from ...domain.lifecycle import Resolution, ReturnStatus
from ...domain.money import Money
from ...domain.order import Address, Channel, Fulfillment, FulfillmentLine, Order, OrderLine, Payment

FORMAT = 1


def snapshot_to_json(s: DecisionSnapshot) -> dict[str, Any]:
    o = s.outcome
    return {
        "format": FORMAT, "replayable": s.replayable, "why_not_replayable": s.why_not_replayable,
        "decided_at": s.decided_at.isoformat(), "policy_version": s.policy_version, "currency": s.currency,
        "requested": [{"line": r.line_id, "quantity": r.quantity, "reason": r.reason, "comment": r.comment}
                      for r in s.requested],
        "exception_requested": s.exception_requested,
        "returned": dict(s.returned), "committed": {k: str(v) for k, v in s.committed.items()},
        "keep_item_returns": [[k.at.isoformat(), str(k.amount.amount), k.amount.currency] for k in s.keep_item_returns],
        "label_cost": _money_out(s.label_cost),
        "outcome": {"status": o.status.value, "resolution": o.resolution.value if o.resolution else None,
                    "refund": str(o.refund.amount), "restocking_fee": str(o.restocking_fee.amount),
                    "shipping_deduction": str(o.shipping_deduction.amount),
                    "shipping_refund": str(o.shipping_refund.amount)},
        "order": order_to_json(s.order) if s.order is not None else None,
    }


def snapshot_from_json(raw: dict[str, Any] | None) -> DecisionSnapshot | None:
    if not raw:
        return None
    cur = raw["currency"]
    o = raw["outcome"]
    order = order_from_json(raw["order"]) if raw.get("order") else None
    return DecisionSnapshot(
        decided_at=_time(raw["decided_at"]), policy_version=int(raw["policy_version"]), currency=cur,
        requested=tuple(RequestedLine(r["line"], int(r["quantity"]), r["reason"], r.get("comment"))
                        for r in raw["requested"]),
        exception_requested=bool(raw["exception_requested"]),
        returned={k: int(v) for k, v in raw["returned"].items()},
        committed={k: Decimal(v) for k, v in raw["committed"].items()},
        keep_item_returns=tuple(KeepItemReturn(_time(at), _m(amount, currency))
                                for at, amount, currency in raw["keep_item_returns"]),
        label_cost=_money_in(raw.get("label_cost")),
        outcome=DecisionOutcome(ReturnStatus(o["status"]), Resolution(o["resolution"]) if o["resolution"] else None,
                                *(_m(o[k], cur) for k in ("refund", "restocking_fee", "shipping_deduction",
                                                                      "shipping_refund"))),
        order=order, why_not_replayable=raw.get("why_not_replayable"))


# --- the order, whole: every field the decision may read -------------------------------------------------------
def order_to_json(o: Order) -> dict[str, Any]:
    return {
        "id": o.id, "number": o.number, "currency": o.currency, "created_at": o.created_at.isoformat(),
        "user_email": o.user_email, "user_id": o.user_id,
        "channel": {"slug": o.channel.slug, "currency": o.channel.currency, "timezone": o.channel.timezone},
        "lines": [{"id": ln.id, "product_name": ln.product_name, "sku": ln.sku, "quantity": ln.quantity,
                   "unit_price": str(ln.unit_price.amount), "product_type": ln.product_type, "category": ln.category,
                   "product": ln.product, "variant_id": ln.variant_id} for ln in o.lines],
        "fulfillments": [{"id": f.id, "created_at": f.created_at.isoformat(),
                          "lines": [[fl.id, fl.order_line_id, fl.quantity] for fl in f.lines]}
                         for f in o.fulfillments],
        "payments": [{"id": p.id, "psp_reference": p.psp_reference, "gateway": p.gateway,
                      "charged": str(p.charged.amount), "refunded": str(p.refunded.amount)} for p in o.payments],
        "shipping_price": _money_out(o.shipping_price), "order_discount": _money_out(o.order_discount),
        "shipping_address": _address_out(o.shipping_address), "metadata": dict(o.metadata),
    }


def order_from_json(raw: dict[str, Any]) -> Order:
    cur = raw["currency"]
    ch = raw["channel"]
    return Order(
        id=raw["id"], number=raw["number"], channel=Channel(ch["slug"], ch["currency"], ch["timezone"]), currency=cur,
        created_at=_time(raw["created_at"]), user_email=raw["user_email"], user_id=raw.get("user_id"),
        lines=tuple(OrderLine(id=ln["id"], product_name=ln["product_name"], sku=ln.get("sku"), quantity=ln["quantity"],
                              unit_price=_m(ln["unit_price"], cur), product_type=ln.get("product_type"),
                              category=ln.get("category"), product=ln.get("product"), variant_id=ln.get("variant_id"))
                    for ln in raw["lines"]),
        fulfillments=tuple(Fulfillment(f["id"], _time(f["created_at"]),
                                       tuple(FulfillmentLine(i, line, int(q)) for i, line, q in f["lines"]))
                           for f in raw["fulfillments"]),
        payments=tuple(Payment(p["id"], p["psp_reference"], p["gateway"], _m(p["charged"], cur),
                               _m(p["refunded"], cur)) for p in raw["payments"]),
        shipping_price=_money_in(raw.get("shipping_price")), order_discount=_money_in(raw.get("order_discount")),
        shipping_address=_address_in(raw.get("shipping_address")), metadata=dict(raw.get("metadata") or {}))


def _time(raw: str) -> datetime:
    return datetime.fromisoformat(raw)


def _money_out(m: Money | None) -> list[str] | None:
    return [str(m.amount), m.currency] if m is not None else None


def _money_in(raw: list[str] | None) -> Money | None:
    return _m(raw[0], raw[1]) if raw else None


@lru_cache(maxsize=8192)
def _m(amount: str, currency: str) -> Money:
    """Money from its stored form; the same prices recur across thousands of snapshots, and Money never changes."""
    return Money(Decimal(amount), currency)


_ADDRESS = ("name", "street", "city", "postal_code", "country", "company", "country_area")


def _address_out(a: Address | None) -> dict[str, Any] | None:
    return {k: getattr(a, k) for k in _ADDRESS} if a is not None else None


def _address_in(raw: dict[str, Any] | None) -> Address | None:
    if not raw:
        return None
    return Address(name=raw["name"], street=raw["street"], city=raw["city"], postal_code=raw["postal_code"],
                   country=raw["country"], company=raw.get("company"), country_area=raw.get("country_area"))
