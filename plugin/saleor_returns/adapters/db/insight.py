"""ports.InsightRepository in SQL: a period's decisions with their snapshots, and the analytics figures as grouped
queries on the indexed returns of the period (ix_returns_tenant_channel_created, ix_returns_tenant_created).

Money is summed exactly on both databases: NUMERIC on PostgreSQL; on SQLite, where amounts are decimal strings,
as whole ten-thousandths (integers) that are turned back into Decimals here. Days are cut in the channel's
time zone: AT TIME ZONE on PostgreSQL; on SQLite, which knows no zones, each UTC offset the zone has during the
period is applied from the instant it starts (zoneinfo gives the transitions)."""
from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Float, Integer, case, cast, func, literal, null, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from ...domain.analytics import Bucket, Day, Period, ReturnFigures, add_to, money_list, ranked
from ...domain.decision_record import RuleVerdict
from ...domain.labels import LabelStatus
from ...domain.lifecycle import Resolution
from ...domain.policy import Policy, policy_from_dict
from ...domain.refunds import RefundStatus
from ...ports.insight import RecordedDecision
from .dialect import is_postgres
from .mapping import decision_from_json
from .models import LabelRow, PolicyVersionRow, RefundRow, ReturnLineRow, ReturnRow
from .snapshot_json import snapshot_from_json

PRODUCT_KEY = func.coalesce(func.nullif(ReturnLineRow.sku, ""), ReturnLineRow.product_name)  # SKU, else name
SCALE = 10_000  # amounts keep 4 decimals (NUMERIC(20, 4)): on SQLite they are summed as integers of 1/10000


class SqlInsight:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.pg = is_postgres(session)

    # --- simulations ---------------------------------------------------------------------------------------
    async def decisions(self, tenant: str, channel: str, period: Period, traces: bool = True) -> list[RecordedDecision]:
        trace = ReturnRow.decision if traces else null()
        stmt = (select(ReturnRow.id, ReturnRow.number, ReturnRow.created_at, ReturnRow.policy_version,
                       ReturnRow.decision_seen, trace)
                .where(*self._in(tenant, channel, period)).order_by(ReturnRow.created_at, ReturnRow.seq))
        return [RecordedDecision(i, number, at, version, snapshot_from_json(seen),
                                 decision_from_json(decision).trace if traces else None)
                for i, number, at, version, seen, decision in (await self.session.execute(stmt)).all()]

    async def traces(self, tenant: str, return_ids: Collection[str]) -> dict[str, tuple[RuleVerdict, ...]]:
        ids = list(return_ids)
        out: dict[str, tuple[RuleVerdict, ...]] = {}
        for start in range(0, len(ids), 500):  # bounded IN lists
            stmt = select(ReturnRow.id, ReturnRow.decision).where(ReturnRow.tenant == tenant,
                                                                 ReturnRow.id.in_(ids[start:start + 500]))
            out.update((i, decision_from_json(d).trace) for i, d in (await self.session.execute(stmt)).all())
        return out

    async def policy_versions(self, tenant: str, channel: str) -> dict[int, Policy]:
        stmt = select(PolicyVersionRow.version, PolicyVersionRow.settings).where(
            PolicyVersionRow.tenant == tenant, PolicyVersionRow.channel == channel)
        return {version: policy_from_dict(raw) for version, raw in (await self.session.execute(stmt)).all()}

    # --- analytics -------------------------------------------------------------------------------------------
    async def figures(self, tenant: str, channel: str | None, period: Period, timezone: str) -> ReturnFigures:
        if self.pg:  # these statements take well under a second: compiling them (JIT) would cost more than it saves
            await self.session.execute(text("SET LOCAL jit = off"))
        where = self._in(tenant, channel, period)
        # per return, through the indexes on return_seq: its units, and the money of its succeeded refunds
        units = (select(func.sum(ReturnLineRow.quantity)).where(ReturnLineRow.return_seq == ReturnRow.seq)
                 .correlate(ReturnRow).scalar_subquery())
        paid = (select(self._sum(RefundRow.amount)).where(RefundRow.return_seq == ReturnRow.seq,
                                                          RefundRow.status == RefundStatus.SUCCEEDED.value)
                .correlate(ReturnRow).scalar_subquery())
        day = self._day(ReturnRow.created_at, period, timezone).label("day")
        cube = (select(ReturnRow.status, ReturnRow.resolution, day, ReturnRow.currency, func.count(),
                       func.sum(units), func.sum(paid))
                .where(*where).group_by(ReturnRow.status, ReturnRow.resolution, day, ReturnRow.currency))
        status: dict[str, _Acc] = {}
        resolution: dict[str, _Acc] = {}
        days: dict[str, _Acc] = {}
        refunded: dict[str, Decimal] = {}
        keep: dict[str, Decimal] = {}
        total_returns = total_units = 0
        for st, res, d, cur, n, u, money in (await self.session.execute(cube)).all():
            amount = self._money(money)
            u = int(u or 0)
            total_returns, total_units = total_returns + n, total_units + u
            add_to(refunded, cur, amount)
            if res == Resolution.KEEP_ITEM.value:
                add_to(keep, cur, amount)
            for groups, key in ((status, st), (resolution, res or "NONE"), (days, d)):
                groups.setdefault(key, _Acc()).add(n, u, cur, amount)
        by_reason, by_product = await self._lines(where)
        return ReturnFigures(
            returns=total_returns, units=total_units,
            by_status=ranked(acc.bucket(k) for k, acc in status.items()), by_reason=by_reason,
            by_resolution=ranked(acc.bucket(k) for k, acc in resolution.items()), by_product=by_product,
            refunded=money_list(refunded), keep_item_value=money_list(keep),
            label_cost=await self._label_cost(where), median_hours_to_refund=await self._median_hours(where),
            daily=tuple(sorted((Day(date.fromisoformat(k), acc.returns, money_list(acc.money))
                                for k, acc in days.items()), key=lambda x: x.date)))

    async def _lines(self, where: list[ColumnElement[bool]]) -> tuple[tuple[Bucket, ...], tuple[Bucket, ...]]:
        """Per reason and per product (one statement, two groupings): the returns with such a line, their units,
        and the line refunds of returns whose money went back."""
        was_paid = (select(RefundRow.id).where(RefundRow.return_seq == ReturnRow.seq,
                                               RefundRow.status == RefundStatus.SUCCEEDED.value)
                    .correlate(ReturnRow).exists())
        money = self._sum(case((was_paid, ReturnLineRow.refund_amount)))

        def grouped(kind: str, key: Any) -> Any:
            k = key.label("k")
            return (select(literal(kind).label("kind"), k, ReturnRow.currency,
                           func.count(func.distinct(ReturnRow.seq)), func.sum(ReturnLineRow.quantity), money)
                    .select_from(ReturnLineRow).join(ReturnRow, ReturnRow.seq == ReturnLineRow.return_seq)
                    .where(*where).group_by(k, ReturnRow.currency))

        both = grouped("reason", ReturnLineRow.reason).union_all(grouped("product", PRODUCT_KEY))
        found: dict[str, dict[str, _Acc]] = {"reason": {}, "product": {}}
        for kind, name, cur, n, u, amount in (await self.session.execute(both)).all():
            found[kind].setdefault(name, _Acc()).add(n, int(u or 0), cur, self._money(amount))
        return tuple(ranked(acc.bucket(name) for name, acc in found[kind].items())  # type: ignore[return-value]
                     for kind in ("reason", "product"))

    async def _label_cost(self, where: list[ColumnElement[bool]]) -> tuple[Any, ...]:
        stmt = (select(LabelRow.currency, self._sum(LabelRow.cost))
                .join(ReturnRow, ReturnRow.seq == LabelRow.return_seq)
                .where(*where, LabelRow.cost.is_not(None), LabelRow.currency.is_not(None),
                       LabelRow.status == LabelStatus.ISSUED.value, LabelRow.carrier_voided_at.is_(None))
                .group_by(LabelRow.currency))
        costs: dict[str, Decimal] = {}
        for cur, money in (await self.session.execute(stmt)).all():
            add_to(costs, cur, self._money(money))
        return money_list(costs)

    async def _median_hours(self, where: list[ColumnElement[bool]]) -> float | None:
        """The median of the hours from request to last succeeded refund (the mean of the middle two when even),
        in one statement: each return's hours numbered in order, the middle one or two kept."""
        last = (select(func.max(RefundRow.updated_at)).where(RefundRow.return_seq == ReturnRow.seq,
                                                              RefundRow.status == RefundStatus.SUCCEEDED.value)
                .correlate(ReturnRow).scalar_subquery())
        hours = (select(self._hours(ReturnRow.created_at, last).label("h")).where(*where).subquery())
        numbered = select(hours.c.h, func.row_number().over(order_by=hours.c.h).label("n"),
                          func.count().over().label("total")).where(hours.c.h.is_not(None)).subquery()
        middle = select(func.avg(numbered.c.h)).where(
            numbered.c.n.in_([(numbered.c.total + 1) / 2, (numbered.c.total + 2) / 2]))
        found = (await self.session.execute(middle)).scalar_one_or_none()
        return float(found) if found is not None else None

    # --- dialects --------------------------------------------------------------------------------------------
    @staticmethod
    def _in(tenant: str, channel: str | None, period: Period) -> list[ColumnElement[bool]]:
        where = [ReturnRow.tenant == tenant, ReturnRow.created_at >= period.since, ReturnRow.created_at < period.until]
        if channel is not None:
            where.append(ReturnRow.channel == channel)
        return where

    def _sum(self, amount: Any) -> Any:
        if self.pg:
            return func.sum(amount)
        return func.sum(cast(func.round(cast(amount, Float) * SCALE), Integer))

    def _money(self, value: Any) -> Decimal | None:
        if value is None:
            return None
        return value if isinstance(value, Decimal) else Decimal(int(value)) / SCALE

    def _hours(self, start: Any, end: Any) -> Any:
        if self.pg:
            return func.extract("epoch", end - start) / 3600.0
        return (func.julianday(end) - func.julianday(start)) * 24.0

    def _day(self, at: Any, period: Period, timezone: str) -> Any:
        if self.pg:
            return func.to_char(func.timezone(timezone, at), "YYYY-MM-DD")
        offsets = utc_offsets(period, timezone)
        if len(offsets) == 1:
            return func.date(at, literal(_minutes(offsets[0][1])))
        whens = [(at < start, literal(_minutes(prev))) for (start, _), (_, prev) in zip(offsets[1:], offsets,
                                                                                      strict=False)]
        return func.date(at, case(*whens, else_=literal(_minutes(offsets[-1][1]))))


def utc_offsets(period: Period, timezone: str) -> list[tuple[datetime, timedelta]]:
    """The zone's UTC offset over the period: [(from when, offset)], the first from the period's start. Found by
    stepping through each day whose offset differs from the day before, to the quarter hour."""
    zone = ZoneInfo(timezone)
    step = timedelta(minutes=15)

    def offset(at: datetime) -> timedelta:
        return at.astimezone(zone).utcoffset() or timedelta(0)

    found = [(period.since, offset(period.since))]
    at = period.since
    while at < period.until:
        nxt = min(at + timedelta(days=1), period.until)
        if offset(nxt) != found[-1][1]:
            t = at
            while offset(t) == found[-1][1]:
                t += step
            found.append((t, offset(t)))
        at = nxt
    return found


def _minutes(offset: timedelta) -> str:
    return f"{int(offset.total_seconds() // 60):+d} minutes"


class _Acc:
    def __init__(self) -> None:
        self.returns = 0
        self.units = 0
        self.money: dict[str, Decimal] = {}

    def add(self, returns: int, units: int, currency: str, money: Decimal | None) -> None:
        self.returns += returns
        self.units += units
        add_to(self.money, currency, money)

    def bucket(self, key: str) -> Bucket:
        return Bucket(key, self.returns, self.units, money_list(self.money))
