"""Returns in SQL: the ReturnRepository and the WorkQueue ports (ports/persistence.py)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, func, select, union, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ...domain.decision_snapshot import KeepItemReturn
from ...domain.labels import Label, LabelStatus, VoidStatus
from ...domain.lifecycle import ACTIVE, Resolution
from ...domain.money import Money
from ...domain.refunds import COMMITTED, Refund
from ...domain.returns import Return
from ...ports.persistence import ReturnFilter, ReturnOwner, ReturnRef, WorkItem
from .dialect import is_postgres
from .mapping import label_from_row, refund_from_row
from .models import LabelRow, RefundRow, ReturnRow
from .return_loading import LABELS, LINES, REFUNDS, RETURNS, joined_where, load, load_joined, returns_where
from .return_writing import Tracker

__all__ = ["SqlReturns", "SqlWorkQueue", "Tracker"]

ACTIVE_STATUSES = tuple(s.value for s in ACTIVE)
COMMITTED_STATUSES = tuple(s.value for s in COMMITTED)
R, L, F = RETURNS.c, LINES.c, REFUNDS.c
_REF = (R.tenant, R.id, R.order_id)
_ACTIVE = R.status.in_(ACTIVE_STATUSES)
_KEEP_ITEM = (R.tenant == bindparam("tenant"), func.lower(R.customer_email) == bindparam("email"),
              R.resolution == Resolution.KEEP_ITEM.value, _ACTIVE, R.created_at >= bindparam("since"),
              R.currency == bindparam("currency"))

# the hot statements, built once (their compiled form is cached by SQLAlchemy)
_BY_ID = returns_where(R.tenant == bindparam("tenant"), R.id == bindparam("id"))
# newest first, sorted here: an ORDER BY seq would tempt SQLite into walking the store's returns by seq
_OF_ORDER = returns_where(R.tenant == bindparam("tenant"), R.order_id == bindparam("order_id"))
# the returns of N orders with their lines, refunds, labels, events in ONE statement (a page of a shopper's orders)
_OF_ORDERS = joined_where(R.tenant == bindparam("tenant"), R.order_id.in_(bindparam("order_ids", expanding=True)))
_VERSION = select(R.seq, R.version).where(R.tenant == bindparam("tenant"), R.id == bindparam("id"))
_OWNER = select(R.customer_email, R.customer_id).where(R.tenant == bindparam("tenant"), R.id == bindparam("id"))
_LOCATE = select(*_REF).where(R.tenant == bindparam("tenant"), R.id == bindparam("id"))
_RETURNED_UNITS = (select(L.order_line_id, func.sum(L.quantity)).join(RETURNS, R.seq == L.return_seq)
                   .where(R.tenant == bindparam("tenant"), R.order_id == bindparam("order_id"), _ACTIVE)
                   .group_by(L.order_line_id))
_COMMITTED = select(F.payment_id, F.amount).where(F.tenant == bindparam("tenant"), F.order_id == bindparam("order_id"),
                                                  F.status.in_(COMMITTED_STATUSES))
_KEEP_ITEM_HISTORY = select(R.refund_total).where(*_KEEP_ITEM)
_KEEP_ITEM_RETURNS = select(R.created_at, R.refund_total).where(*_KEEP_ITEM).order_by(R.created_at)
_LABEL_PDF = select(LABELS).where(LABELS.c.id == bindparam("id"))


class SqlReturns:
    """ports.ReturnRepository on SQLAlchemy (Core statements on the unit of work's connection)."""

    def __init__(self, session: AsyncSession, tracker: Tracker) -> None:
        self.session, self.tracker = session, tracker

    async def _conn(self) -> AsyncConnection:
        return await self.session.connection()

    async def _rows(self, stmt: Any, **params: Any) -> list[Any]:
        return list((await (await self._conn()).execute(stmt, params)).all())

    def add(self, ret: Return) -> None:
        self.tracker.added.append(ret)

    async def get(self, tenant: str, return_id: str, known: Return | None = None) -> Return | None:
        found = self.tracker.seen.get(return_id)
        if found is not None and found.ret.tenant == tenant:
            return found.ret  # read once per unit of work: the same object, with its changes so far
        if known is not None and known.id == return_id and known.tenant == tenant:
            rows = await self._rows(_VERSION, tenant=tenant, id=return_id)
            if rows and rows[0].version == known.version:  # nobody wrote it since: the copy in hand is current
                return self.tracker.adopt(known, int(rows[0].seq))
        loaded = await load(await self._conn(), _BY_ID, {"tenant": tenant, "id": return_id})
        return self.tracker.watch(loaded[0]) if loaded else None

    async def owner(self, tenant: str, return_id: str) -> ReturnOwner | None:
        rows = await self._rows(_OWNER, tenant=tenant, id=return_id)
        return ReturnOwner(rows[0].customer_email, rows[0].customer_id) if rows else None

    async def locate(self, tenant: str, return_id: str) -> ReturnRef | None:
        rows = await self._rows(_LOCATE, tenant=tenant, id=return_id)
        return ReturnRef(*rows[0]) if rows else None

    async def locate_refund(self, refund_id: str) -> WorkItem | None:
        stmt = select(*_REF).join(REFUNDS, F.return_seq == R.seq).where(F.id == refund_id)
        rows = await self._rows(stmt)
        return WorkItem(ReturnRef(*rows[0]), refund_id) if rows else None

    async def locate_provider_refund(self, gateway: str, provider_id: str, refund_id: str | None) -> WorkItem | None:
        base = select(*_REF, F.id).join(REFUNDS, F.return_seq == R.seq).where(F.gateway == gateway)
        rows = await self._rows(base.where(F.psp_reference == provider_id).limit(1))
        if not rows and refund_id:
            rows = await self._rows(base.where(F.id == refund_id))
        return WorkItem(ReturnRef(*rows[0][:3]), rows[0][3]) if rows else None

    async def locate_label(self, label_id: str) -> WorkItem | None:
        stmt = select(*_REF).join(LABELS, LABELS.c.return_seq == R.seq).where(LABELS.c.id == label_id)
        rows = await self._rows(stmt)
        return WorkItem(ReturnRef(*rows[0]), label_id) if rows else None

    async def locate_tracking(self, carrier: str, tracking_number: str) -> WorkItem | None:
        lb = LABELS.c
        stmt = (select(*_REF, lb.id).join(LABELS, lb.return_seq == R.seq)
                .where(lb.carrier == carrier, lb.tracking_number == tracking_number)
                .order_by(lb.created_at.desc()).limit(1))
        rows = await self._rows(stmt)
        return WorkItem(ReturnRef(*rows[0][:3]), rows[0][3]) if rows else None

    async def returned_units(self, tenant: str, order_id: str) -> dict[str, int]:
        return {line: int(qty) for line, qty in await self._rows(_RETURNED_UNITS, tenant=tenant, order_id=order_id)}

    async def committed_refunds(self, tenant: str, order_id: str) -> dict[str, Decimal]:
        out: dict[str, Decimal] = defaultdict(Decimal)
        for payment_id, amount in await self._rows(_COMMITTED, tenant=tenant, order_id=order_id):
            out[payment_id] += amount
        return dict(out)

    async def keep_item_history(self, tenant: str, email: str, since: datetime, currency: str) -> tuple[int, Decimal]:
        amounts = [a for (a,) in await self._rows(_KEEP_ITEM_HISTORY, tenant=tenant, email=email.lower(),
                                                  since=since, currency=currency)]
        return len(amounts), sum(amounts, Decimal(0))

    async def keep_item_returns(self, tenant: str, email: str, since: datetime, currency: str) -> list[KeepItemReturn]:
        rows = await self._rows(_KEEP_ITEM_RETURNS, tenant=tenant, email=email.lower(), since=since, currency=currency)
        return [KeepItemReturn(at, Money(amount, currency)) for at, amount in rows]

    async def page(self, tenant: str, flt: ReturnFilter, first: int, after: int | None) -> list[tuple[int, Return]]:
        stmt = _filtered(select(RETURNS), tenant, flt)
        if after is not None:
            stmt = stmt.where(R.seq < after)
        loaded = await load(await self._conn(), stmt.order_by(R.seq.desc()).limit(first + 1))
        return [(one.seq, self.tracker.watch(one)) for one in loaded]

    async def count(self, tenant: str, flt: ReturnFilter) -> int:
        stmt = _filtered(select(func.count()).select_from(RETURNS), tenant, flt)
        return int((await self._rows(stmt))[0][0])

    async def of_order(self, tenant: str, order_id: str) -> list[Return]:
        loaded = await load(await self._conn(), _OF_ORDER, {"tenant": tenant, "order_id": order_id})
        return [self.tracker.watch(one) for one in sorted(loaded, key=lambda one: one.seq, reverse=True)]

    async def of_orders(self, tenant: str, order_ids: Collection[str]) -> dict[str, list[Return]]:
        if not order_ids:
            return {}
        loaded = await load_joined(await self._conn(), _OF_ORDERS, {"tenant": tenant, "order_ids": list(order_ids)})
        out: dict[str, list[Return]] = defaultdict(list)
        for one in sorted(loaded, key=lambda one: one.seq, reverse=True):
            out[one.row.order_id].append(self.tracker.watch(one))
        return dict(out)

    async def channels(self, tenant: str) -> list[str]:
        stmt = select(R.channel).where(R.tenant == tenant).distinct()
        return sorted(c for (c,) in await self._rows(stmt))

    async def label_pdf(self, label_id: str) -> tuple[Label, bytes] | None:
        rows = await self._rows(_LABEL_PDF, id=label_id)
        return (label_from_row(rows[0]), rows[0].pdf) if rows else None

    async def refunds_on_payments_since(self, gateway: str, since: datetime) -> list[tuple[Refund, str]]:
        recent = select(F.payment_reference).where(F.gateway == gateway, F.created_at >= since).distinct()
        stmt = (select(REFUNDS, R.number).join(RETURNS, R.seq == F.return_seq)
                .where(F.gateway == gateway, F.payment_reference.in_(recent))
                .order_by(F.payment_reference, F.created_at))
        return [(refund_from_row(row), row.number) for row in await self._rows(stmt)]


def _filtered(stmt: Any, tenant: str, flt: ReturnFilter) -> Any:
    """The returns list's filters, shared by the page and its count; each one served by an index (models.py)."""
    stmt = stmt.where(R.tenant == tenant)
    if flt.status:
        stmt = stmt.where(R.status == flt.status)
    if flt.channel:
        stmt = stmt.where(R.channel == flt.channel)
    if flt.order_id:
        stmt = stmt.where(R.order_id == flt.order_id)
    if flt.customer_email:
        stmt = stmt.where(func.lower(R.customer_email) == flt.customer_email.lower())
    if flt.search:
        stmt = stmt.where(_search(tenant, flt.search.strip()))
    return stmt


def _search(tenant: str, raw: str) -> Any:
    """A return number ("r-10042", any case) is one unique row; anything else may be an order id, an order number
    or an e-mail: three index lookups joined, instead of an OR that would read every return of the store."""
    if raw.lower().startswith("r-"):
        return R.number == raw.upper()
    mine = R.tenant == tenant
    return R.seq.in_(union(
        select(R.seq).where(mine, R.order_id == raw),
        select(R.seq).where(mine, R.order_number == raw),
        select(R.seq).where(mine, func.lower(R.customer_email) == raw.lower())))


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
