"""The async engine: SQLite (embedded default, writers serialised, statements on the event loop:
inline_sqlite.py) or PostgreSQL (asyncpg)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from .inline_sqlite import inline_dbapi

READONLY = "returns_readonly"  # execution option: a transaction that only reads


def normalise_url(url: str) -> str:
    """Accept the usual spellings and pick the async drivers."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+asyncpg://" + url[len("postgresql://"):]
    if url.startswith("sqlite:///"):
        url = "sqlite+aiosqlite:///" + url[len("sqlite:///"):]
    return url


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        # a connection is held only for its transaction: 20 cover many requests in flight on one core
        kwargs = {"pool_size": 10, "max_overflow": 10, "pool_timeout": 30, **kwargs}
        engine = create_async_engine(url, module=inline_dbapi(), **kwargs)
        _serialise_sqlite_writers(engine)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True, **kwargs)


def _serialise_sqlite_writers(engine: AsyncEngine) -> None:
    # SQLite has one writer; BEGIN IMMEDIATE takes the write lock up front so that two
    # transactions never read the same state and then both write (the row lock of SQLite).
    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        # a commit survives the process dying (kill -9): WAL is written before COMMIT returns; a power loss may
        # lose the last commits since the last checkpoint (docs/operations.md, "SQLite and durability")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=0")  # locks are waited for on the event loop (inline_sqlite.py)
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _begin(conn: Any) -> None:
        readonly = conn.get_execution_options().get(READONLY, False)
        conn.exec_driver_sql("BEGIN DEFERRED" if readonly else "BEGIN IMMEDIATE")


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
