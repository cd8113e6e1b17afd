"""stripe refunds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Refunds through Stripe: webhook events are applied once (processed_events, unique per provider
and event id); a refund remembers when the provider last spoke about it (out-of-order webhooks)
and when its current run of attempts began (the worker gives up after RETURNS_REFUND_GIVE_UP_AFTER);
webhooks find a refund by the provider's refund id (index on psp_reference).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import saleor_returns.adapters.db.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "processed_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("result", sa.String(length=32), nullable=False),
        sa.Column("received_at", saleor_returns.adapters.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("provider", "event_id", name="uq_processed_event"),
    )
    with op.batch_alter_table("refunds") as batch:
        batch.add_column(sa.Column("provider_updated_at", saleor_returns.adapters.db.types.UTCDateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("retrying_since", saleor_returns.adapters.db.types.UTCDateTime(timezone=True),
                                   nullable=True))
        batch.create_index("ix_refunds_psp_reference", ["psp_reference"])


def downgrade() -> None:
    with op.batch_alter_table("refunds") as batch:
        batch.drop_index("ix_refunds_psp_reference")
        batch.drop_column("retrying_since")
        batch.drop_column("provider_updated_at")
    op.drop_table("processed_events")
