"""Policies, goodwill spending and applied provider messages in SQL (ports/persistence.py)."""
from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Text, bindparam, func, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from ...domain.money import Money
from ...domain.policy import Policy, policy_from_dict, policy_to_dict
from ...domain.tracking import TrackingUpdate
from ...ports.persistence import PolicyVersion
from .dialect import insert_for
from .models import GoodwillSpendRow, PolicyVersionRow, ProcessedEventRow, ReturnRow, TrackingEventRow

# The newest version of a channel's policy, as text: built once (not per request), read on every request (another
# replica may have saved a newer version since), parsed only when that text was not seen before.
_LATEST = (select(PolicyVersionRow.version, sql_cast(PolicyVersionRow.settings, Text))
           .where(PolicyVersionRow.tenant == bindparam("tenant"), PolicyVersionRow.channel == bindparam("channel"))
           .order_by(PolicyVersionRow.version.desc()).limit(1))


@lru_cache(maxsize=256)
def _parsed(settings: str) -> Policy:
    """A stored policy, parsed once per text: keyed by what was stored, not by its version number, so two
    databases in one process (tests, a restored backup) never share a parse. Policies are immutable values."""
    return policy_from_dict(json.loads(settings))


class SqlPolicies:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _latest_row(self, tenant: str, channel: str) -> PolicyVersionRow | None:
        stmt = (select(PolicyVersionRow).where(PolicyVersionRow.tenant == tenant, PolicyVersionRow.channel == channel)
                .order_by(PolicyVersionRow.version.desc()).limit(1))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def latest(self, tenant: str, channel: str) -> PolicyVersion | None:
        connection = await self.session.connection()  # a Core statement: no ORM entity to load
        found = (await connection.execute(_LATEST, {"tenant": tenant, "channel": channel})).first()
        return PolicyVersion(_parsed(found[1]), found[0]) if found is not None else None

    async def latest_of(self, tenant: str, channels: Collection[str]) -> dict[str, PolicyVersion]:
        if not channels:
            return {}
        newest = (select(PolicyVersionRow.channel, func.max(PolicyVersionRow.version).label("version"))
                  .where(PolicyVersionRow.tenant == tenant, PolicyVersionRow.channel.in_(list(channels)))
                  .group_by(PolicyVersionRow.channel).subquery())
        stmt = select(PolicyVersionRow).join(newest, (PolicyVersionRow.channel == newest.c.channel)
                                             & (PolicyVersionRow.version == newest.c.version)).where(
            PolicyVersionRow.tenant == tenant)
        return {row.channel: PolicyVersion(policy_from_dict(row.settings), row.version)
                for row in (await self.session.execute(stmt)).scalars()}

    async def add(self, tenant: str, channel: str, policy: Policy, by: str, now: datetime) -> int:
        latest = await self._latest_row(tenant, channel)
        row = PolicyVersionRow(tenant=tenant, channel=channel, version=(latest.version if latest else 0) + 1,
                               settings=policy_to_dict(policy), created_at=now, created_by=by[:255])
        self.session.add(row)
        await self.session.flush()  # the unique (tenant, channel, version) refuses a racing writer
        return row.version

    async def channels(self, tenant: str) -> list[str]:
        stmt = select(PolicyVersionRow.channel).where(PolicyVersionRow.tenant == tenant).distinct()
        return sorted(c for (c,) in (await self.session.execute(stmt)).all())


class SqlGoodwill:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def spent(self, tenant: str, staff: str, day: date, currency: str) -> Decimal:
        stmt = select(GoodwillSpendRow.amount).where(
            GoodwillSpendRow.tenant == tenant, GoodwillSpendRow.staff == staff, GoodwillSpendRow.day == day,
            GoodwillSpendRow.currency == currency)
        return sum((a for (a,) in (await self.session.execute(stmt)).all()), Decimal(0))

    def spend(self, tenant: str, staff: str, day: date, amount: Money, return_id: str, now: datetime) -> None:
        seq = select(ReturnRow.seq).where(ReturnRow.id == return_id).scalar_subquery()
        self.session.add(GoodwillSpendRow(tenant=tenant, staff=staff, day=day, amount=amount.amount,
                                          currency=amount.currency, return_seq=seq, at=now))


class SqlInbox:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_time(self, provider: str, event_id: str, type_: str, now: datetime) -> int | None:
        stmt = (insert_for(self.session, ProcessedEventRow)
                .values(provider=provider, event_id=event_id, type=type_[:64], result="received", received_at=now)
                .on_conflict_do_nothing().returning(ProcessedEventRow.id))
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def set_result(self, event_row: int, result: str) -> None:
        await self.session.execute(update(ProcessedEventRow).where(ProcessedEventRow.id == event_row)
                                   .values(result=result))

    async def first_tracking_event(self, update: TrackingUpdate, label_id: str, now: datetime) -> bool:
        values = {"carrier": update.carrier, "event_id": update.event_id[:255], "label_id": label_id,
                  "tracking_number": update.tracking_number, "status": update.status.value,
                  "detail": update.detail, "occurred_at": update.occurred_at, "received_at": now}
        ins = insert_for(self.session, TrackingEventRow).values(**values)
        result = cast(CursorResult[Any], await self.session.execute(ins.on_conflict_do_nothing(
            index_elements=["carrier", "event_id"])))
        return bool(result.rowcount)
