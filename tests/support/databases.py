"""One uniquely named database per test run: SQLite file, or PostgreSQL at RETURNS_TEST_POSTGRES_URL."""
from __future__ import annotations

import asyncio
import os
import uuid
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def backend() -> str:
    """`sqlite` (default) or `postgres`, from RETURNS_TEST_DATABASE."""
    value = os.environ.get("RETURNS_TEST_DATABASE", "sqlite").lower()
    if value not in ("sqlite", "postgres"):
        raise RuntimeError(f"RETURNS_TEST_DATABASE must be sqlite or postgres, not {value!r}")
    return value


def sqlite_url(folder: Path) -> str:
    return f"sqlite+aiosqlite:///{folder / 'returns-test.sqlite3'}"


def _admin_dsn() -> str:
    return os.environ.get("RETURNS_TEST_POSTGRES_URL", DEFAULT_PG)


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(_admin_dsn(), timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def create_postgres_database() -> str:
    """Create `returns_test_<random>` on the server and return its URL. Fails loudly when unreachable."""
    name = f"returns_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
    url = make_url(_admin_dsn()).set(database=name)
    return url.render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
