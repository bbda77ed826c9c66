"""The authorisation generation: one counter in the database that every change to who may
see what moves on, so that each API process may cache principals and still drop them at once.

A principal derived from an API key depends on the key (revoked? scopes?), its user (active?
role?), its organisation (kind, chains) and the organisation's enterprise assignments. Any
flush that inserts, changes or deletes one of those rows bumps ``auth_state.generation`` in the
same transaction (an ORM event, so the admin API, the command line and the demo loader are all
covered). A cached principal is used only while the generation it was built under is still the
current one, which each request reads with one primary-key lookup: a revocation committed by
any process is seen by every other on its very next request.

Changes that do not alter a principal (a key's ``last_used_at``, a user's ``last_login_at``)
do not bump it, so caches survive ordinary use.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, event, insert, inspect, select, update
from sqlalchemy.orm import Session

from core.models import ApiKey, AuthState, Organisation, OrgEnterprise, User

AUTH_STATE_ID = 1
"""The one row of ``auth_state``."""

_TRACKED = (ApiKey, User, Organisation, OrgEnterprise)
_IGNORED_COLUMNS = frozenset({"last_used_at", "last_login_at"})
_TABLE: Table = AuthState.__table__  # type: ignore[assignment]
_CURRENT = select(_TABLE.c.generation).where(_TABLE.c.id == AUTH_STATE_ID)


def current_generation(session: Session) -> int | None:
    """The current generation; ``None`` when the database has no ``auth_state`` row yet (a
    schema made without the migrations), in which case nothing may be cached."""
    value = session.connection().execute(_CURRENT).scalar()
    return None if value is None else int(value)


def bump_generation(session: Session) -> None:
    """Move the generation on, inside the session's transaction (the row lock on PostgreSQL
    orders concurrent changes, so no two commits share a generation)."""
    connection = session.connection()
    bumped = connection.execute(
        update(_TABLE)
        .where(_TABLE.c.id == AUTH_STATE_ID)
        .values(generation=_TABLE.c.generation + 1)
    )
    if bumped.rowcount == 0:
        connection.execute(insert(_TABLE).values(id=AUTH_STATE_ID, generation=1))


def _changes_principal(instance: object) -> bool:
    """Whether a changed row alters a principal (anything but the use time stamps)."""
    state = inspect(instance)
    for attribute in state.mapper.column_attrs:
        if attribute.key in _IGNORED_COLUMNS:
            continue
        if state.attrs[attribute.key].history.has_changes():
            return True
    return False


def _touches_authorisation(session: Session) -> bool:
    if any(isinstance(row, _TRACKED) for row in (*session.new, *session.deleted)):
        return True
    return any(isinstance(row, _TRACKED) and _changes_principal(row) for row in session.dirty)


def _after_flush(session: Session, _context: Any) -> None:
    if _touches_authorisation(session):
        bump_generation(session)


if not event.contains(Session, "after_flush", _after_flush):
    event.listen(Session, "after_flush", _after_flush)
