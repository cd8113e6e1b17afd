"""carrier labels

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

Reserved for the carrier labels issue so that parallel work keeps one linear history; it changes
nothing until that work fills it in.
"""
from __future__ import annotations

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
