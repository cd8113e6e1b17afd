"""Rate-limit counters in our own database, so every replica counts together (the `limits` library's storage
interface; its own storages need Redis, Memcached or MongoDB, which this app does not run).

One row per key, fixed window: the first hit of a window sets `expires_at`; a hit after it starts a new
window. One statement per hit (INSERT ... ON CONFLICT DO UPDATE ... RETURNING), in its own short transaction.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import cast

from limits.aio.storage import Storage
from sqlalchemy import Table, case, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from ..db.models import RateLimitCounterRow
from ..db.uow import SqlUnitOfWork

COUNTERS = cast(Table, RateLimitCounterRow.__table__)
SWEEP_ONE_IN = 500  # about one hit in this many also deletes the rows whose window ended


class SqlCounterStorage(Storage):
    STORAGE_SCHEME = None  # built by the app, not from a storage URI

    def __init__(self, uow: Callable[..., SqlUnitOfWork]) -> None:
        super().__init__()
        self.uow = uow  # the app's units of work: same database, same pool

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    async def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        table = COUNTERS
        async with self.uow() as tx:
            conn = tx.session
            stmt = _insert(conn, table).values(key=key, count=amount, expires_at=now + expiry)
            ended = table.c.expires_at <= now
            stmt = stmt.on_conflict_do_update(index_elements=[table.c.key], set_={
                "count": case((ended, amount), else_=table.c.count + amount),
                "expires_at": case((ended, now + expiry), else_=table.c.expires_at),
            }).returning(table.c.count)
            count = (await conn.execute(stmt)).scalar_one()
            if random.randrange(SWEEP_ONE_IN) == 0:
                await conn.execute(delete(table).where(table.c.expires_at < now))
            await tx.commit()
        return int(count)

    async def get(self, key: str) -> int:
        row = await self._row(key)
        return int(row.count) if row is not None and row.expires_at > time.time() else 0

    async def get_expiry(self, key: str) -> float:
        row = await self._row(key)
        return float(row.expires_at) if row is not None and row.expires_at > time.time() else time.time()

    async def _row(self, key: str):  # type: ignore[no-untyped-def]
        table = COUNTERS
        async with self.uow(readonly=True) as tx:
            return (await tx.session.execute(select(table.c.count, table.c.expires_at)
                                             .where(table.c.key == key))).first()

    async def check(self) -> bool:
        async with self.uow(readonly=True) as tx:
            await tx.session.execute(select(1))
        return True

    async def reset(self) -> int | None:
        async with self.uow() as tx:
            count = (await tx.session.execute(delete(COUNTERS))).rowcount  # type: ignore[attr-defined]
            await tx.commit()
        return int(count)

    async def clear(self, key: str) -> None:
        table = COUNTERS
        async with self.uow() as tx:
            await tx.session.execute(delete(table).where(table.c.key == key))
            await tx.commit()


def _insert(session: AsyncSession, table):  # type: ignore[no-untyped-def]
    """The dialect's INSERT (ON CONFLICT ... DO UPDATE is spelled the same on PostgreSQL and SQLite)."""
    bind = session.bind
    return pg_insert(table) if bind is not None and bind.dialect.name == "postgresql" else sqlite_insert(table)
