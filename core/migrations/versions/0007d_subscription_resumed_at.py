"""when a subscription was last resumed, so a pause costs no delivery row per missed alert

Resuming used to record every alert raised while the subscription was paused as a
``withdrawn`` delivery row per channel (thousands after a long pause). Now the queue passes
over alerts created before ``resumed_at`` that were not queued by then (``warning.delivery_
queue``): the same alerts go unsent, and nothing is written for them. A subscription paused
when this runs gets its ``resumed_at`` when it is resumed; rows written by earlier resumes stay.

Revision ID: 0007d
Revises: 0006c
Create Date: 2026-12-07 20:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007d"
down_revision: str | None = "0006c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resumed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions", schema=None) as batch_op:
        batch_op.drop_column("resumed_at")
