"""The standalone store's ledger on SQLAlchemy (ports.exchanges.LedgerRepository): store credit codes and
replacement shipments, unique by idempotency key (migration 0013)."""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ...domain.money import Money
from ...ports.exchanges import StoredCredit, StoredReplacement
from .models import ReplacementLineRow, ReplacementRow, StoreCreditRow


def _credit(row: StoreCreditRow) -> StoredCredit:
    return StoredCredit(code=row.code, tenant=row.tenant, idempotency_key=row.idempotency_key,
                        return_number=row.return_number, customer_email=row.customer_email,
                        amount=Money(row.amount, row.currency), bonus=Money(row.bonus, row.currency),
                        created_at=row.created_at)


class SqlLedger:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def credit(self, idempotency_key: str) -> StoredCredit | None:
        stmt = select(StoreCreditRow).where(StoreCreditRow.idempotency_key == idempotency_key)
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        return _credit(row) if row is not None else None

    async def add_credit(self, credit: StoredCredit) -> None:
        self.session.add(StoreCreditRow(code=credit.code, tenant=credit.tenant, idempotency_key=credit.idempotency_key,
                                        return_number=credit.return_number, customer_email=credit.customer_email,
                                        amount=credit.amount.amount, bonus=credit.bonus.amount,
                                        currency=credit.amount.currency, created_at=credit.created_at))
        await self.session.flush()

    async def credits_of(self, tenant: str, return_numbers: Collection[str]) -> list[StoredCredit]:
        if not return_numbers:
            return []
        stmt = (select(StoreCreditRow).where(StoreCreditRow.tenant == tenant,
                                             StoreCreditRow.return_number.in_(list(return_numbers)))
                .order_by(StoreCreditRow.created_at))
        return [_credit(row) for row in (await self.session.execute(stmt)).scalars()]

    async def replacement(self, idempotency_key: str) -> StoredReplacement | None:
        stmt = select(ReplacementRow).where(ReplacementRow.idempotency_key == idempotency_key)
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        if row is None:
            return None
        lines = (await self.session.execute(
            select(ReplacementLineRow.variant_id, ReplacementLineRow.quantity)
            .where(ReplacementLineRow.replacement_number == row.number).order_by(ReplacementLineRow.id))).all()
        return StoredReplacement(number=row.number, tenant=row.tenant, idempotency_key=row.idempotency_key,
                                 return_number=row.return_number, order_id=row.order_id,
                                 lines=tuple((v, int(q)) for v, q in lines), created_at=row.created_at)

    async def add_replacement(self, replacement: StoredReplacement) -> None:
        self.session.add(ReplacementRow(number=replacement.number, tenant=replacement.tenant,
                                        idempotency_key=replacement.idempotency_key,
                                        return_number=replacement.return_number, order_id=replacement.order_id,
                                        created_at=replacement.created_at))
        await self.session.flush()
        self.session.add_all([ReplacementLineRow(replacement_number=replacement.number, tenant=replacement.tenant,
                                                 variant_id=v, quantity=q) for v, q in replacement.lines])
        await self.session.flush()

    async def units_sent(self, tenant: str, variant_ids: Collection[str]) -> dict[str, int]:
        if not variant_ids:
            return {}
        stmt = (select(ReplacementLineRow.variant_id, func.sum(ReplacementLineRow.quantity))
                .where(ReplacementLineRow.tenant == tenant, ReplacementLineRow.variant_id.in_(list(variant_ids)))
                .group_by(ReplacementLineRow.variant_id))
        return {v: int(q) for v, q in (await self.session.execute(stmt)).all()}
