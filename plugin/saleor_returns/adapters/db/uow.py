"""The unit of work on SQLAlchemy (ports.UnitOfWork): one transaction, its repositories, and the writes of
every return it loaded or added, on commit."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import TracebackType

from sqlalchemy import Table, bindparam, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .dialect import is_postgres
from .engine import READONLY
from .insight import SqlInsight
from .installations import SqlInstallations
from .ledger import SqlLedger
from .models import OrderLockRow
from .outbox import OutboxWriter, SqlMailSettings, SqlOutbox
from .records import SqlGoodwill, SqlInbox, SqlPolicies
from .returns import SqlReturns, SqlWorkQueue, Tracker
from .store_settings import SqlStoreSettings

_LOCKS: Table = OrderLockRow.__table__  # type: ignore[assignment]
_TAKE_LOCK = pg_insert(_LOCKS).on_conflict_do_nothing()  # built once: compiled once
_HOLD_LOCK = (select(_LOCKS.c.order_id).where(_LOCKS.c.tenant == bindparam("tenant"),
                                             _LOCKS.c.order_id == bindparam("order_id")).with_for_update())


class SqlUnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine,
                 readonly: bool = False, *, staff: Sequence[str] = (),
                 after_commit: Callable[[list[str]], None] | None = None) -> None:
        self._sessions = sessions
        self._engine = engine
        self.readonly = readonly
        self._writer = OutboxWriter(staff)  # the messages new events owe, written with them
        self._after_commit = after_commit  # told the ids of new messages once they are committed (fast path)
        self._written: list[str] = []
        self.session: AsyncSession

    async def __aenter__(self) -> "SqlUnitOfWork":
        bind = self._engine.execution_options(**{READONLY: True}) if self.readonly else self._engine
        self.session = self._sessions(bind=bind)
        await self.session.begin()
        self._tracker = Tracker()
        self.returns = SqlReturns(self.session, self._tracker)
        self.work = SqlWorkQueue(self.session)
        self.policies = SqlPolicies(self.session)
        self.goodwill = SqlGoodwill(self.session)
        self.inbox = SqlInbox(self.session)
        self.installations = SqlInstallations(self.session)
        self.store_settings = SqlStoreSettings(self.session)
        self.outbox = SqlOutbox(self.session)
        self.mail_settings = SqlMailSettings(self.session)
        self.insight = SqlInsight(self.session)
        self.ledger = SqlLedger(self.session)  # the standalone store's store credit and replacements
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        try:
            if self.session.in_transaction() and not self.readonly:
                await self.session.rollback()  # not committed: nothing of it is kept
        finally:
            await self.session.close()

    async def flush(self) -> None:
        """Write what the returns became so far (numbers new returns), without committing."""
        conn = await self.session.connection()
        await self._tracker.flush(conn)
        fresh, self._tracker.fresh = self._tracker.fresh, []
        self._written += await self._writer.write(conn, fresh)
        await self.outbox.flush()
        await self.mail_settings.flush()

    async def commit(self) -> None:
        if self.readonly:
            raise RuntimeError("a read-only unit of work cannot commit")
        await self.flush()
        await self.session.commit()
        written, self._written = self._written, []
        if written and self._after_commit is not None:
            self._after_commit(written)

    async def schema_version(self) -> str | None:
        found = await self.session.execute(text("SELECT version_num FROM alembic_version"))
        row = found.first()
        return str(row[0]) if row else None

    async def lock_order(self, tenant: str, order_id: str) -> None:
        await self.lock(tenant, order_id)

    async def lock(self, tenant: str, key: str) -> None:
        """A row per locked name, locked FOR UPDATE on PostgreSQL. SQLite has one writer: this transaction began
        with BEGIN IMMEDIATE (engine.py), so holding a connection is holding the lock, and no row is needed."""
        conn = await self.session.connection()  # begins the transaction (and on SQLite takes the write lock)
        if not is_postgres(self.session):
            return
        values = {"tenant": tenant, "order_id": key, "created_at": datetime.now(UTC)}
        await conn.execute(_TAKE_LOCK, values)
        await conn.execute(_HOLD_LOCK, values)
