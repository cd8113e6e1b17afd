"""Contract tests: the same cases against the in-memory fake and the real adapter of each port.

`uows` is a unit-of-work factory (ports.UnitOfWorkFactory) for each persistence implementation: the
in-memory one (adapters/memory) and the SQL one (adapters/db) on the test database (SQLite, or PostgreSQL
with RETURNS_TEST_DATABASE=postgres), emptied before each test, its schema made by the migrations."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from saleor_returns.adapters.db.engine import make_engine, make_sessionmaker
from saleor_returns.adapters.db.uow import SqlUnitOfWork
from saleor_returns.adapters.memory.uow import MemoryDatabase
from saleor_returns.ports import UnitOfWork, UnitOfWorkFactory
from support.databases import backend

PERSISTENCE = ["memory", backend()]  # sqlite, or postgres


@pytest.fixture(params=PERSISTENCE)
def persistence(request: pytest.FixtureRequest) -> tuple[str, str | None]:
    """Which implementation, and the emptied database's URL for the SQL one."""
    if request.param == "memory":
        return "memory", None
    return request.param, request.getfixturevalue("empty_db")


@pytest.fixture
async def uows(persistence: tuple[str, str | None]) -> AsyncIterator[UnitOfWorkFactory]:
    kind, url = persistence
    if url is None:
        yield MemoryDatabase().uow
        return
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)

    def uow(readonly: bool = False) -> UnitOfWork:
        return SqlUnitOfWork(sessions, engine, readonly=readonly)

    try:
        yield uow
    finally:
        await engine.dispose()
