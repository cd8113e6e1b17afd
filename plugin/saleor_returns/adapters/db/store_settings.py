"""Storage of what staff set for their store in the console: the look per channel, goodwill budgets."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ...domain.money import Money
from ...ports.persistence import StoredBudget, StoredLook
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


class SqlStoreSettings:
    """ports.StoreSettingsRepository on SQLAlchemy (the functions above)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def look(self, tenant: str, channel: str) -> StoredLook | None:
        row = await get_look(self.session, tenant, channel)
        return StoredLook(row.name, row.logo_url, row.accent_color, row.shop_url) if row is not None else None

    async def save_look(self, tenant: str, channel: str, look: StoredLook, at: datetime, by: str) -> None:
        await save_look(self.session, tenant, channel, {"name": look.name, "logo_url": look.logo_url,
                                                        "accent_color": look.accent_color, "shop_url": look.shop_url},
                        at, by[:320])

    async def budgets(self, tenant: str, currency: str | None = None) -> list[StoredBudget]:
        return [StoredBudget(r.currency, r.staff, Money(r.amount, r.currency))
                for r in await budget_rows(self.session, tenant, currency)]

    async def save_budget(self, tenant: str, currency: str, staff: str, amount: Decimal | None, at: datetime,
                          by: str) -> None:
        await save_budget(self.session, tenant, currency, staff, amount, at, by[:320])
