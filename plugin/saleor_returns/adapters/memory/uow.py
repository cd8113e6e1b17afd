"""Persistence in memory (ports.UnitOfWork): the same contract as adapters/db, for service tests that run in
milliseconds and for replays that must write nothing. One writer at a time, like SQLite; a unit of work
works on copies and writes them back on commit, so leaving without commit keeps nothing."""
from __future__ import annotations

import asyncio
import copy
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any

from ...domain.labels import Label, LabelStatus, VoidStatus
from ...domain.lifecycle import ACTIVE, Resolution
from ...domain.money import Money
from ...domain.policy import Policy
from ...domain.refunds import Refund, RefundStatus
from ...domain.returns import Return
from ...domain.tracking import TrackingUpdate
from ...ports.persistence import PolicyVersion, ReturnFilter, ReturnRef, StoredInstallation, WorkItem


@dataclass
class MemoryDatabase:
    """What a database would hold; share one between units of work (and between fakes of one test)."""

    returns: dict[str, Return] = field(default_factory=dict)  # by id; insertion order is the sequence
    seq: dict[str, int] = field(default_factory=dict)
    next_seq: int = 1
    policies: dict[tuple[str, str], list[tuple[int, Policy, str, datetime]]] = field(default_factory=dict)
    goodwill: list[tuple[str, str, date, Money, str, datetime]] = field(default_factory=list)
    events: dict[tuple[str, str], str] = field(default_factory=dict)  # (provider, event id) → result
    tracking: set[tuple[str, str]] = field(default_factory=set)
    installations: dict[str, StoredInstallation] = field(default_factory=dict)
    deliveries: dict[tuple[str, str], datetime] = field(default_factory=dict)
    writebacks: dict[str, dict[str, Any]] = field(default_factory=dict)
    pdfs: dict[str, bytes] = field(default_factory=dict)  # label id → its printable PDF
    writer: asyncio.Lock = field(default_factory=asyncio.Lock)
    commits: int = 0  # for tests that count what was written

    def uow(self, readonly: bool = False) -> "MemoryUnitOfWork":
        return MemoryUnitOfWork(self, readonly)


class MemoryUnitOfWork:
    def __init__(self, db: MemoryDatabase, readonly: bool = False) -> None:
        self.db, self.readonly = db, readonly
        self._loaded: dict[str, Return] = {}
        self._added: list[Return] = []
        self._pending: list[Any] = []  # writes to the other tables, applied on commit
        self.returns = _Returns(self)
        self.work = _Work(self)
        self.policies = _Policies(self)
        self.goodwill = _Goodwill(self)
        self.inbox = _Inbox(self)
        self.installations = _Installations(self)

    async def __aenter__(self) -> "MemoryUnitOfWork":
        if not self.readonly:
            await self.db.writer.acquire()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if not self.readonly:
            self.db.writer.release()

    async def flush(self) -> None:
        for ret in self._added:
            if not ret.number:
                self.db.seq[ret.id] = self.db.next_seq
                ret.number = f"R-{10000 + self.db.next_seq}"
                self.db.next_seq += 1

    async def commit(self) -> None:
        if self.readonly:
            raise RuntimeError("a read-only unit of work cannot commit")
        await self.flush()
        for ret in [*self._added, *self._loaded.values()]:
            self.db.pdfs.update({lb.id: lb.pdf for lb in ret.labels if lb.pdf is not None})
            self.db.returns[ret.id] = _stored(ret)
        for write in self._pending:
            write()
        self._added, self._pending = [], []
        self.db.commits += 1

    async def schema_version(self) -> str | None:
        return "memory"

    async def lock_order(self, tenant: str, order_id: str) -> None:
        """Writers already hold the one write lock (as on SQLite)."""

    async def lock(self, tenant: str, key: str) -> None:
        """Writers already hold the one write lock (as on SQLite)."""

    def later(self, write: Any) -> None:
        self._pending.append(write)

    def load(self, ret: Return) -> Return:
        if ret.id not in self._loaded:
            self._loaded[ret.id] = copy.deepcopy(ret)
        return self._loaded[ret.id]

    def current(self) -> list[Return]:
        """Every return as this unit of work sees it (saved ones, with its own changes, and new ones)."""
        seen = {**self.db.returns, **self._loaded}
        return [*seen.values(), *[r for r in self._added if r.id not in seen]]


def _stored(ret: Return) -> Return:
    """What stays of a return once saved: a label's PDF is kept apart (downloads read it), not on the object."""
    kept = copy.deepcopy(ret)
    for label in kept.labels:
        label.pdf = None
    return kept


def _ref(ret: Return) -> ReturnRef:
    return ReturnRef(ret.tenant, ret.id, ret.order_id)


class _Returns:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    def add(self, ret: Return) -> None:
        self.uow._added.append(ret)

    async def get(self, tenant: str, return_id: str) -> Return | None:
        found = self.uow.db.returns.get(return_id)
        if found is None or found.tenant != tenant:
            return next((r for r in self.uow._added if r.id == return_id and r.tenant == tenant), None)
        return self.uow.load(found)

    async def locate(self, tenant: str, return_id: str) -> ReturnRef | None:
        found = self.uow.db.returns.get(return_id)
        return _ref(found) if found is not None and found.tenant == tenant else None

    async def locate_refund(self, refund_id: str) -> WorkItem | None:
        for ret in self.uow.current():
            if any(r.id == refund_id for r in ret.refunds):
                return WorkItem(_ref(ret), refund_id)
        return None

    async def locate_provider_refund(self, gateway: str, provider_id: str, refund_id: str | None) -> WorkItem | None:
        for match in (lambda r: r.psp_reference == provider_id, lambda r: refund_id is not None and r.id == refund_id):
            for ret in self.uow.current():
                for refund in ret.refunds:
                    if refund.gateway == gateway and match(refund):
                        return WorkItem(_ref(ret), refund.id)
        return None

    async def locate_label(self, label_id: str) -> WorkItem | None:
        for ret in self.uow.current():
            if any(lb.id == label_id for lb in ret.labels):
                return WorkItem(_ref(ret), label_id)
        return None

    async def locate_tracking(self, carrier: str, tracking_number: str) -> WorkItem | None:
        found = [(lb.created_at, ret, lb.id) for ret in self.uow.current() for lb in ret.labels
                 if lb.carrier == carrier and lb.tracking_number == tracking_number]
        if not found:
            return None
        _, ret, label_id = max(found, key=lambda f: f[0])
        return WorkItem(_ref(ret), label_id)

    def _of_order(self, tenant: str, order_id: str) -> list[Return]:
        return [r for r in self.uow.current() if r.tenant == tenant and r.order_id == order_id]

    async def returned_units(self, tenant: str, order_id: str) -> dict[str, int]:
        units: dict[str, int] = defaultdict(int)
        for ret in self._of_order(tenant, order_id):
            if ret.status in ACTIVE:
                for line in ret.lines:
                    units[line.order_line_id] += line.quantity
        return dict(units)

    async def committed_refunds(self, tenant: str, order_id: str) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for ret in self._of_order(tenant, order_id):
            for refund in ret.refunds:
                if refund.committed:
                    out[refund.payment_id] += refund.amount.amount
        return dict(out)

    async def keep_item_history(self, tenant: str, email: str, since: datetime, currency: str) -> tuple[int, Decimal]:
        amounts = [r.refund_total.amount for r in self.uow.current()
                   if r.tenant == tenant and r.customer_email.lower() == email.lower()
                   and r.resolution is Resolution.KEEP_ITEM and r.status in ACTIVE and r.created_at >= since
                   and r.currency == currency]
        return len(amounts), sum(amounts, Decimal(0))

    async def page(self, tenant: str, flt: ReturnFilter, first: int, after: int | None) -> list[tuple[int, Return]]:
        seq = self.uow.db.seq
        rows = sorted((r for r in self.uow.db.returns.values() if r.tenant == tenant and _matches(r, flt)),
                      key=lambda r: seq[r.id], reverse=True)
        if after is not None:
            rows = [r for r in rows if seq[r.id] < after]
        return [(seq[r.id], self.uow.load(r)) for r in rows[:first + 1]]

    async def of_order(self, tenant: str, order_id: str) -> list[Return]:
        seq = self.uow.db.seq
        rows = [r for r in self.uow.db.returns.values() if r.tenant == tenant and r.order_id == order_id]
        return [self.uow.load(r) for r in sorted(rows, key=lambda r: seq[r.id], reverse=True)]

    async def of_orders(self, tenant: str, order_ids: Collection[str]) -> dict[str, list[Return]]:
        out: dict[str, list[Return]] = {}
        for order_id in order_ids:
            found = await self.of_order(tenant, order_id)
            if found:
                out[order_id] = found
        return out

    async def channels(self, tenant: str) -> list[str]:
        return sorted({r.channel for r in self.uow.db.returns.values() if r.tenant == tenant})


    async def label_pdf(self, label_id: str) -> tuple[Label, bytes] | None:
        for ret in self.uow.db.returns.values():
            for label in ret.labels:
                if label.id == label_id:
                    return copy.deepcopy(label), self.uow.db.pdfs.get(label_id, b"")
        return None

    async def refunds_on_payments_since(self, gateway: str, since: datetime) -> list[tuple[Refund, str]]:
        mine = [(refund, ret.number) for ret in self.uow.db.returns.values() for refund in ret.refunds
                if refund.gateway == gateway]
        recent = {r.payment_reference for r, _ in mine if r.created_at >= since}
        found = [(r, n) for r, n in mine if r.payment_reference in recent]
        return sorted(found, key=lambda f: (f[0].payment_reference, f[0].created_at))


def _matches(r: Return, flt: ReturnFilter) -> bool:
    if flt.status and r.status.value != flt.status:
        return False
    if flt.channel and r.channel != flt.channel:
        return False
    if flt.order_id and r.order_id != flt.order_id:
        return False
    if flt.customer_email and r.customer_email.lower() != flt.customer_email.lower():
        return False
    if flt.search:
        term = flt.search.strip()
        if term.lower().startswith("r-"):
            return r.number.lower() == term.lower()
        return term in (r.order_number, r.order_id) or r.customer_email.lower() == term.lower()
    return True


class _Work:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    def _all(self) -> list[Return]:
        return list(self.uow.db.returns.values())

    async def claim_due_refunds(self, now: datetime, limit: int, lease: timedelta) -> list[WorkItem]:
        due = sorted(((refund.created_at, ret, refund.id) for ret in self._all() for refund in ret.refunds
                      if refund.status is RefundStatus.PENDING
                      and (refund.next_attempt_at is None or refund.next_attempt_at <= now)),
                     key=lambda d: d[0])[:limit]
        items = []
        for _, stored, refund_id in due:
            ret = self.uow.load(stored)
            ret.refund(refund_id).next_attempt_at = now + lease
            items.append(WorkItem(_ref(ret), refund_id))
        return items

    async def due_refund_plans(self, now: datetime, limit: int) -> list[ReturnRef]:
        due = sorted((r for r in self._all() if r.refund_due_at is not None and r.refund_due_at <= now),
                     key=lambda r: r.refund_due_at or now)
        return [_ref(r) for r in due[:limit]]

    async def due_records(self, now: datetime, limit: int) -> list[ReturnRef]:
        due = sorted((r for r in self._all() if r.record_due_at is not None and r.record_due_at <= now),
                     key=lambda r: r.record_due_at or now)
        return [_ref(r) for r in due[:limit]]

    def _labels(self, keep: Any, order: Any, limit: int) -> list[WorkItem]:
        found = sorted(((order(lb), r, lb.id) for r in self._all() for lb in r.labels if keep(lb)), key=lambda f: f[0])
        return [WorkItem(_ref(r), label_id) for _, r, label_id in found[:limit]]

    async def due_label_purchases(self, now: datetime, limit: int) -> list[WorkItem]:
        return self._labels(lambda lb: lb.status in (LabelStatus.FAILED, LabelStatus.PURCHASING)
                            and lb.voided_at is None and lb.next_attempt_at is not None and lb.next_attempt_at <= now,
                            lambda lb: lb.next_attempt_at, limit)

    async def expired_labels(self, now: datetime, limit: int) -> list[WorkItem]:
        return self._labels(lambda lb: lb.printable and lb.first_scan_at is None and lb.expires_at is not None
                            and lb.expires_at <= now, lambda lb: lb.expires_at, limit)

    async def due_voids(self, now: datetime, limit: int) -> list[WorkItem]:
        return self._labels(lambda lb: lb.void_status in (VoidStatus.PENDING, VoidStatus.VOIDING) and lb.due(now),
                            lambda lb: lb.created_at, limit)


class _Policies:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    async def latest(self, tenant: str, channel: str) -> PolicyVersion | None:
        versions = self.uow.db.policies.get((tenant, channel))
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
        versions = self.uow.db.policies.setdefault((tenant, channel), [])
        version = (versions[-1][0] if versions else 0) + 1
        self.uow.later(lambda: versions.append((version, policy, by, now)))
        return version

    async def channels(self, tenant: str) -> list[str]:
        return sorted(c for (t, c), v in self.uow.db.policies.items() if t == tenant and v)


class _Goodwill:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    async def spent(self, tenant: str, staff: str, day: date, currency: str) -> Decimal:
        return sum((m.amount for t, s, d, m, _, _ in self.uow.db.goodwill
                    if (t, s, d, m.currency) == (tenant, staff, day, currency)), Decimal(0))

    def spend(self, tenant: str, staff: str, day: date, amount: Money, return_id: str, now: datetime) -> None:
        self.uow.later(lambda: self.uow.db.goodwill.append((tenant, staff, day, amount, return_id, now)))


class _Inbox:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow
        self._rows: list[tuple[str, str]] = []

    async def first_time(self, provider: str, event_id: str, type_: str, now: datetime) -> int | None:
        key = (provider, event_id)
        if key in self.uow.db.events or key in self._rows:
            return None
        self._rows.append(key)
        self.uow.later(lambda: self.uow.db.events.__setitem__(key, "received"))
        return len(self._rows) - 1

    async def set_result(self, event_row: int, result: str) -> None:
        key = self._rows[event_row]
        self.uow.later(lambda: self.uow.db.events.__setitem__(key, result))

    async def first_tracking_event(self, update: TrackingUpdate, label_id: str, now: datetime) -> bool:
        key = (update.carrier, update.event_id)
        if key in self.uow.db.tracking:
            return False
        self.uow.later(lambda: self.uow.db.tracking.add(key))
        return True


class _Installations:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    @property
    def db(self) -> MemoryDatabase:
        return self.uow.db

    async def load(self, api_url: str) -> StoredInstallation | None:
        return self.db.installations.get(api_url)

    async def save(self, inst: StoredInstallation, now: datetime) -> None:
        self.uow.later(lambda: self.db.installations.__setitem__(inst.api_url, replace(inst, active=True)))

    async def save_jwks(self, api_url: str, jwks: dict[str, Any], now: datetime) -> None:
        found = self.db.installations.get(api_url)
        if found is not None:
            self.uow.later(lambda: self.db.installations.__setitem__(api_url, replace(found, jwks=jwks)))

    async def deactivate(self, api_url: str, app_id: str, now: datetime) -> bool:
        found = self.db.installations.get(api_url)
        if found is None or not found.active or found.app_id != app_id:
            return False
        self.uow.later(lambda: self.db.installations.__setitem__(api_url, replace(found, active=False,
                                                                                    auth_token="")))
        return True

    async def all(self) -> list[StoredInstallation]:
        return list(self.db.installations.values())

    async def delivery_seen(self, api_url: str, digest: str) -> bool:
        return (api_url, digest) in self.db.deliveries

    async def record_delivery(self, api_url: str, digest: str, event: str, issued_at: datetime | None,
                              now: datetime, keep: timedelta) -> bool:
        if (api_url, digest) in self.db.deliveries:
            return False
        self.uow.later(lambda: self.db.deliveries.__setitem__((api_url, digest), now))
        return True

    async def claim_writeback(self, tenant: str, return_id: str, now: datetime, lease: timedelta) -> bool:
        held = self.db.writebacks.setdefault(return_id, {"until": None, "again": False})
        if held["until"] is None or held["until"] < now:
            held.update(until=now + lease, again=False)  # claims take effect at once, like the UPDATE they mimic
            return True
        held["again"] = True
        return False

    async def release_writeback(self, return_id: str, force: bool = False) -> bool:
        held = self.db.writebacks.setdefault(return_id, {"until": None, "again": False})
        if held["again"] and not force:
            held["again"] = False
            return False
        held.update(until=None, again=False)
        return True
