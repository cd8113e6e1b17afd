"""Storage of what staff set for their store in the console: the look per channel, goodwill budgets."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import GoodwillBudgetRow, StoreLookRow


async def get_look(session: AsyncSession, tenant: str, channel: str) -> StoreLookRow | None:
    return await session.get(StoreLookRow, (tenant, channel))


async def save_look(session: AsyncSession, tenant: str, channel: str, values: dict[str, str | None],
                    at: datetime, by: str) -> StoreLookRow:
    """Insert or update the channel's look (the whole of it: what is None is cleared)."""
    row = await session.get(StoreLookRow, (tenant, channel), with_for_update=True)
    if row is None:
        row = StoreLookRow(tenant=tenant, channel=channel, updated_at=at, updated_by=by)
        session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.updated_at, row.updated_by = at, by
    return row


async def budget_rows(session: AsyncSession, tenant: str, currency: str | None = None) -> list[GoodwillBudgetRow]:
    stmt = select(GoodwillBudgetRow).where(GoodwillBudgetRow.tenant == tenant)
    if currency is not None:
        stmt = stmt.where(GoodwillBudgetRow.currency == currency)
    stmt = stmt.order_by(GoodwillBudgetRow.currency, GoodwillBudgetRow.staff)
    return list((await session.execute(stmt)).scalars())


async def save_budget(session: AsyncSession, tenant: str, currency: str, staff: str, amount: Decimal | None,
                      at: datetime, by: str) -> None:
    """Set (or with None remove) the daily budget of `staff` ("" = everyone) in `currency`."""
    row = await session.get(GoodwillBudgetRow, (tenant, currency, staff), with_for_update=True)
    if amount is None:
        if row is not None:
            await session.delete(row)
        return
    if row is None:
        session.add(GoodwillBudgetRow(tenant=tenant, currency=currency, staff=staff, amount=amount, updated_at=at,
                                      updated_by=by))
        return
    row.amount, row.updated_at, row.updated_by = amount, at, by
