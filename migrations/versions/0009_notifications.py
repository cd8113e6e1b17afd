"""notifications: the e-mail outbox and the stores' mail settings

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-04

Every e-mail owed (to a shopper, or to staff) is a row of `notifications`, written in the same transaction as
the event that causes it (unique dedupe key: one message per event and recipient), sent after the commit, its
outcome and what was sent kept. `store_mail_settings` holds what staff chose in the console (e-mails on or off,
the sender). A return keeps its order's language and the shopper's name for the e-mails; a label remembers
when its shopper was reminded that it expires.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import saleor_returns.adapters.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tenant", sa.String(length=255), nullable=False),
        sa.Column("return_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("recipient_name", sa.String(length=255), nullable=True),
        sa.Column("language", sa.String(length=16), nullable=True),
        sa.Column("dedupe_key", sa.String(length=255), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", saleor_returns.adapters.db.types.UTCDateTime(), nullable=True),
        sa.Column("created_at", saleor_returns.adapters.db.types.UTCDateTime(), nullable=False),
        sa.Column("sent_at", saleor_returns.adapters.db.types.UTCDateTime(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("body_text", sa.Text(), nullable=True),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["return_id"], ["returns.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("id"),
        sa.UniqueConstraint("dedupe_key", name="uq_notifications_dedupe_key"),
    )
    op.create_index("ix_notifications_status_next", "notifications", ["status", "next_attempt_at"])
    op.create_index("ix_notifications_tenant_return", "notifications", ["tenant", "return_id"])
    op.create_index("ix_notifications_tenant_seq", "notifications", ["tenant", "seq"])
    op.create_table(
        "store_mail_settings",
        sa.Column("tenant", sa.String(length=255), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("sender_name", sa.String(length=255), nullable=True),
        sa.Column("sender_address", sa.String(length=320), nullable=True),
        sa.Column("updated_at", saleor_returns.adapters.db.types.UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint("tenant"),
    )
    with op.batch_alter_table("returns") as batch:
        batch.add_column(sa.Column("language_code", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("customer_name", sa.String(length=255), nullable=True))
    with op.batch_alter_table("labels") as batch:
        batch.add_column(sa.Column("expiry_reminded_at", saleor_returns.adapters.db.types.UTCDateTime(),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("labels") as batch:
        batch.drop_column("expiry_reminded_at")
    with op.batch_alter_table("returns") as batch:
        batch.drop_column("customer_name")
        batch.drop_column("language_code")
    op.drop_table("store_mail_settings")
    op.drop_index("ix_notifications_tenant_seq", table_name="notifications")
    op.drop_index("ix_notifications_tenant_return", table_name="notifications")
    op.drop_index("ix_notifications_status_next", table_name="notifications")
    op.drop_table("notifications")
