"""Service tests on in-memory ports (bootstrap.in_memory): no server, no database, no network.

`shop` is the demo store of examples/ with every port faked: orders in memory, the simulated refund
gateway, a carrier that sells labels for nothing, a recorder standing for the store's own books, a clock
that stands still. Tests call the services directly and read what the fakes were asked."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from saleor_returns.adapters.demo.orders_file import load_demo_store
from saleor_returns.adapters.memory.providers import FixedClock, MemoryCarrier, MemoryOrders, MemoryRecorder
from saleor_returns.adapters.memory.uow import MemoryDatabase
from saleor_returns.adapters.refunds.simulated import SimulatedRefundGateway
from saleor_returns.bootstrap import in_memory
from saleor_returns.domain.actors import Actor
from saleor_returns.domain.decision import RequestedLine
from saleor_returns.domain.refunds import RefundCommand, RefundOutcome, RefundStatus
from saleor_returns.domain.returns import Return
from saleor_returns.services.context import Deps
from saleor_returns.services.queries import reload
from saleor_returns.services.request_return import NotEligible, ReturnInput, request_return
from saleor_returns.services.seed import seed_demo
from saleor_returns.settings import Settings
from support.constants import EXAMPLES

NOW = FixedClock().at
STAFF = Actor.staff("alice")
OWNER = Actor.staff("owner", owner=True)


@dataclass
class Shop:
    """The demo store on in-memory ports, with a handle on every fake."""

    deps: Deps
    db: MemoryDatabase
    orders: MemoryOrders
    gateway: SimulatedRefundGateway
    carrier: MemoryCarrier
    recorder: MemoryRecorder
    clock: FixedClock

    def shopper(self, order_id: str) -> Actor:
        return Actor.guest(self.orders.orders[order_id].user_email)

    async def ask(self, order_id: str, *lines: tuple[str, int, str], exception: bool = False,
                  comment: str | None = None) -> Return | NotEligible:
        """A shopper asks to return (line id, quantity, reason) lines of their order."""
        wanted = tuple(RequestedLine(line, qty, reason, comment) for line, qty, reason in lines)
        return await request_return(self.deps, self.shopper(order_id), ReturnInput(order_id, wanted, exception))

    async def get(self, return_id: str) -> Return:
        return await reload(self.deps, return_id)


def make_shop(recorder_tenants: frozenset[str] = frozenset(), *, carrier: MemoryCarrier | None = None,
              gateway: Any = None, **settings: Any) -> Shop:
    """The demo store on fakes; `carrier`, `gateway` and Settings fields (`refund_give_up_after=...`) replace
    the defaults (a local carrier, the simulated gateway)."""
    store = load_demo_store(EXAMPLES / "demo-orders.json", NOW)
    orders = MemoryOrders(dict(store.orders), dict(store.channels), dict(store.return_addresses),
                          {pid: p.in_currency("USD") for pid, p in store.products.items()})
    settings = Settings(**{"database_url": "memory://", "admin_token": "t" * 24, "secret_key": "s" * 32,
                           **settings})
    clock, db = FixedClock(NOW), MemoryDatabase()
    gateway = gateway or SimulatedRefundGateway()
    carrier = carrier or MemoryCarrier(name="local")
    carrier.clock = clock  # labels are valid from the shop's now
    recorder = MemoryRecorder(tenants=recorder_tenants)
    deps = in_memory(settings, orders, refunds=gateway, carrier=carrier, clock=clock, recorder=recorder, db=db)
    return Shop(deps, db, orders, gateway, carrier, recorder, clock)


async def open_shop(made: Shop, *, with_seed_returns: bool = False) -> Shop:
    """Seed the policy file's versions (and, when asked, the orders file's earlier returns) into `made`."""
    seeds = load_demo_store(EXAMPLES / "demo-orders.json", NOW).returns if with_seed_returns else ()
    await seed_demo(made.deps, json.loads((EXAMPLES / "policy.json").read_text()), seeds)
    return made


@pytest.fixture
async def shop() -> Shop:
    return await open_shop(make_shop())


def types(ret: Return) -> list[str]:
    """The return's audit trail, as event type names."""
    return [e.type.value for e in ret.events]


class ProviderGateway:
    """A refund gateway like a real provider's: it accepts each refund under its own id (re_<n>) and answers
    `answer` (PENDING by default: the provider settles later, in a webhook); it keeps every command it got."""

    def __init__(self, name: str = "stripe", answer: RefundStatus = RefundStatus.PENDING) -> None:
        self.name, self.answer = name, answer
        self.commands: list[RefundCommand] = []
        self.ids: dict[str, str] = {}  # idempotency key → the provider's refund id

    async def refund(self, command: RefundCommand) -> RefundOutcome:
        self.commands.append(command)
        provider_id = self.ids.setdefault(command.idempotency_key, f"re_{len(self.ids) + 1}")
        return RefundOutcome(self.answer, psp_reference=provider_id)
