"""rate limit counters

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-04

Fixed-window request counters shared by every replica: one row per rate-limit key (bucket, hashed
identifiers, rate) with its count and the end of its window (seconds since the epoch). Rows whose
window has ended are overwritten on the next hit and swept now and then.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limit_counters",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_rate_limit_counters_expires", "rate_limit_counters", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_rate_limit_counters_expires", table_name="rate_limit_counters")
    op.drop_table("rate_limit_counters")
