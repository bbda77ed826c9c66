"""the alerts generation (alert_state), moved on by database triggers on writes to alerts, so
API processes can cache alert pages and drop them the moment any alert changes

On PostgreSQL one statement-level trigger moves it on every insert, update, delete and
truncate. On SQLite (row triggers only) it is moved on updates and deletes, not on inserts:
a row trigger would add a counter update to every alert stored, and SQLite, with one writer
at a time, gives new alerts ever higher ids, so the alerts' largest id tells new ones apart
(``api.routers._alert_cache`` reads both).

Revision ID: 0005a
Revises: 0004a
Create Date: 2026-12-06 11:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005a"
down_revision: str | None = "0004a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BUMP = "UPDATE alert_state SET generation = generation + 1 WHERE id = 1"
_SQLITE_EVENTS = ("update", "delete")


def upgrade() -> None:
    table = op.create_table(
        "alert_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "generation": 0}])
    if op.get_bind().dialect.name == "postgresql":
        # One bump per statement (a bulk insert of thousands of alerts moves it once).
        op.execute(
            "CREATE FUNCTION alert_state_bump() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {_BUMP}; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER alerts_bump_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
            " ON alerts FOR EACH STATEMENT EXECUTE FUNCTION alert_state_bump()"
        )
        return
    for event in _SQLITE_EVENTS:
        op.execute(
            f"CREATE TRIGGER alerts_bump_generation_{event} AFTER {event.upper()} ON alerts"
            f" BEGIN {_BUMP}; END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS alerts_bump_generation ON alerts")
        op.execute("DROP FUNCTION IF EXISTS alert_state_bump()")
    else:
        for event in _SQLITE_EVENTS:
            op.execute(f"DROP TRIGGER IF EXISTS alerts_bump_generation_{event}")
    op.drop_table("alert_state")
