"""Every index the tables declare exists once the migrations ran, expression indexes too (Alembic's comparison
skips those, and SQLite's batch mode once dropped one while rebuilding the table)."""
from __future__ import annotations

import asyncio

from sqlalchemy import text

from saleor_returns.adapters.db.engine import make_engine
from saleor_returns.adapters.db.models import Base


async def _index_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                rows = await conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
            else:
                rows = await conn.execute(text("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"))
            return {name for (name,) in rows.all()}
    finally:
        await engine.dispose()


def test_every_declared_index_exists_after_the_migrations(empty_db):
    declared = {index.name for table in Base.metadata.tables.values() for index in table.indexes}

    present = asyncio.run(_index_names(empty_db))

    assert "ix_returns_tenant_email" in declared
    assert declared - present == set()
