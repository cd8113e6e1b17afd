"""One transaction per use case: `async with uow() as tx: ...; await tx.commit()`."""
from __future__ import annotations

from types import TracebackType

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from .engine import READONLY
from .repository import Repository


class SqlUnitOfWork:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], engine: AsyncEngine,
                 readonly: bool = False) -> None:
        self._sessions = sessions
        self._engine = engine
        self.readonly = readonly
        self.session: AsyncSession
        self.repo: Repository

    async def __aenter__(self) -> "SqlUnitOfWork":
        bind = self._engine.execution_options(**{READONLY: True}) if self.readonly else self._engine
        self.session = self._sessions(bind=bind)
        await self.session.begin()
        self.repo = Repository(self.session)
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        try:
            if self.session.in_transaction() and not self.readonly:
                await self.session.rollback()  # not committed: nothing of it is kept
        finally:
            # close() ends a read-only transaction without expiring what it loaded, so the
            # rows stay readable after the unit of work (rollback would expire them)
            await self.session.close()

    async def commit(self) -> None:
        await self.session.commit()
