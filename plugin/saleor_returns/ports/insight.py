"""What policy simulations and analytics read (ports): the decisions of a period with what each saw, the policy
versions that made them, grouped figures; and in-memory ports seeded from one snapshot, on which a replay runs
the same decision a live request runs. adapters/db implements the reads in SQL, adapters/memory in memory."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from ..domain.analytics import Period, ReturnFigures
from ..domain.decision_record import RuleVerdict
from ..domain.decision_snapshot import DecisionSnapshot
from ..domain.order import Order
from ..domain.policy import Policy
from .persistence import PolicyVersion, UnitOfWorkFactory
from .providers import Carriers, Clock, OrderSource


@dataclass(frozen=True, slots=True)
class RecordedDecision:
    """One return's decision as recorded: what it saw (None: nothing kept at all), and its trace when asked for."""

    return_id: str
    number: str
    created_at: datetime
    policy_version: int
    seen: DecisionSnapshot | None
    trace: tuple[RuleVerdict, ...] | None = None


class InsightRepository(Protocol):
    """Reads for simulations and analytics; nothing here writes."""

    async def decisions(self, tenant: str, channel: str, period: Period, traces: bool = True) -> list[RecordedDecision]:
        """The channel's returns requested in the period, oldest first, with what each decision saw (and its trace,
        unless `traces` is False: a simulation reads the traces of the returns that changed only)."""
        ...

    async def traces(self, tenant: str, return_ids: Collection[str]) -> dict[str, tuple[RuleVerdict, ...]]:
        """The recorded traces of these returns, by id."""
        ...

    async def policy_versions(self, tenant: str, channel: str) -> dict[int, Policy]:
        """Every saved version of the channel's policy, by number."""
        ...

    async def figures(self, tenant: str, channel: str | None, period: Period, timezone: str) -> ReturnFigures:
        """Counts and money of the returns requested in the period (every channel when `channel` is None), days
        in `timezone`; only days with returns are listed (analytics.with_every_day fills the others)."""
        ...


@dataclass(frozen=True, slots=True)
class ReplayPorts:
    """The ports a replayed decision reads, seeded from its snapshot: the order as it was, the returns and
    refunds of the order then, the customer's keep-item history then, the label cost then, the clock at the
    moment it was decided, and `policy` as the channel's current policy. Nothing durable, no provider."""

    uow: UnitOfWorkFactory
    orders: OrderSource
    carriers: Carriers
    clock: Clock


class ReplayPortsFactory(Protocol):
    def __call__(self, tenant: str, order: Order, seen: DecisionSnapshot, policy: PolicyVersion) -> ReplayPorts:
        ...
