"""The demo's past returns (examples/demo-history.json) for tests: a shorter stretch of the same recipe, played
through the services of an in-memory shop."""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from saleor_returns.adapters.demo.history import DemoHistory, expand
from saleor_returns.services.seed_history import seed_history

from .constants import EXAMPLES


def history_of(channels: dict[str, Any], now: datetime, days: int = 35) -> DemoHistory:
    spec = json.loads((EXAMPLES / "demo-history.json").read_text())
    spec["days"] = days
    return expand(spec, channels, now)


async def play_history(shop: Any, days: int = 35) -> DemoHistory:
    """Add the history's orders to the shop's order source and play its returns there; returns the history."""
    history = history_of(shop.orders.channels, shop.clock.now(), days)
    shop.orders.orders.update(history.orders)
    opened = await seed_history(shop.deps, history.returns, history.staff)
    assert opened > 0.8 * len(history.returns)  # a few requests past grace are refused, as a live one would be
    return history
