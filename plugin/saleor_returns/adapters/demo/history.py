"""A quarter of past returns for the demo store (examples/demo-history.json), so policy previews and insights
have something to show on first start.

The file is a recipe, not a list: a seed, how many days back, returns per day per channel, products with
weights, reasons with weights, and how staff and shoppers went on (reviews decided after some hours, a share
rejected, parcels received after some days, a share never shipped). `expand` turns it into orders (ids
HIST-0001, …; shoppers shopper01@example.net, …, none of the stories of demo-orders.json) and past returns,
the same for the same file and start day. services/seed_history.py plays them through the real services.
"""
from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from ...domain.money import Money
from ...domain.order import Address, Channel, Fulfillment, FulfillmentLine, Order, OrderLine, Payment
from .entries import DemoStoreError
from .orders_file import SeedReturnLine

SHIPPING = {"USD": Decimal("5.99"), "JPY": Decimal("600")}
CITIES = (("Brooklyn", "NY", "11201"), ("Hartford", "CT", "06103"), ("Newark", "NJ", "07102"),
          ("Boston", "MA", "02108"), ("Philadelphia", "PA", "19103"))


@dataclass(frozen=True, slots=True)
class PastReturn:
    """One past request and what followed it (applied only where the decision left room for it)."""

    order: Order
    lines: tuple[SeedReturnLine, ...]
    requested_at: datetime
    review_after: timedelta  # a review waited this long for staff
    rejected: bool  # ... who rejected it
    received_after: timedelta | None  # a shipped-back parcel arrived this long after approval (None: never sent)


@dataclass(frozen=True, slots=True)
class DemoHistory:
    orders: dict[str, Order]
    returns: tuple[PastReturn, ...]  # by request time
    staff: str


def load_history(path: Path, channels: dict[str, Channel], now: datetime) -> DemoHistory:
    """Read and expand the history file; DemoStoreError names what is wrong."""
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DemoStoreError("history", str(exc), str(path)) from exc
    try:
        return expand(spec, channels, now)
    except (KeyError, TypeError, ValueError) as exc:
        raise DemoStoreError("history", repr(exc), str(path)) from exc


def expand(spec: dict[str, Any], channels: dict[str, Channel], now: datetime) -> DemoHistory:
    rng = random.Random(f"{spec['seed']}:{now.date().isoformat()}")
    after = spec["afterRequest"]
    reasons = list(spec["reasons"])
    reason_weights = [spec["reasons"][r] for r in reasons]
    orders: dict[str, Order] = {}
    past: list[PastReturn] = []
    for day in range(int(spec["days"]), 0, -1):
        for slug, cfg in spec["channels"].items():
            channel = channels.get(slug)
            if channel is None:
                raise ValueError(f"channel {slug!r} is not in the orders file")
            low, high = cfg["returnsPerDay"]
            for _ in range(rng.randint(low, high)):
                at = now - timedelta(days=day, hours=rng.uniform(0, 23))
                order = _order(rng, spec, cfg, channel, len(orders) + 1, at)
                orders[order.id] = order
                asked = rng.sample(order.lines, k=1 if len(order.lines) == 1 or rng.random() < 0.75 else 2)
                lines = []
                for line in asked:
                    reason = rng.choices(reasons, reason_weights)[0]
                    comment = rng.choice(spec["comments"]) if reason == "OTHER" or rng.random() < 0.2 else None
                    lines.append(SeedReturnLine(line.id, rng.randint(1, line.quantity), reason, comment))
                received = None if rng.random() < after["neverShippedShare"] else \
                    timedelta(days=rng.uniform(*after["receivedDays"]))
                review = timedelta(hours=rng.uniform(*after["reviewDecidedHours"]))
                past.append(PastReturn(order, tuple(lines), at, review, rng.random() < after["rejectShare"], received))
    return DemoHistory(orders, tuple(sorted(past, key=lambda p: p.requested_at)), spec["staff"])


def _order(rng: random.Random, spec: dict[str, Any], cfg: dict[str, Any], channel: Channel, n: int,
           requested_at: datetime) -> Order:
    # most requests come well inside the 30-day window; a few in the grace days after it
    since_shipped = timedelta(days=rng.uniform(31.2, 32.5) if rng.random() < 0.06 else rng.uniform(1.5, 26))
    shipped = requested_at - since_shipped
    ordered = shipped - timedelta(days=rng.uniform(0.5, 3))
    products = cfg["products"]
    how_many = min(len(products), rng.choice((1, 1, 1, 2, 2, 3)))
    cur = channel.currency
    lines = tuple(OrderLine(id=f"HL-{n:04d}-{i}", product_name=p["name"], sku=p["sku"],
                            quantity=2 if Decimal(p["price"]) < Decimal("30") and rng.random() < 0.3 else 1,
                            unit_price=Money(Decimal(p["price"]), cur), product_type=p.get("productType"),
                            category=p.get("category"), product=p["sku"].lower())
                  for i, p in enumerate(_weighted(rng, products, how_many), start=1))
    customer = rng.randint(1, int(spec["customers"]))
    shipping = Money(SHIPPING.get(cur, Decimal(0)), cur)
    charged = Money(sum((ln.unit_price.amount * ln.quantity for ln in lines), Decimal(0)), cur) + shipping
    city, area, postal = CITIES[customer % len(CITIES)]
    order_id = f"HIST-{n:04d}"
    return Order(
        id=order_id, number=str(9000 + n), channel=channel, currency=cur, created_at=ordered,
        user_email=f"shopper{customer:02d}@{cfg['emailDomain']}",
        lines=lines,
        fulfillments=(Fulfillment(f"HF-{n:04d}", shipped, tuple(FulfillmentLine(f"HFL-{n:04d}-{i}", ln.id, ln.quantity)
                                                                 for i, ln in enumerate(lines, start=1))),),
        payments=(Payment(f"HP-{n:04d}", f"pi_hist_{n:04d}", "stripe", charged, Money.zero(cur)),),
        shipping_price=shipping,
        shipping_address=Address(name=f"Shopper {customer:02d}", street=f"{10 + customer} Market Street", city=city,
                                 postal_code=postal, country="JP" if cur == "JPY" else "US",
                                 country_area=area),
        metadata={"story": "demo history (examples/demo-history.json)"})


def _weighted(rng: random.Random, products: list[dict[str, Any]], k: int) -> list[dict[str, Any]]:
    """`k` products by their weight (popular ones are bought, and returned, more often), without repeats."""
    pool = list(products)
    picked: list[dict[str, Any]] = []
    while len(picked) < k and pool:
        p = rng.choices(pool, [x.get("weight", 1) for x in pool])[0]
        picked.append(p)
        pool.remove(p)
    return picked
