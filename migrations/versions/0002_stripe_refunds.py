"""stripe refunds

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Reserved for the stripe refunds issue so that parallel work keeps one linear history; it changes
nothing until that work fills it in.
"""
from __future__ import annotations

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
