"""SQLite from async code without a thread per statement.

SQLAlchemy's asyncio SQLite dialect talks to aiosqlite, which runs every call on a thread of its own: about
four hops between the event loop and that thread per statement, most of the time of a small request. A
local SQLite file answers in microseconds, so here the calls run on the event loop itself (as a plain
sqlite3 program would), behind the same aiosqlite-shaped interface SQLAlchemy's dialect expects.

What must never block the loop is waiting for a lock: the connections open with `timeout=0`, so a
statement that finds the database locked (another writer holds it, in this process or another one) fails
at once with "database is locked"; `execute` then sleeps on the event loop and tries again, up to `wait`
seconds. Reads never wait in WAL mode; writers take the write lock up front (BEGIN IMMEDIATE, engine.py),
so the lock is taken or waited for at the first statement of a write transaction, never in its middle.
"""
from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Generator, Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from sqlalchemy.dialects.sqlite.aiosqlite import AsyncAdapt_aiosqlite_dbapi

LOCK_WAIT = 30.0  # seconds a statement waits for the write lock before "database is locked" is raised
_FIRST_PAUSE, _MAX_PAUSE = 0.001, 0.05


def _locked(error: sqlite3.OperationalError) -> bool:
    text = str(error).lower()
    return "database is locked" in text or "database is busy" in text


async def _patiently(call: Callable[[], Any], wait: float) -> Any:
    """Run `call`; while the database is locked, sleep on the event loop and try again (up to `wait` s)."""
    deadline, pause = time.monotonic() + wait, _FIRST_PAUSE
    while True:
        try:
            return call()
        except sqlite3.OperationalError as error:
            if not _locked(error) or time.monotonic() >= deadline:
                raise
        await asyncio.sleep(pause)
        pause = min(pause * 2, _MAX_PAUSE)


class InlineCursor:
    """An aiosqlite-shaped cursor whose coroutines run the sqlite3 call at once."""

    def __init__(self, cursor: sqlite3.Cursor, wait: float) -> None:
        self._cursor, self._wait = cursor, wait

    async def __aenter__(self) -> "InlineCursor":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | dict[str, Any] = ()) -> "InlineCursor":
        await _patiently(lambda: self._cursor.execute(sql, parameters), self._wait)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> "InlineCursor":
        rows = list(parameters)
        await _patiently(lambda: self._cursor.executemany(sql, rows), self._wait)
        return self

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _Now:
    """aiosqlite's request queue, as SQLAlchemy's dialect uses it (isolation level): done on the spot."""

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:  # handed back to the awaiting caller, as aiosqlite does
            future.set_exception(error)


class InlineConnection:
    """An aiosqlite-shaped connection over one sqlite3 connection, used from the event loop's thread."""

    def __init__(self, database: str, wait: float = LOCK_WAIT, **kwargs: Any) -> None:
        kwargs.pop("timeout", None)  # locks are waited for on the event loop (see _patiently), not in sqlite3
        kwargs["check_same_thread"] = False  # the event loop's thread; SQLAlchemy may close it from another
        self._conn: sqlite3.Connection | None = sqlite3.connect(database, timeout=0, **kwargs)
        self._connection = self._conn  # what SQLAlchemy's adapter checks before commit/rollback
        self._wait = wait
        self._tx = _Now()
        self._thread = SimpleNamespace(daemon=True)  # the dialect marks aiosqlite's thread as a daemon

    def __await__(self) -> Generator[Any, None, "InlineConnection"]:
        return self
        yield  # a generator: awaiting the connection gives it back at once

    def cursor(self) -> InlineCursor:
        assert self._conn is not None, "connection closed"
        return InlineCursor(self._conn.cursor(), self._wait)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level if self._conn is not None else None

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        assert self._conn is not None
        self._conn.isolation_level = value  # type: ignore[assignment]

    async def commit(self) -> None:
        conn = self._conn
        if conn is not None:
            await _patiently(conn.commit, self._wait)

    async def rollback(self) -> None:
        if self._conn is not None:
            self._conn.rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._conn is not None:
            self._conn.close()
        self._conn = self._connection = None

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        assert self._conn is not None
        self._conn.create_function(*args, **kwargs)


def _connect(database: str, **kwargs: Any) -> InlineConnection:
    return InlineConnection(database, **kwargs)


_MODULE = SimpleNamespace(
    connect=_connect, Connection=InlineConnection,
    **{name: getattr(sqlite3, name) for name in ("DatabaseError", "Error", "IntegrityError", "NotSupportedError",
                                                  "OperationalError", "ProgrammingError", "sqlite_version",
                                                  "sqlite_version_info")})


def inline_dbapi() -> AsyncAdapt_aiosqlite_dbapi:
    """The DBAPI module to give create_async_engine(module=...) for a sqlite+aiosqlite URL."""
    return AsyncAdapt_aiosqlite_dbapi(_MODULE, sqlite3)  # type: ignore[arg-type]
