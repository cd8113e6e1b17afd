"""Returns in SQL: the ReturnRepository and the WorkQueue ports (ports/persistence.py)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, Table, func, insert, select, union, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload, undefer

from ...domain.decision_snapshot import KeepItemReturn
from ...domain.labels import Label, LabelStatus, VoidStatus
from ...domain.lifecycle import ACTIVE, Resolution
from ...domain.money import Money
from ...domain.refunds import COMMITTED, Refund
from ...domain.returns import Return
from ...ports.persistence import ReturnFilter, ReturnOwner, ReturnRef, WorkItem
from .dialect import is_postgres
from .mapping import event_values, label_from_row, new_return_row, refund_from_row, return_from_row, update_return_row
from .models import LabelRow, RefundRow, ReturnEventRow, ReturnLineRow, ReturnRow

ACTIVE_STATUSES = tuple(s.value for s in ACTIVE)
COMMITTED_STATUSES = tuple(s.value for s in COMMITTED)
# a return whole in three statements: the row with its (few) refunds and labels joined, then its lines and its
# trail (joining those too would multiply the rows: lines × events)
_FULL = (joinedload(ReturnRow.refunds), joinedload(ReturnRow.labels), selectinload(ReturnRow.lines),
         selectinload(ReturnRow.events))
_JOINED = (joinedload(ReturnRow.lines), joinedload(ReturnRow.refunds), joinedload(ReturnRow.labels),
           joinedload(ReturnRow.events))
_REF = (ReturnRow.tenant, ReturnRow.id, ReturnRow.order_id)
EVENTS: Table = ReturnEventRow.__table__  # type: ignore[assignment]


@dataclass
class _Seen:
    ret: Return
    row: ReturnRow
    saved_events: int


@dataclass
class Tracker:
    """The returns a unit of work loaded or added, one object per return (an identity map): written back on
    commit. A return read again in the same unit of work is the same object, with its changes so far."""

    seen: dict[str, _Seen] = field(default_factory=dict)  # by return id
    added: list[Return] = field(default_factory=list)
    fresh: list[tuple[Return, int]] = field(default_factory=list)  # returns with new events, from which on

    def watch(self, row: ReturnRow) -> Return:
        found = self.seen.get(row.id)
        if found is None:
            ret = return_from_row(row)
            found = self.seen[row.id] = _Seen(ret, row, len(ret.events))
        return found.ret

    async def flush(self, session: AsyncSession) -> None:
        """Rows for new returns (numbered from their sequence), changes of the loaded ones, new events: a
        statement per table touched, whatever the number of lines or events."""
        added, self.added = self.added, []
        for ret in added:
            row = new_return_row(ret)
            session.add(row)
            self.seen[ret.id] = _Seen(ret, row, 0)
        for seen in self.seen.values():
            update_return_row(seen.row, seen.ret)
        await session.flush()
        for ret in added:  # the number comes from the sequence the insert gave
            row = self.seen[ret.id].row
            row.number = ret.number = f"R-{10000 + row.seq}"
        if added:
            await session.flush()
        await self._events(session)

    async def _events(self, session: AsyncSession) -> None:
        """New events of every return, in one INSERT (the trail is only ever appended to)."""
        rows = []
        for seen in self.seen.values():
            fresh = seen.ret.events[seen.saved_events:]
            if fresh:
                self.fresh.append((seen.ret, seen.saved_events))  # the outbox follows these (uow.py)
                rows += [event_values(seen.row.seq, e) for e in fresh]
            seen.saved_events = len(seen.ret.events)
        if rows:
            await session.execute(insert(EVENTS), rows)  # Core: one executemany


class SqlReturns:
    """ports.ReturnRepository on SQLAlchemy."""

    def __init__(self, session: AsyncSession, tracker: Tracker) -> None:
        self.session, self.tracker = session, tracker

    def add(self, ret: Return) -> None:
        self.tracker.added.append(ret)

    async def get(self, tenant: str, return_id: str) -> Return | None:
        stmt = select(ReturnRow).where(ReturnRow.tenant == tenant, ReturnRow.id == return_id).options(*_FULL)
        return await self._one(stmt)

    async def _one(self, stmt: Select[Any]) -> Return | None:
        row = (await self.session.execute(stmt.execution_options(populate_existing=True))).unique().scalar_one_or_none()
        return self.tracker.watch(row) if row is not None else None

    async def owner(self, tenant: str, return_id: str) -> ReturnOwner | None:
        stmt = select(ReturnRow.customer_email, ReturnRow.customer_id).where(ReturnRow.tenant == tenant,
                                                                              ReturnRow.id == return_id)
        row = (await self.session.execute(stmt)).first()
        return ReturnOwner(row.customer_email, row.customer_id) if row is not None else None

    async def locate(self, tenant: str, return_id: str) -> ReturnRef | None:
        stmt = select(*_REF).where(ReturnRow.tenant == tenant, ReturnRow.id == return_id)
        found = (await self.session.execute(stmt)).first()
        return ReturnRef(*found) if found else None

    async def locate_refund(self, refund_id: str) -> WorkItem | None:
        stmt = select(*_REF).join(RefundRow, RefundRow.return_seq == ReturnRow.seq).where(RefundRow.id == refund_id)
        found = (await self.session.execute(stmt)).first()
        return WorkItem(ReturnRef(*found), refund_id) if found else None

    async def locate_provider_refund(self, gateway: str, provider_id: str, refund_id: str | None) -> WorkItem | None:
        base = select(*_REF, RefundRow.id).join(RefundRow, RefundRow.return_seq == ReturnRow.seq).where(
            RefundRow.gateway == gateway)
        found = (await self.session.execute(base.where(RefundRow.psp_reference == provider_id).limit(1))).first()
        if found is None and refund_id:
            found = (await self.session.execute(base.where(RefundRow.id == refund_id))).first()
        return WorkItem(ReturnRef(*found[:3]), found[3]) if found else None

    async def locate_label(self, label_id: str) -> WorkItem | None:
        stmt = select(*_REF).join(LabelRow, LabelRow.return_seq == ReturnRow.seq).where(LabelRow.id == label_id)
        found = (await self.session.execute(stmt)).first()
        return WorkItem(ReturnRef(*found), label_id) if found else None

    async def locate_tracking(self, carrier: str, tracking_number: str) -> WorkItem | None:
        stmt = (select(*_REF, LabelRow.id).join(LabelRow, LabelRow.return_seq == ReturnRow.seq)
                .where(LabelRow.carrier == carrier, LabelRow.tracking_number == tracking_number)
                .order_by(LabelRow.created_at.desc()).limit(1))
        found = (await self.session.execute(stmt)).first()
        return WorkItem(ReturnRef(*found[:3]), found[3]) if found else None

    async def returned_units(self, tenant: str, order_id: str) -> dict[str, int]:
        stmt = (select(ReturnLineRow.order_line_id, func.sum(ReturnLineRow.quantity))
                .join(ReturnRow, ReturnRow.seq == ReturnLineRow.return_seq)
                .where(ReturnRow.tenant == tenant, ReturnRow.order_id == order_id,
                       ReturnRow.status.in_(ACTIVE_STATUSES))
                .group_by(ReturnLineRow.order_line_id))
        return {line: int(qty) for line, qty in (await self.session.execute(stmt)).all()}

    async def committed_refunds(self, tenant: str, order_id: str) -> dict[str, Decimal]:
        stmt = select(RefundRow.payment_id, RefundRow.amount).where(
            RefundRow.tenant == tenant, RefundRow.order_id == order_id, RefundRow.status.in_(COMMITTED_STATUSES))
        out: dict[str, Decimal] = defaultdict(Decimal)
        for payment_id, amount in (await self.session.execute(stmt)).all():
            out[payment_id] += amount
        return dict(out)

    async def keep_item_history(self, tenant: str, email: str, since: datetime, currency: str) -> tuple[int, Decimal]:
        stmt = select(ReturnRow.refund_total).where(
            ReturnRow.tenant == tenant, func.lower(ReturnRow.customer_email) == email.lower(),
            ReturnRow.resolution == Resolution.KEEP_ITEM.value, ReturnRow.status.in_(ACTIVE_STATUSES),
            ReturnRow.created_at >= since, ReturnRow.currency == currency)
        amounts = [a for (a,) in (await self.session.execute(stmt)).all()]
        return len(amounts), sum(amounts, Decimal(0))

    async def keep_item_returns(self, tenant: str, email: str, since: datetime, currency: str) -> list[KeepItemReturn]:
        stmt = select(ReturnRow.created_at, ReturnRow.refund_total).where(
            ReturnRow.tenant == tenant, func.lower(ReturnRow.customer_email) == email.lower(),
            ReturnRow.resolution == Resolution.KEEP_ITEM.value, ReturnRow.status.in_(ACTIVE_STATUSES),
            ReturnRow.created_at >= since, ReturnRow.currency == currency).order_by(ReturnRow.created_at)
        return [KeepItemReturn(at, Money(amount, currency)) for at, amount in (await self.session.execute(stmt)).all()]

    async def page(self, tenant: str, flt: ReturnFilter, first: int, after: int | None) -> list[tuple[int, Return]]:
        stmt = _filtered(select(ReturnRow).options(*_FULL), tenant, flt)
        if after is not None:
            stmt = stmt.where(ReturnRow.seq < after)
        stmt = stmt.order_by(ReturnRow.seq.desc()).limit(first + 1)
        rows = (await self.session.execute(stmt)).unique().scalars()
        return [(row.seq, self.tracker.watch(row)) for row in rows]

    async def count(self, tenant: str, flt: ReturnFilter) -> int:
        stmt = _filtered(select(func.count()).select_from(ReturnRow), tenant, flt)
        return int((await self.session.execute(stmt)).scalar_one())

    async def of_order(self, tenant: str, order_id: str) -> list[Return]:
        # newest first, sorted here: an ORDER BY seq would tempt SQLite into walking the store's returns by seq
        stmt = select(ReturnRow).where(ReturnRow.tenant == tenant, ReturnRow.order_id == order_id).options(*_FULL)
        rows = sorted((await self.session.execute(stmt)).unique().scalars(), key=lambda r: r.seq, reverse=True)
        return [self.tracker.watch(row) for row in rows]

    async def of_orders(self, tenant: str, order_ids: Collection[str]) -> dict[str, list[Return]]:
        if not order_ids:
            return {}
        # joined, not selectin: the returns of N orders with their lines, refunds, labels, events in ONE statement
        stmt = (select(ReturnRow).where(ReturnRow.tenant == tenant, ReturnRow.order_id.in_(list(order_ids)))
                .options(*_JOINED))
        out: dict[str, list[Return]] = defaultdict(list)
        rows = sorted((await self.session.execute(stmt)).unique().scalars(), key=lambda r: r.seq, reverse=True)
        for row in rows:
            out[row.order_id].append(self.tracker.watch(row))
        return dict(out)

    async def channels(self, tenant: str) -> list[str]:
        stmt = select(ReturnRow.channel).where(ReturnRow.tenant == tenant).distinct()
        return sorted(c for (c,) in (await self.session.execute(stmt)).all())


    async def label_pdf(self, label_id: str) -> tuple[Label, bytes] | None:
        row = await self.session.get(LabelRow, label_id, options=[undefer(LabelRow.pdf)])
        return (label_from_row(row), row.pdf) if row is not None else None

    async def refunds_on_payments_since(self, gateway: str, since: datetime) -> list[tuple[Refund, str]]:
        recent = (select(RefundRow.payment_reference)
                  .where(RefundRow.gateway == gateway, RefundRow.created_at >= since).distinct())
        stmt = (select(RefundRow, ReturnRow.number).join(ReturnRow, ReturnRow.seq == RefundRow.return_seq)
                .where(RefundRow.gateway == gateway, RefundRow.payment_reference.in_(recent))
                .order_by(RefundRow.payment_reference, RefundRow.created_at))
        return [(refund_from_row(r), number) for r, number in (await self.session.execute(stmt)).all()]


def _filtered(stmt: Any, tenant: str, flt: ReturnFilter) -> Any:
    """The returns list's filters, shared by the page and its count; each one served by an index (models.py)."""
    stmt = stmt.where(ReturnRow.tenant == tenant)
    if flt.status:
        stmt = stmt.where(ReturnRow.status == flt.status)
    if flt.channel:
        stmt = stmt.where(ReturnRow.channel == flt.channel)
    if flt.order_id:
        stmt = stmt.where(ReturnRow.order_id == flt.order_id)
    if flt.customer_email:
        stmt = stmt.where(func.lower(ReturnRow.customer_email) == flt.customer_email.lower())
    if flt.search:
        stmt = stmt.where(_search(tenant, flt.search.strip()))
    return stmt


def _search(tenant: str, raw: str) -> Any:
    """A return number ("r-10042", any case) is one unique row; anything else may be an order id, an order number
    or an e-mail: three index lookups joined, instead of an OR that would read every return of the store."""
    if raw.lower().startswith("r-"):
        return ReturnRow.number == raw.upper()
    mine = ReturnRow.tenant == tenant
    return ReturnRow.seq.in_(union(
        select(ReturnRow.seq).where(mine, ReturnRow.order_id == raw),
        select(ReturnRow.seq).where(mine, ReturnRow.order_number == raw),
        select(ReturnRow.seq).where(mine, func.lower(ReturnRow.customer_email) == raw.lower())))


class SqlWorkQueue:
    """ports.WorkQueue on SQLAlchemy: every tenant's due work, claimed with SKIP LOCKED on PostgreSQL."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim_due_refunds(self, now: datetime, limit: int, lease: timedelta) -> list[WorkItem]:
        stmt = (select(RefundRow).where(RefundRow.status == "PENDING",
                                        (RefundRow.next_attempt_at.is_(None)) | (RefundRow.next_attempt_at <= now))
                .order_by(RefundRow.created_at).limit(limit))
        if is_postgres(self.session):
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list((await self.session.execute(stmt)).scalars())
        if not rows:
            return []
        await self.session.execute(update(RefundRow).where(RefundRow.id.in_([r.id for r in rows]))
                                   .values(next_attempt_at=now + lease).execution_options(synchronize_session=False))
        owners = await self._owners(list({r.return_seq for r in rows}))
        return [WorkItem(owners[r.return_seq], r.id) for r in rows]

    async def _owners(self, seqs: list[int]) -> dict[int, ReturnRef]:
        stmt = select(ReturnRow.seq, *_REF).where(ReturnRow.seq.in_(seqs))
        return {seq: ReturnRef(t, i, o) for seq, t, i, o in (await self.session.execute(stmt)).all()}

    async def due_refund_plans(self, now: datetime, limit: int) -> list[ReturnRef]:
        return await self._refs(ReturnRow.refund_due_at, now, limit)

    async def due_exchanges(self, now: datetime, limit: int) -> list[ReturnRef]:
        return await self._refs(ReturnRow.exchange_due_at, now, limit)

    async def due_records(self, now: datetime, limit: int) -> list[ReturnRef]:
        return await self._refs(ReturnRow.record_due_at, now, limit)

    async def _refs(self, column: object, now: datetime, limit: int) -> list[ReturnRef]:
        col = column  # a DateTime column of ReturnRow
        stmt = select(*_REF).where(col <= now).order_by(col).limit(limit)  # type: ignore[operator, arg-type]
        return [ReturnRef(*r) for r in (await self.session.execute(stmt)).all()]

    async def due_label_purchases(self, now: datetime, limit: int) -> list[WorkItem]:
        return await self._labels(
            (LabelRow.status.in_((LabelStatus.FAILED.value, LabelStatus.PURCHASING.value)),
             LabelRow.voided_at.is_(None), LabelRow.next_attempt_at <= now), LabelRow.next_attempt_at, limit)

    async def expired_labels(self, now: datetime, limit: int) -> list[WorkItem]:
        return await self._labels(
            (LabelRow.status == LabelStatus.ISSUED.value, LabelRow.voided_at.is_(None),
             LabelRow.first_scan_at.is_(None), LabelRow.expires_at.is_not(None), LabelRow.expires_at <= now),
            LabelRow.expires_at, limit)

    async def due_voids(self, now: datetime, limit: int) -> list[WorkItem]:
        voiding = (VoidStatus.PENDING.value, VoidStatus.VOIDING.value)
        return await self._labels(
            (LabelRow.void_status.in_(voiding),
             (LabelRow.next_attempt_at.is_(None)) | (LabelRow.next_attempt_at <= now)), LabelRow.created_at, limit)

    async def _labels(self, where: tuple, order: object, limit: int) -> list[WorkItem]:
        stmt = (select(*_REF, LabelRow.id).join(LabelRow, LabelRow.return_seq == ReturnRow.seq).where(*where)
                .order_by(order).limit(limit))  # type: ignore[arg-type]
        found = (await self.session.execute(stmt)).all()
        return [WorkItem(ReturnRef(t, i, o), label_id) for t, i, o, label_id in found]
