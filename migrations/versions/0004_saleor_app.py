"""saleor app

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

The Saleor App: one row per installed Saleor instance (its API URL is the tenant key; the app token
is encrypted at rest; the store's JWKS is cached), the webhook bodies already applied (a signed
body delivered a second time is refused), and who is writing a return back into Saleor (one writer
per return at a time).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import saleor_returns.adapters.db.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saleor_installations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("saleor_api_url", sa.String(length=255), nullable=False),
        sa.Column("app_id", sa.String(length=255), nullable=False),
        sa.Column("auth_token", sa.Text(), nullable=False),
        sa.Column("saleor_domain", sa.String(length=255), nullable=True),
        sa.Column("schema_version", sa.String(length=32), nullable=True),
        sa.Column("permissions", sa.JSON(), nullable=False),
        sa.Column("jwks", sa.JSON(), nullable=True),
        sa.Column("jwks_fetched_at", saleor_returns.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("installed_at", saleor_returns.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", saleor_returns.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("saleor_api_url"),
    )
    op.create_table(
        "saleor_webhook_deliveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tenant", sa.String(length=255), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("issued_at", saleor_returns.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("received_at", saleor_returns.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("tenant", "digest", name="uq_saleor_webhook_delivery"),
    )
    op.create_index("ix_saleor_webhook_deliveries_received", "saleor_webhook_deliveries", ["tenant", "received_at"])
    op.create_table(
        "saleor_writebacks",
        sa.Column("return_id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=255), nullable=False),
        sa.Column("lease_until", saleor_returns.adapters.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("again", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("return_id"),
    )


def downgrade() -> None:
    op.drop_table("saleor_writebacks")
    op.drop_index("ix_saleor_webhook_deliveries_received", table_name="saleor_webhook_deliveries")
    op.drop_table("saleor_webhook_deliveries")
    op.drop_table("saleor_installations")
