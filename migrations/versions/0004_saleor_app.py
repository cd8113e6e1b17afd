"""saleor app

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

Reserved for the saleor app issue so that parallel work keeps one linear history; it changes
nothing until that work fills it in.
"""
from __future__ import annotations

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
