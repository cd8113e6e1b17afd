"""Reads about many orders at once (the federation subgraph resolves a page of Saleor orders together):
one statement per question, however many orders are asked about."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from .models import PolicyVersionRow, ReturnRow

# joined, not selectin: the returns of N orders with their lines, refunds, labels and events in ONE statement
_WHOLE = (joinedload(ReturnRow.lines), joinedload(ReturnRow.refunds), joinedload(ReturnRow.labels),
          joinedload(ReturnRow.events))


async def returns_of_orders(session: AsyncSession, tenant: str,
                            order_ids: Collection[str]) -> dict[str, list[ReturnRow]]:
    """Every return of these orders (any status, newest first), whole, by order id; orders without returns are
    left out."""
    if not order_ids:
        return {}
    stmt = (select(ReturnRow).where(ReturnRow.tenant == tenant, ReturnRow.order_id.in_(list(order_ids)))
            .options(*_WHOLE).order_by(ReturnRow.seq.desc()))
    out: dict[str, list[ReturnRow]] = defaultdict(list)
    for row in (await session.execute(stmt)).unique().scalars():
        out[row.order_id].append(row)
    return dict(out)


async def latest_policies(session: AsyncSession, tenant: str, channels: Collection[str]) -> dict[str, PolicyVersionRow]:
    """The newest policy version of each of these channels that has one, by channel slug."""
    if not channels:
        return {}
    newest = (select(PolicyVersionRow.channel, func.max(PolicyVersionRow.version).label("version"))
              .where(PolicyVersionRow.tenant == tenant, PolicyVersionRow.channel.in_(list(channels)))
              .group_by(PolicyVersionRow.channel).subquery())
    stmt = select(PolicyVersionRow).join(newest, (PolicyVersionRow.channel == newest.c.channel)
                                         & (PolicyVersionRow.version == newest.c.version)).where(
        PolicyVersionRow.tenant == tenant)
    return {row.channel: row for row in (await session.execute(stmt)).scalars()}
