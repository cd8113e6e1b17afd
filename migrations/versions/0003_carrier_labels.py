"""carrier labels

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Labels bought from carriers (EasyPost, Shippo) next to the local ones: a purchase intent per issue
(unique purchase key, so one return never buys two labels), retry bookkeeping, carrier voiding, and
the tracking events the carriers' webhooks deliver (unique per carrier and event id: they repeat).
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import saleor_returns.adapters.db.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_UTC = saleor_returns.adapters.db.types.UTCDateTime


def upgrade() -> None:
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=16), nullable=False, server_default="ISSUED"))
        batch_op.add_column(sa.Column("label_format", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("purchase_key", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("qr_code_url", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("next_attempt_at", _UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("error_code", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("error_message", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("void_status", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("carrier_voided_at", _UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("first_scan_at", _UTC(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("delivered_at", _UTC(timezone=True), nullable=True))
        batch_op.create_unique_constraint("uq_labels_purchase_key", ["purchase_key"])
        batch_op.create_index("ix_labels_status_next", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_labels_carrier_tracking", ["carrier", "tracking_number"], unique=False)

    op.create_table(
        "tracking_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("label_id", sa.String(length=36), nullable=True),
        sa.Column("tracking_number", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("occurred_at", _UTC(timezone=True), nullable=True),
        sa.Column("received_at", _UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["label_id"], ["labels.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("carrier", "event_id", name="uq_tracking_event"),
    )
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_tracking_events_label_id"), ["label_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tracking_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tracking_events_label_id"))
    op.drop_table("tracking_events")
    with op.batch_alter_table("labels", schema=None) as batch_op:
        batch_op.drop_index("ix_labels_carrier_tracking")
        batch_op.drop_index("ix_labels_status_next")
        batch_op.drop_constraint("uq_labels_purchase_key", type_="unique")
        for column in ("delivered_at", "first_scan_at", "carrier_voided_at", "void_status", "error_message",
                       "error_code", "next_attempt_at", "attempts", "qr_code_url", "purchase_key", "label_format",
                       "status"):
            batch_op.drop_column(column)
