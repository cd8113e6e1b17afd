"""In-memory ports seeded from one decision snapshot (ports.insight.ReplayPorts): a replay runs the live
decision path (services.decide_return.gather_and_decide) on them. They answer exactly what the decision read
then, take the policy to try as the channel's current one, write nothing and call nobody: anything else a
replay might ask for raises."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from types import TracebackType
from typing import Any, cast

from ...domain.decision_snapshot import DecisionSnapshot, KeepItemReturn
from ...domain.money import Money
from ...domain.order import Address, Channel, Order
from ...ports import UnitOfWork, VoidOutcome
from ...ports.insight import ReplayPorts
from ...ports.persistence import PolicyVersion


class ReplayRefused(RuntimeError):
    """A replay asked for something outside what its decision saw (a write, a provider call)."""


def replay_ports(tenant: str, order: Order, seen: DecisionSnapshot, policy: PolicyVersion) -> ReplayPorts:
    """ports.insight.ReplayPortsFactory: the ports one replayed decision runs on."""
    uow = _SeenUnitOfWork(tenant, seen, policy)
    return ReplayPorts(uow=lambda readonly=False: cast(UnitOfWork, uow), orders=_SeenOrders(order),
                       carriers=_SeenCarriers(seen.label_cost), clock=_At(seen.decided_at))


class _Refuse:
    """Stands for the repositories a decision never reads (work queue, goodwill, inbox, installations)."""

    def __getattr__(self, name: str) -> Any:
        raise ReplayRefused(f"a replayed decision does not read {name}")


class _SeenUnitOfWork:
    def __init__(self, tenant: str, seen: DecisionSnapshot, policy: PolicyVersion) -> None:
        self.returns = _SeenReturns(tenant, seen)
        self.policies = _SeenPolicies(policy)
        self.work = self.goodwill = self.inbox = self.installations = self.insight = _Refuse()

    async def __aenter__(self) -> "_SeenUnitOfWork":
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        return None

    async def commit(self) -> None:
        raise ReplayRefused("a replay writes nothing")

    async def flush(self) -> None:
        raise ReplayRefused("a replay writes nothing")

    async def lock_order(self, tenant: str, order_id: str) -> None:
        return None

    async def lock(self, tenant: str, key: str) -> None:
        return None

    async def schema_version(self) -> str | None:
        return "replay"


class _SeenReturns(_Refuse):
    """The order's earlier returns and refunds, and the customer's keep-item returns, as they were."""

    def __init__(self, tenant: str, seen: DecisionSnapshot) -> None:
        self._tenant, self._seen = tenant, seen

    async def returned_units(self, tenant: str, order_id: str) -> dict[str, int]:
        return dict(self._seen.returned)

    async def committed_refunds(self, tenant: str, order_id: str) -> dict[str, Decimal]:
        return dict(self._seen.committed)

    async def keep_item_returns(self, tenant: str, email: str, since: datetime, currency: str) -> list[KeepItemReturn]:
        return [k for k in self._seen.keep_item_returns if k.at >= since and k.amount.currency == currency]

    async def keep_item_history(self, tenant: str, email: str, since: datetime, currency: str) -> tuple[int, Decimal]:
        kept = await self.keep_item_returns(tenant, email, since, currency)
        return len(kept), sum((k.amount.amount for k in kept), Decimal(0))


class _SeenPolicies(_Refuse):
    def __init__(self, policy: PolicyVersion) -> None:
        self._policy = policy

    async def latest(self, tenant: str, channel: str) -> PolicyVersion | None:
        return self._policy


class _SeenOrders:
    def __init__(self, order: Order) -> None:
        self._order = order

    async def get_order(self, order_id: str) -> Order | None:
        return self._order if order_id == self._order.id else None

    async def get_orders(self, order_ids: Sequence[str]) -> dict[str, Order]:
        return {i: self._order for i in order_ids if i == self._order.id}

    async def get_channel(self, slug: str) -> Channel | None:
        return self._order.channel if slug == self._order.channel.slug else None

    def return_address(self, channel_slug: str) -> Address:
        raise ReplayRefused("a replay draws no label")

    async def get_product(self, product_id: str, channel_slug: str) -> None:
        return None  # a replay decides without the catalog: exchanges are not replayed


class _SeenCarrier:
    name = "replay"

    def __init__(self, cost: Money | None) -> None:
        self._cost = cost

    def expected_cost(self, currency: str) -> Money | None:
        return self._cost if self._cost is not None and self._cost.currency == currency else None

    async def create_label(self, request: Any) -> Any:
        raise ReplayRefused("a replay buys no label")

    async def prepare_label(self, request: Any) -> str | None:
        raise ReplayRefused("a replay buys no label")

    async def void_label(self, carrier_reference: str | None, tracking_number: str) -> VoidOutcome:
        raise ReplayRefused("a replay voids no label")


class _SeenCarriers:
    def __init__(self, cost: Money | None) -> None:
        self._carrier = _SeenCarrier(cost)

    def for_channel(self, channel: str) -> _SeenCarrier:
        return self._carrier

    def named(self, name: str) -> _SeenCarrier | None:
        return self._carrier


class _At:
    def __init__(self, at: datetime) -> None:
        self._at = at

    def now(self) -> datetime:
        return self._at
