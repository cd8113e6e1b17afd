"""durable work on returns

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-04

The return as an aggregate with its own durable work: a return owed refunds that were never planned
(the store was down when the parcel arrived or was first scanned) carries refund_due_at, one whose
store (Saleor) must still hear about it carries record_due_at; the worker finds both by index. Voids of
labels count their own attempts (their backoff used to count purchase attempts).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import saleor_returns.adapters.db.types

revision = "0006"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("returns") as batch:
        batch.add_column(sa.Column("refund_due_at", saleor_returns.adapters.db.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("record_due_at", saleor_returns.adapters.db.types.UTCDateTime(), nullable=True))
    op.create_index("ix_returns_refund_due", "returns", ["refund_due_at"])
    op.create_index("ix_returns_record_due", "returns", ["record_due_at"])
    with op.batch_alter_table("labels") as batch:
        batch.add_column(sa.Column("void_attempts", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("labels") as batch:
        batch.drop_column("void_attempts")
    op.drop_index("ix_returns_record_due", table_name="returns")
    op.drop_index("ix_returns_refund_due", table_name="returns")
    with op.batch_alter_table("returns") as batch:
        batch.drop_column("record_due_at")
        batch.drop_column("refund_due_at")
