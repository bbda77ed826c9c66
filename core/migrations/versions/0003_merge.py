"""Merge the five 0002 branches (auth, delivery, reports, search, warning) into one head.

Revision ID: 0003
Revises: 0002a, 0002d, 0002r, 0002s, 0002w
"""

from __future__ import annotations

from collections.abc import Sequence

revision: str = "0003"
down_revision: str | Sequence[str] | None = ("0002a", "0002d", "0002r", "0002s", "0002w")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: this revision only joins the branches."""


def downgrade() -> None:
    """Nothing to change: this revision only joins the branches."""
