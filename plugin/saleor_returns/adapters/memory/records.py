"""Policies, goodwill, the inbox and installations in memory (ports/persistence.py), as adapters/db keeps them.

Each writing unit of work works on its own copy of these tables (`Tables`) and puts it in place on commit:
what it wrote is visible to itself at once, to others only once committed, and lost when it leaves
without committing, as in one SQL transaction."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ...domain.money import Money
from ...domain.policy import Policy
from ...domain.tracking import TrackingUpdate
from ...ports.exchanges import StoredCredit, StoredReplacement
from ...ports.persistence import PolicyVersion, StoredBudget, StoredInstallation, StoredLook

if TYPE_CHECKING:
    from .uow import MemoryUnitOfWork


@dataclass
class Writeback:
    """Who writes a return into its store now (until when), and whether another caller asked for one more pass."""

    until: datetime | None = None
    again: bool = False


@dataclass
class Tables:
    """Everything but the returns; copied by each writing unit of work, put back on commit."""

    policies: dict[tuple[str, str], list[tuple[int, Policy, str, datetime]]] = field(default_factory=dict)
    goodwill: list[tuple[str, str, date, Money, str, datetime]] = field(default_factory=list)
    events: dict[tuple[str, str], str] = field(default_factory=dict)  # (provider, event id) → result
    tracking: set[tuple[str, str]] = field(default_factory=set)  # (carrier, event id)
    installations: dict[str, StoredInstallation] = field(default_factory=dict)
    deliveries: dict[tuple[str, str], datetime] = field(default_factory=dict)  # (api url, digest) → received
    writebacks: dict[str, Writeback] = field(default_factory=dict)  # by return id
    looks: dict[tuple[str, str], StoredLook] = field(default_factory=dict)  # (tenant, channel)
    budgets: dict[tuple[str, str, str], StoredBudget] = field(default_factory=dict)  # (tenant, currency, staff)
    credits: dict[str, StoredCredit] = field(default_factory=dict)  # by idempotency key
    replacements: dict[str, StoredReplacement] = field(default_factory=dict)  # by idempotency key


class MemoryPolicies:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    async def latest(self, tenant: str, channel: str) -> PolicyVersion | None:
        versions = self.uow.tables.policies.get((tenant, channel))
        if not versions:
            return None
        version, policy, _, _ = versions[-1]
        return PolicyVersion(policy, version)

    async def latest_of(self, tenant: str, channels: Collection[str]) -> dict[str, PolicyVersion]:
        out = {}
        for channel in channels:
            found = await self.latest(tenant, channel)
            if found is not None:
                out[channel] = found
        return out

    async def add(self, tenant: str, channel: str, policy: Policy, by: str, now: datetime) -> int:
        versions = self.uow.tables.policies.setdefault((tenant, channel), [])
        version = (versions[-1][0] if versions else 0) + 1
        versions.append((version, policy, by[:255], now))
        return version

    async def channels(self, tenant: str) -> list[str]:
        return sorted(c for (t, c), v in self.uow.tables.policies.items() if t == tenant and v)


class MemoryGoodwill:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    async def spent(self, tenant: str, staff: str, day: date, currency: str) -> Decimal:
        return sum((m.amount for t, s, d, m, _, _ in self.uow.tables.goodwill
                    if (t, s, d, m.currency) == (tenant, staff, day, currency)), Decimal(0))

    def spend(self, tenant: str, staff: str, day: date, amount: Money, return_id: str, now: datetime) -> None:
        self.uow.tables.goodwill.append((tenant, staff, day, amount, return_id, now))


class MemoryInbox:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow
        self._rows: list[tuple[str, str]] = []  # row id → key, for set_result

    async def first_time(self, provider: str, event_id: str, type_: str, now: datetime) -> int | None:
        key = (provider, event_id)
        if key in self.uow.tables.events:
            return None
        self.uow.tables.events[key] = "received"
        self._rows.append(key)
        return len(self._rows)

    async def set_result(self, event_row: int, result: str) -> None:
        self.uow.tables.events[self._rows[event_row - 1]] = result

    async def first_tracking_event(self, update: TrackingUpdate, label_id: str, now: datetime) -> bool:
        key = (update.carrier, update.event_id[:255])
        if key in self.uow.tables.tracking:
            return False
        self.uow.tables.tracking.add(key)
        return True


class MemoryInstallations:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    @property
    def tables(self) -> Tables:
        return self.uow.tables

    async def load(self, api_url: str) -> StoredInstallation | None:
        return self.tables.installations.get(api_url)

    async def save(self, inst: StoredInstallation, now: datetime) -> None:
        self.tables.installations[inst.api_url] = replace(inst, active=True)

    async def save_jwks(self, api_url: str, jwks: dict[str, Any], now: datetime) -> None:
        found = self.tables.installations.get(api_url)
        if found is not None:
            self.tables.installations[api_url] = replace(found, jwks=jwks)

    async def deactivate(self, api_url: str, app_id: str, now: datetime) -> bool:
        found = self.tables.installations.get(api_url)
        if found is None or not found.active or found.app_id != app_id:
            return False
        self.tables.installations[api_url] = replace(found, active=False, auth_token="")
        return True

    async def all(self) -> list[StoredInstallation]:
        return list(self.tables.installations.values())

    async def delivery_seen(self, api_url: str, digest: str) -> bool:
        return (api_url, digest) in self.tables.deliveries

    async def record_delivery(self, api_url: str, digest: str, event: str, issued_at: datetime | None,
                              now: datetime, keep: timedelta) -> bool:
        deliveries = self.tables.deliveries
        for key in [k for k, received in deliveries.items() if k[0] == api_url and received < now - keep]:
            del deliveries[key]  # the store's bodies older than `keep` are forgotten (as adapters/db does)
        if (api_url, digest) in deliveries:
            return False
        deliveries[(api_url, digest)] = now
        return True

    async def claim_writeback(self, tenant: str, return_id: str, now: datetime, lease: timedelta) -> bool:
        held = self.tables.writebacks.setdefault(return_id, Writeback())
        if held.until is None or held.until < now:
            held.until, held.again = now + lease, False
            return True
        held.again = True
        return False

    async def release_writeback(self, return_id: str, force: bool = False) -> bool:
        held = self.tables.writebacks.setdefault(return_id, Writeback())
        if held.again and not force:
            held.again = False
            return False
        held.until, held.again = None, False
        return True


class MemoryStoreSettings:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    async def look(self, tenant: str, channel: str) -> StoredLook | None:
        return self.uow.tables.looks.get((tenant, channel))

    async def save_look(self, tenant: str, channel: str, look: StoredLook, at: datetime, by: str) -> None:
        self.uow.tables.looks[(tenant, channel)] = look

    async def budgets(self, tenant: str, currency: str | None = None) -> list[StoredBudget]:
        found = [b for (t, c, _), b in self.uow.tables.budgets.items() if t == tenant and currency in (None, c)]
        return sorted(found, key=lambda b: (b.currency, b.staff))

    async def save_budget(self, tenant: str, currency: str, staff: str, amount: Decimal | None, at: datetime,
                          by: str) -> None:
        key = (tenant, currency, staff)
        if amount is None:
            self.uow.tables.budgets.pop(key, None)
        else:
            self.uow.tables.budgets[key] = StoredBudget(currency, staff, Money(amount, currency))


class MemoryLedger:
    """ports.exchanges.LedgerRepository in memory (unique keys, like the tables' constraints)."""

    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    async def credit(self, idempotency_key: str) -> StoredCredit | None:
        return self.uow.tables.credits.get(idempotency_key)

    async def add_credit(self, credit: StoredCredit) -> None:
        if credit.idempotency_key in self.uow.tables.credits:
            raise ValueError(f"duplicate store credit key {credit.idempotency_key}")
        self.uow.tables.credits[credit.idempotency_key] = credit

    async def credits_of(self, tenant: str, return_numbers: Collection[str]) -> list[StoredCredit]:
        wanted = set(return_numbers)
        return [c for c in self.uow.tables.credits.values() if c.tenant == tenant and c.return_number in wanted]

    async def replacement(self, idempotency_key: str) -> StoredReplacement | None:
        return self.uow.tables.replacements.get(idempotency_key)

    async def add_replacement(self, replacement: StoredReplacement) -> None:
        if replacement.idempotency_key in self.uow.tables.replacements:
            raise ValueError(f"duplicate replacement key {replacement.idempotency_key}")
        self.uow.tables.replacements[replacement.idempotency_key] = replacement

    async def units_sent(self, tenant: str, variant_ids: Collection[str]) -> dict[str, int]:
        wanted, sent = set(variant_ids), dict[str, int]()
        for r in self.uow.tables.replacements.values():
            for variant_id, units in r.lines:
                if r.tenant == tenant and variant_id in wanted:
                    sent[variant_id] = sent.get(variant_id, 0) + units
        return sent
