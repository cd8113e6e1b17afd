"""Migration 0004 builds exactly the Saleor App tables the models describe, on SQLite and PostgreSQL."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from saleor_returns.adapters.db.engine import make_engine
from saleor_returns.adapters.db.models import Base

OURS = {"saleor_installations", "saleor_webhook_deliveries", "saleor_writebacks"}


def _table_of(diff: tuple) -> str | None:
    for item in diff if isinstance(diff, list) else [diff]:
        for part in item[1:]:
            name = getattr(part, "name", None) if not hasattr(part, "table") else part.table.name
            if name:
                return str(name)
    return None


async def test_the_saleor_app_tables_match_the_models(database_url):
    # given the database made by the migrations
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            # when alembic compares it with the models
            diffs = await conn.run_sync(lambda sync: compare_metadata(MigrationContext.configure(sync), Base.metadata))
    finally:
        await engine.dispose()

    # then nothing differs for the Saleor App's tables, and they exist
    assert [d for d in diffs if _table_of(d) in OURS] == []
    assert OURS <= set(Base.metadata.tables)
