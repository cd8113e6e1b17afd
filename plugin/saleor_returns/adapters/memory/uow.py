"""Persistence in memory (ports.UnitOfWork): the same contract as adapters/db, for service tests that run in
milliseconds and for replays that must write nothing. One writer at a time, like SQLite.

A unit of work behaves as one SQL transaction does: the returns it loads or adds are written on flush
(numbers given, PDFs kept apart, events numbered and their actors kept as their labels say, as the SQL
mapping keeps them) and its own queries see what it flushed; others see it once committed. Leaving
without commit keeps nothing (the other tables: records.py)."""
from __future__ import annotations

import asyncio
import copy
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from types import TracebackType
from typing import Any

from ...domain.actors import Actor
from ...domain.decision_snapshot import KeepItemReturn
from ...domain.events import EventType, ReturnEvent
from ...domain.labels import Label, LabelStatus, VoidStatus
from ...domain.lifecycle import ACTIVE, Resolution
from ...domain.refunds import Refund, RefundStatus
from ...domain.returns import Return
from ...ports.persistence import ReturnFilter, ReturnOwner, ReturnRef, WorkItem
from .insight import MemoryInsight
from .outbox import MemoryMail, MemoryMailSettings, MemoryOutbox
from .records import (
    MemoryGoodwill,
    MemoryInbox,
    MemoryInstallations,
    MemoryLedger,
    MemoryPolicies,
    MemoryStoreSettings,
    Tables,
)


@dataclass
class MemoryDatabase:
    """What a database would hold; share one between units of work (and between fakes of one test)."""

    returns: dict[str, Return] = field(default_factory=dict)  # by id, as stored (see MemoryUnitOfWork)
    seq: dict[str, int] = field(default_factory=dict)  # return id → its place in the sequence (the cursor)
    next_seq: int = 1
    next_event_id: int = 1
    pdfs: dict[str, bytes] = field(default_factory=dict)  # label id → its printable PDF
    tables: Tables = field(default_factory=Tables)
    mail: MemoryMail = field(default_factory=MemoryMail)  # the outbox and the stores' mail settings (outbox.py)
    writer: asyncio.Lock = field(default_factory=asyncio.Lock)
    commits: int = 0  # for tests that count what was written

    def uow(self, readonly: bool = False) -> "MemoryUnitOfWork":
        return MemoryUnitOfWork(self, readonly)


class MemoryUnitOfWork:
    def __init__(self, db: MemoryDatabase, readonly: bool = False) -> None:
        self.db, self.readonly = db, readonly
        self.live: dict[str, Return] = {}  # the returns this unit of work handed out or was given, by id
        self.added: list[Return] = []  # not flushed yet
        self.flushed: dict[str, Return] = {}  # the stored form of what it flushed, applied on commit
        self.pdfs: dict[str, bytes] = {}  # label PDFs flushed
        self.event_ids: dict[tuple[str, int], int] = {}  # (return id, position) → the id the event was given
        self.tables = db.tables  # a writer works on its own copy (__aenter__)
        self.returns = _Returns(self)
        self.work = _Work(self)
        self.policies = MemoryPolicies(self)
        self.goodwill = MemoryGoodwill(self)
        self.inbox = MemoryInbox(self)
        self.installations = MemoryInstallations(self)
        self.store_settings = MemoryStoreSettings(self)
        self.outbox = MemoryOutbox(self)
        self.mail_settings = MemoryMailSettings(self)
        self.insight = MemoryInsight(self)  # simulations and analytics (insight.py)
        self.ledger = MemoryLedger(self)  # the standalone store's store credit and replacements

    async def __aenter__(self) -> "MemoryUnitOfWork":
        if not self.readonly:
            await self.db.writer.acquire()
            self.tables = copy.deepcopy(self.db.tables)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if not self.readonly:
            self.db.writer.release()

    async def flush(self) -> None:
        for ret in self.added:
            if not ret.number:  # numbers are never given twice, even when the unit of work is rolled back
                self.db.seq[ret.id] = self.db.next_seq
                ret.number = f"R-{10000 + self.db.next_seq}"
                self.db.next_seq += 1
            self.live[ret.id] = ret
        self.added = []
        before = dict(self.stored())
        for ret in self.live.values():
            saved = before.get(ret.id)
            if len(ret.events) > (first_new := len(saved.events) if saved is not None else 0):
                self.outbox.owe(ret, first_new)  # the messages its new events owe, written with them
            self.flushed[ret.id] = self.stored_form(ret)
            self.pdfs.update({lb.id: lb.pdf for lb in ret.labels if lb.pdf is not None})

    async def commit(self) -> None:
        if self.readonly:
            raise RuntimeError("a read-only unit of work cannot commit")
        await self.flush()
        self.db.returns.update(self.flushed)
        self.db.pdfs.update(self.pdfs)
        self.db.tables = self.tables
        self.flushed, self.pdfs, self.tables = {}, {}, copy.deepcopy(self.tables)
        written = self.outbox.commit()
        self.db.commits += 1
        if written and self.db.mail.after_commit is not None:
            self.db.mail.after_commit(written)

    async def schema_version(self) -> str | None:
        return "memory"

    async def lock_order(self, tenant: str, order_id: str) -> None:
        """Writers already hold the one write lock (as on SQLite)."""

    async def lock(self, tenant: str, key: str) -> None:
        """Writers already hold the one write lock (as on SQLite)."""

    # --- what its queries see --------------------------------------------------------------------
    def stored(self) -> dict[str, Return]:
        """The returns as this unit of work's queries see them: committed, and what it flushed itself."""
        return {**self.db.returns, **self.flushed} if self.flushed else self.db.returns

    def load(self, stored: Return) -> Return:
        """The caller's own copy of a stored return (the same one each time), saved again on flush."""
        if stored.id not in self.live:
            self.live[stored.id] = copy.deepcopy(stored)
        return self.live[stored.id]

    def stored_form(self, ret: Return) -> Return:
        """What stays of a return once saved, as adapters/db/mapping.py keeps it: a label's PDF apart (downloads
        read it), each event numbered, with the actor its label names and its type as a name."""
        kept = copy.deepcopy(ret)
        for label in kept.labels:
            label.pdf = None
        kept.events = [self._stored_event(ret.id, i, e) for i, e in enumerate(ret.events)]
        return kept

    def _stored_event(self, return_id: str, position: int, e: ReturnEvent) -> ReturnEvent:
        event_id = e.id or self.event_ids.get((return_id, position))
        if event_id is None:
            event_id = self.event_ids[(return_id, position)] = self.db.next_event_id
            self.db.next_event_id += 1
        name = e.type_name
        return ReturnEvent(e.at, Actor.from_label(e.actor.label[:320]), EventType.parse(name), e.note, event_id, name)


def _ref(ret: Return) -> ReturnRef:
    return ReturnRef(ret.tenant, ret.id, ret.order_id)


class _Returns:
    def __init__(self, uow: MemoryUnitOfWork) -> None:
        self.uow = uow

    def _all(self) -> list[Return]:
        return list(self.uow.stored().values())

    def add(self, ret: Return) -> None:
        self.uow.added.append(ret)

    async def get(self, tenant: str, return_id: str, known: Return | None = None) -> Return | None:
        found = self.uow.stored().get(return_id)  # a return added and not flushed yet is not there (as in SQL)
        return self.uow.load(found) if found is not None and found.tenant == tenant else None

    async def owner(self, tenant: str, return_id: str) -> ReturnOwner | None:
        found = await self.locate(tenant, return_id)
        if found is None:
            return None
        ret = self.uow.stored()[return_id]
        return ReturnOwner(ret.customer_email, ret.customer_id)

    async def locate(self, tenant: str, return_id: str) -> ReturnRef | None:
        found = self.uow.stored().get(return_id)
        return _ref(found) if found is not None and found.tenant == tenant else None

    async def locate_refund(self, refund_id: str) -> WorkItem | None:
        for ret in self._all():
            if any(r.id == refund_id for r in ret.refunds):
                return WorkItem(_ref(ret), refund_id)
        return None

    async def locate_provider_refund(self, gateway: str, provider_id: str, refund_id: str | None) -> WorkItem | None:
        for match in (lambda r: r.psp_reference == provider_id, lambda r: refund_id is not None and r.id == refund_id):
            for ret in self._all():
                for refund in ret.refunds:
                    if refund.gateway == gateway and match(refund):
                        return WorkItem(_ref(ret), refund.id)
        return None

    async def locate_label(self, label_id: str) -> WorkItem | None:
        for ret in self._all():
            if any(lb.id == label_id for lb in ret.labels):
                return WorkItem(_ref(ret), label_id)
        return None

    async def locate_tracking(self, carrier: str, tracking_number: str) -> WorkItem | None:
        found = [(lb.created_at, ret, lb.id) for ret in self._all() for lb in ret.labels
                 if lb.carrier == carrier and lb.tracking_number == tracking_number]
        if not found:
            return None
        _, ret, label_id = max(found, key=lambda f: f[0])
        return WorkItem(_ref(ret), label_id)

    def _of_order(self, tenant: str, order_id: str) -> list[Return]:
        return [r for r in self._all() if r.tenant == tenant and r.order_id == order_id]

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
        amounts = [k.amount.amount for k in await self.keep_item_returns(tenant, email, since, currency)]
        return len(amounts), sum(amounts, Decimal(0))

    async def keep_item_returns(self, tenant: str, email: str, since: datetime, currency: str) -> list[KeepItemReturn]:
        kept = [KeepItemReturn(r.created_at, r.refund_total) for r in self._all()
                if r.tenant == tenant and r.customer_email.lower() == email.lower()
                and r.resolution is Resolution.KEEP_ITEM and r.status in ACTIVE and r.created_at >= since
                and r.currency == currency]
        return sorted(kept, key=lambda k: k.at)

    async def page(self, tenant: str, flt: ReturnFilter, first: int, after: int | None) -> list[tuple[int, Return]]:
        seq = self.uow.db.seq
        rows = sorted((r for r in self._all() if r.tenant == tenant and _matches(r, flt)),
                      key=lambda r: seq[r.id], reverse=True)
        if after is not None:
            rows = [r for r in rows if seq[r.id] < after]
        return [(seq[r.id], self.uow.load(r)) for r in rows[:first + 1]]

    async def count(self, tenant: str, flt: ReturnFilter) -> int:
        return sum(1 for r in self._all() if r.tenant == tenant and _matches(r, flt))

    async def of_order(self, tenant: str, order_id: str) -> list[Return]:
        seq = self.uow.db.seq
        return [self.uow.load(r) for r in sorted(self._of_order(tenant, order_id), key=lambda r: seq[r.id],
                                                 reverse=True)]

    async def of_orders(self, tenant: str, order_ids: Collection[str]) -> dict[str, list[Return]]:
        out: dict[str, list[Return]] = {}
        for order_id in order_ids:
            found = await self.of_order(tenant, order_id)
            if found:
                out[order_id] = found
        return out

    async def channels(self, tenant: str) -> list[str]:
        return sorted({r.channel for r in self._all() if r.tenant == tenant})

    async def label_pdf(self, label_id: str) -> tuple[Label, bytes] | None:
        for ret in self._all():
            for label in ret.labels:
                if label.id == label_id:
                    pdf = self.uow.pdfs.get(label_id, self.uow.db.pdfs.get(label_id, b""))
                    return copy.deepcopy(label), pdf
        return None

    async def refunds_on_payments_since(self, gateway: str, since: datetime) -> list[tuple[Refund, str]]:
        mine = [(refund, ret.number) for ret in self._all() for refund in ret.refunds if refund.gateway == gateway]
        recent = {r.payment_reference for r, _ in mine if r.created_at >= since}
        found = [(copy.deepcopy(r), n) for r, n in mine if r.payment_reference in recent]
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
        return list(self.uow.stored().values())

    async def claim_due_refunds(self, now: datetime, limit: int, lease: timedelta) -> list[WorkItem]:
        due = sorted(((refund.created_at, ret, refund.id) for ret in self._all() for refund in ret.refunds
                      if refund.status is RefundStatus.PENDING
                      and (refund.next_attempt_at is None or refund.next_attempt_at <= now)),
                     key=lambda d: d[0])[:limit]
        items = []
        for _, stored, refund_id in due:
            self._push(stored, refund_id, now + lease)
            items.append(WorkItem(_ref(stored), refund_id))
        return items

    def _push(self, stored: Return, refund_id: str, until: datetime) -> None:
        """The claim as an UPDATE of the refund alone: written at once in this unit of work, applied on commit,
        and seen by the caller's own copy of the return."""
        flushed = self.uow.flushed.setdefault(stored.id, copy.deepcopy(stored))
        flushed.refund(refund_id).next_attempt_at = until
        if stored.id in self.uow.live:
            self.uow.live[stored.id].refund(refund_id).next_attempt_at = until

    async def due_refund_plans(self, now: datetime, limit: int) -> list[ReturnRef]:
        due = sorted((r for r in self._all() if r.refund_due_at is not None and r.refund_due_at <= now),
                     key=lambda r: r.refund_due_at or now)
        return [_ref(r) for r in due[:limit]]

    async def due_exchanges(self, now: datetime, limit: int) -> list[ReturnRef]:
        due = sorted((r for r in self._all() if r.exchange_due_at is not None and r.exchange_due_at <= now),
                     key=lambda r: r.exchange_due_at or now)
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
