"""Queries the services need, in the domain's words. No business rules here."""
from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ...domain.lifecycle import ACTIVE, Resolution
from ...domain.refunds import COMMITTED
from .dialect import insert_for, is_postgres
from .models import (
    GoodwillSpendRow,
    OrderLockRow,
    PolicyVersionRow,
    ProcessedEventRow,
    RefundRow,
    ReturnEventRow,
    ReturnLineRow,
    ReturnRow,
)

ACTIVE_STATUSES = tuple(s.value for s in ACTIVE)
COMMITTED_STATUSES = tuple(s.value for s in COMMITTED)
_FULL = (selectinload(ReturnRow.lines), selectinload(ReturnRow.refunds), selectinload(ReturnRow.labels),
         selectinload(ReturnRow.events))


@dataclass(frozen=True, slots=True)
class ReturnFilter:
    status: str | None = None
    channel: str | None = None
    order_id: str | None = None
    customer_email: str | None = None
    search: str | None = None  # return number, order number or e-mail


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"r:{seq}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """Raises ValueError for anything we did not hand out."""
    raw = base64.urlsafe_b64decode(cursor.encode()).decode()
    if not raw.startswith("r:"):
        raise ValueError("not a cursor")
    return int(raw[2:])


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # --- locking ------------------------------------------------------------------------------
    async def lock_order(self, tenant: str, order_id: str, now: datetime) -> None:
        """Serialise every write about one order (row lock on PostgreSQL, write lock on SQLite)."""
        await self.lock_key(tenant, order_id, now)

    async def lock_key(self, tenant: str, key: str, now: datetime) -> None:
        """Serialise writers of one named thing: an order id, "goodwill:<staff>", "policy:<channel>"."""
        values = {"tenant": tenant, "order_id": key, "created_at": now}
        await self.session.execute(insert_for(self.session, OrderLockRow).values(**values).on_conflict_do_nothing())
        if is_postgres(self.session):
            await self.session.execute(select(OrderLockRow.order_id).where(
                OrderLockRow.tenant == tenant, OrderLockRow.order_id == key).with_for_update())

    # --- returns ------------------------------------------------------------------------------
    async def get_return(self, tenant: str, return_id: str) -> ReturnRow | None:
        stmt = select(ReturnRow).where(ReturnRow.tenant == tenant, ReturnRow.id == return_id).options(*_FULL)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def get_return_by_seq(self, seq: int) -> ReturnRow | None:
        stmt = select(ReturnRow).where(ReturnRow.seq == seq).options(*_FULL)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def returned_units(self, tenant: str, order_id: str) -> dict[str, int]:
        """Units per order line in returns that were not rejected or cancelled."""
        stmt = (select(ReturnLineRow.order_line_id, func.sum(ReturnLineRow.quantity))
                .join(ReturnRow, ReturnRow.seq == ReturnLineRow.return_seq)
                .where(ReturnRow.tenant == tenant, ReturnRow.order_id == order_id,
                       ReturnRow.status.in_(ACTIVE_STATUSES))
                .group_by(ReturnLineRow.order_line_id))
        return {line: int(qty) for line, qty in (await self.session.execute(stmt)).all()}

    async def committed_refunds(self, tenant: str, order_id: str) -> dict[str, Decimal]:
        """Per payment: what this app has refunded or is refunding on the order."""
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

    async def list_returns(self, tenant: str, flt: ReturnFilter, first: int, after: int | None) -> list[ReturnRow]:
        """Newest first; `first + 1` rows so the caller can tell whether there is a next page."""
        stmt = _filtered(select(ReturnRow).where(ReturnRow.tenant == tenant).options(*_FULL), flt)
        if after is not None:
            stmt = stmt.where(ReturnRow.seq < after)
        stmt = stmt.order_by(ReturnRow.seq.desc()).limit(first + 1)
        return list((await self.session.execute(stmt)).scalars())

    async def count_returns(self, tenant: str, flt: ReturnFilter) -> int:
        """How many returns match `flt` (all pages)."""
        stmt = _filtered(select(func.count()).select_from(ReturnRow).where(ReturnRow.tenant == tenant), flt)
        return int((await self.session.execute(stmt)).scalar_one())

    def add_event(self, ret: ReturnRow, at: datetime, actor: str, type_: str, note: str | None = None) -> None:
        ret.events.append(ReturnEventRow(at=at, actor=actor, type=type_, note=note))

    # --- refunds ------------------------------------------------------------------------------
    async def get_refund(self, refund_id: str) -> RefundRow | None:
        return await self.session.get(RefundRow, refund_id)

    async def due_refunds(self, now: datetime, limit: int) -> list[RefundRow]:
        """PENDING refunds whose next attempt is due, claimed so no other worker takes them."""
        stmt = (select(RefundRow).where(RefundRow.status == "PENDING",
                                        (RefundRow.next_attempt_at.is_(None)) | (RefundRow.next_attempt_at <= now))
                .order_by(RefundRow.created_at).limit(limit))
        if is_postgres(self.session):
            stmt = stmt.with_for_update(skip_locked=True)
        return list((await self.session.execute(stmt)).scalars())

    async def find_provider_refund(self, provider_id: str, refund_id: str | None) -> RefundRow | None:
        """Our refund a provider speaks about: by the provider's refund id, else by our id from its metadata."""
        stmt = select(RefundRow).where(RefundRow.psp_reference == provider_id).limit(1)
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        if row is None and refund_id:
            row = await self.session.get(RefundRow, refund_id)
        return row

    async def refunds_of_payments_since(self, gateway: str, since: datetime) -> list[RefundRow]:
        """Every refund (any age) on the payments that had a `gateway` refund created since `since`."""
        recent = (select(RefundRow.payment_reference)
                  .where(RefundRow.gateway == gateway, RefundRow.created_at >= since).distinct())
        stmt = (select(RefundRow).where(RefundRow.gateway == gateway, RefundRow.payment_reference.in_(recent))
                .options(selectinload(RefundRow.ret)).order_by(RefundRow.payment_reference, RefundRow.created_at))
        return list((await self.session.execute(stmt)).scalars())

    # --- provider webhook events --------------------------------------------------------------
    async def record_event(self, provider: str, event_id: str, type_: str, now: datetime) -> int | None:
        """Note an event as processed; None when it already was (the unique key drops the repeat)."""
        stmt = (insert_for(self.session, ProcessedEventRow)
                .values(provider=provider, event_id=event_id, type=type_[:64], result="received", received_at=now)
                .on_conflict_do_nothing().returning(ProcessedEventRow.id))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def set_event_result(self, event_row_id: int, result: str) -> None:
        await self.session.execute(update(ProcessedEventRow).where(ProcessedEventRow.id == event_row_id)
                                   .values(result=result))

    # --- policies -----------------------------------------------------------------------------
    async def known_channels(self, tenant: str) -> list[str]:
        """Channel slugs this tenant has a policy or a return in, sorted."""
        policies = select(PolicyVersionRow.channel).where(PolicyVersionRow.tenant == tenant).distinct()
        returns = select(ReturnRow.channel).where(ReturnRow.tenant == tenant).distinct()
        found = {c for (c,) in (await self.session.execute(policies)).all()}
        found |= {c for (c,) in (await self.session.execute(returns)).all()}
        return sorted(found)

    async def latest_policy(self, tenant: str, channel: str) -> PolicyVersionRow | None:
        stmt = (select(PolicyVersionRow).where(PolicyVersionRow.tenant == tenant, PolicyVersionRow.channel == channel)
                .order_by(PolicyVersionRow.version.desc()).limit(1))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def add_policy(self, tenant: str, channel: str, settings: dict[str, Any], by: str,
                         now: datetime) -> PolicyVersionRow:
        latest = await self.latest_policy(tenant, channel)
        row = PolicyVersionRow(tenant=tenant, channel=channel, version=(latest.version if latest else 0) + 1,
                               settings=settings, created_at=now, created_by=by)
        self.session.add(row)
        await self.session.flush()  # the unique (tenant, channel, version) refuses a racing writer
        return row

    # --- goodwill -----------------------------------------------------------------------------
    async def goodwill_spent(self, tenant: str, staff: str, day: date, currency: str) -> Decimal:
        stmt = select(GoodwillSpendRow.amount).where(
            GoodwillSpendRow.tenant == tenant, GoodwillSpendRow.staff == staff, GoodwillSpendRow.day == day,
            GoodwillSpendRow.currency == currency)
        return sum((a for (a,) in (await self.session.execute(stmt)).all()), Decimal(0))

    def spend_goodwill(self, tenant: str, staff: str, day: date, amount: Decimal, currency: str,
                       ret: ReturnRow, now: datetime) -> None:
        self.session.add(GoodwillSpendRow(tenant=tenant, staff=staff, day=day, amount=amount, currency=currency,
                                          return_seq=ret.seq, at=now))


def _filtered(stmt, flt: ReturnFilter):
    """The returns list's filters, shared by the page and its count."""
    if flt.status:
        stmt = stmt.where(ReturnRow.status == flt.status)
    if flt.channel:
        stmt = stmt.where(ReturnRow.channel == flt.channel)
    if flt.order_id:
        stmt = stmt.where(ReturnRow.order_id == flt.order_id)
    if flt.customer_email:
        stmt = stmt.where(func.lower(ReturnRow.customer_email) == flt.customer_email.lower())
    if flt.search:
        term = flt.search.strip().lower()
        stmt = stmt.where(func.lower(ReturnRow.number) == term) if term.startswith("r-") else stmt.where(
            (ReturnRow.order_number == flt.search.strip()) | (func.lower(ReturnRow.customer_email) == term)
            | (ReturnRow.order_id == flt.search.strip()))
    return stmt
