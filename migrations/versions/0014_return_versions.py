"""return versions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05

Every write of a return (its row, lines, refunds, labels or trail) adds one to `returns.version`. A service that
saved a return a moment ago and saves it again (a keep-item return: the refund intent, then the refund's
outcome) reads the version alone, and the whole return only when somebody else wrote it meanwhile.
A plain ADD COLUMN with a constant default: no table rebuild on SQLite, no rewrite on PostgreSQL 11+.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("returns", sa.Column("version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    # not batch mode: on SQLite it would rebuild the table from reflection and lose the e-mail expression index
    op.execute("ALTER TABLE returns DROP COLUMN version")  # SQLite 3.35+ and PostgreSQL
