"""The demo's quarter of past returns (examples/demo-history.json), wired for `saleor-returns demo` and the
tests: played through the real services on in-memory ports (seconds, where a hundred thousand small SQL
transactions would take minutes), with the deployment's own carrier (the local labels are real PDFs), then saved
into the database whole, in one transaction, by the SQL repository."""
from __future__ import annotations

import copy
import logging
from pathlib import Path
from typing import Any

from .adapters.demo.history import DemoHistory, load_history
from .adapters.demo.orders_file import DemoStore
from .adapters.memory.providers import MemoryOrders
from .adapters.memory.uow import MemoryDatabase
from .bootstrap import in_memory
from .domain.returns import Return
from .services.context import Deps
from .services.policies import seed_policies
from .services.seed_history import import_returns, seed_history


def with_history(store: DemoStore, path: Path, now: Any) -> tuple[DemoStore, DemoHistory]:
    """The store with the history's orders added (its returns are seeded by seed_demo_history)."""
    history = load_history(path, store.channels, now)
    merged = DemoStore(store.channels, {**store.orders, **history.orders}, store.return_addresses, store.returns)
    return merged, history


async def seed_demo_history(deps: Deps, store: DemoStore, history: DemoHistory, policies: dict[str, Any]) -> int:
    """Play the history on in-memory ports under the policy file's versions, then save what it made into `deps`'s
    database (once: nothing when it is there already)."""
    async with deps.uow(readonly=True) as uow:
        if history.returns and await uow.returns.of_order(deps.tenant, history.returns[0].order.id):
            return 0
    db = MemoryDatabase()
    orders = MemoryOrders(dict(store.orders), dict(store.channels), dict(store.return_addresses))
    played = in_memory(deps.settings, orders, carrier=deps.carriers, clock=deps.clock, db=db)  # type: ignore[arg-type]
    played.tenant = deps.tenant
    await seed_policies(played, policies)
    services = logging.getLogger("saleor_returns.services")
    level = services.level
    services.setLevel(logging.WARNING)  # hundreds of past labels and refunds are not news
    try:
        await seed_history(played, history.returns, history.staff)
    finally:
        services.setLevel(level)
    made: list[Return] = []
    for ret in sorted(db.returns.values(), key=lambda r: db.seq[r.id]):
        whole = copy.deepcopy(ret)
        for label in whole.labels:
            label.pdf = db.pdfs.get(label.id)
        made.append(whole)
    return await import_returns(deps, made)
