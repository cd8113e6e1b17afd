"""store look and goodwill budgets

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-04

How each channel's store presents itself in the return portal (name, logo, accent colour, shop link),
and the daily goodwill budgets staff set in the console, per currency, for everyone or one staff member.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import saleor_returns.adapters.db.types

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "store_looks",
        sa.Column("tenant", sa.String(length=255), nullable=False),
        sa.Column("channel", sa.String(length=255), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("logo_url", sa.String(length=2000), nullable=True),
        sa.Column("accent_color", sa.String(length=7), nullable=True),
        sa.Column("shop_url", sa.String(length=2000), nullable=True),
        sa.Column("updated_at", saleor_returns.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "channel"),
    )
    op.create_table(
        "goodwill_budgets",
        sa.Column("tenant", sa.String(length=255), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("staff", sa.String(length=320), nullable=False),
        sa.Column("amount", saleor_returns.adapters.db.types.Amount(), nullable=False),
        sa.Column("updated_at", saleor_returns.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint("tenant", "currency", "staff"),
    )


def downgrade() -> None:
    op.drop_table("goodwill_budgets")
    op.drop_table("store_looks")
