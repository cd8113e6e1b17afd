"""indexes for every list the API offers

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05

returnRequests pages newest first (seq descending), whole or by status or channel, and searches by order id,
order number or e-mail (whatever its case). Before this revision the page sorted every return of the store in a
temporary B-tree; these indexes hand the page its rows in order and make each search term an index lookup.
The (tenant, status) and (tenant, customer_email) indexes are replaced by the ones below, and the order's index
takes the status, so the units already returned of an order are read from it alone. Without statistics SQLite's
planner took (tenant, status) for them, or (tenant, created_at) for a customer's keep-item returns: a scan of the
store's history on every request.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_returns_tenant_status", table_name="returns")
    op.drop_index("ix_returns_tenant_customer", table_name="returns")
    op.drop_index("ix_returns_tenant_order", table_name="returns")
    op.create_index("ix_returns_tenant_order", "returns", ["tenant", "order_id", "status"])
    op.create_index("ix_returns_tenant_seq", "returns", ["tenant", "seq"])
    op.create_index("ix_returns_tenant_status_seq", "returns", ["tenant", "status", "seq"])
    op.create_index("ix_returns_tenant_channel_seq", "returns", ["tenant", "channel", "seq"])
    op.create_index("ix_returns_tenant_order_number", "returns", ["tenant", "order_number"])
    op.create_index("ix_returns_tenant_email", "returns", ["tenant", sa.text("lower(customer_email)"), "created_at"])


def downgrade() -> None:
    op.drop_index("ix_returns_tenant_email", table_name="returns")
    op.drop_index("ix_returns_tenant_order_number", table_name="returns")
    op.drop_index("ix_returns_tenant_channel_seq", table_name="returns")
    op.drop_index("ix_returns_tenant_status_seq", table_name="returns")
    op.drop_index("ix_returns_tenant_seq", table_name="returns")
    op.drop_index("ix_returns_tenant_order", table_name="returns")
    op.create_index("ix_returns_tenant_order", "returns", ["tenant", "order_id"])
    op.create_index("ix_returns_tenant_customer", "returns", ["tenant", "customer_email"])
    op.create_index("ix_returns_tenant_status", "returns", ["tenant", "status"])
