"""What differs between the two databases we run on (PostgreSQL, SQLite), asked of a session in one place."""
from __future__ import annotations

from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession


def is_postgres(session: AsyncSession) -> bool:
    """Whether the session talks to PostgreSQL (row locks, SKIP LOCKED); else SQLite (one writer)."""
    return session.bind is not None and session.bind.dialect.name == "postgresql"


def insert_for(session: AsyncSession, table: Any) -> Any:
    """An INSERT with ON CONFLICT (do nothing / do update) in the session's dialect."""
    return pg_insert(table) if is_postgres(session) else sqlite_insert(table)
