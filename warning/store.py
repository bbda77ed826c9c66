"""Storing profiles and alerts: the database side of warning.

Exceptions: ``AlertNotFound`` and ``ProfileNotFound`` (``LookupError``) for a missing id;
``ValueError`` for an action that the alert's state does not allow.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time
from itertools import islice
from typing import Any, cast

from sqlalchemy import JSON, Column, Dialect, MetaData, Table, TypeDecorator, func, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.gc_pause import settle_long_lived, unsettle
from core.models import AlertNote, AlertRow, Enterprise, Item, PartySuppression, utcnow
from core.records import item_to_record
from core.types import Alert, EnterpriseProfile
from warning.engine import ProfileIndex, decide_item
from warning.rules import load_rules

ALERT_STATUSES = ("new", "acknowledged", "dismissed", "resolved")
_ACTION_STATUS = {"acknowledge": "acknowledged", "dismiss": "dismissed", "resolve": "resolved"}
NOT_US = "not_us"
DECIDE_BATCH = 50  # items decided before their alerts are rendered and stored


class AlertNotFound(LookupError):
    """No alert has this id."""


class ProfileNotFound(LookupError):
    """No enterprise profile has this id."""


def save_profiles(session: Session, profiles: Iterable[EnterpriseProfile]) -> list[str]:
    """Insert or replace profiles; returns their ids."""
    ids = []
    for profile in profiles:
        row = session.get(Enterprise, profile.id) or Enterprise(id=profile.id)
        row.name_zh, row.name_en = profile.name.zh, profile.name.en
        row.profile = profile.model_dump(mode="json")
        row.updated_at = utcnow()
        session.add(row)
        ids.append(profile.id)
    session.flush()
    return ids


def stored_profiles(session: Session) -> list[EnterpriseProfile]:
    """Every stored profile."""
    return list(iter_stored_profiles(session))


def iter_stored_profiles(session: Session, batch: int = 1000) -> Iterator[EnterpriseProfile]:
    """Every stored profile, read ``batch`` rows at a time, so that building the matching index
    never holds all validated profiles at once (100,000 of them take over 1 GB)."""
    rows = session.execute(
        select(Enterprise.profile).order_by(Enterprise.id).execution_options(yield_per=batch)
    )
    for (document,) in rows:
        yield EnterpriseProfile.stored(document)


def _profiles_fingerprint(session: Session) -> str:
    """A digest of every profile's id and last change: equal digests mean equal profiles."""
    digest = hashlib.blake2b(digest_size=16)
    rows = session.execute(select(Enterprise.id, Enterprise.updated_at).order_by(Enterprise.id))
    for enterprise_id, updated_at in rows:
        digest.update(f"{enterprise_id}\x1f{updated_at.isoformat()}\x1e".encode())
    return digest.hexdigest()


# One matching index per worker process, rebuilt only when a profile changed (or the day did):
# building it for 10,000 profiles takes seconds, far more than evaluating a batch of items.
_INDEX_CACHE: dict[tuple[str, date], tuple[str, ProfileIndex]] = {}


def profile_index(session: Session, as_of: date | None = None) -> ProfileIndex:
    """The matching index of the stored profiles as of a date, cached per process."""
    day = as_of or date.today()
    key = (session.get_bind().engine.url.render_as_string(hide_password=True), day)
    fingerprint = _profiles_fingerprint(session)
    cached = _INDEX_CACHE.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    # One index per process: the old one is garbage before the new one is built (no local
    # may hold it, or a rebuild would peak at two indexes).
    del cached
    _INDEX_CACHE.clear()
    unsettle()  # what the old index held is the collector's again (cycles included)
    index = ProfileIndex.build(iter_stored_profiles(session), day)
    _INDEX_CACHE[key] = (fingerprint, index)
    settle_long_lived()  # full collector passes no longer walk the index (core.gc_pause)
    return index


def get_profile(session: Session, enterprise_id: str) -> EnterpriseProfile:
    """One stored profile.

    Raises:
        ProfileNotFound: when no enterprise has this id.
    """
    row = session.get(Enterprise, enterprise_id)
    if row is None:
        raise ProfileNotFound(f"no enterprise {enterprise_id!r}")
    return EnterpriseProfile.stored(row.profile)


def delete_profile(session: Session, enterprise_id: str) -> None:
    """Delete a profile with its alerts (the foreign keys cascade).

    Raises:
        ProfileNotFound: when no enterprise has this id.
    """
    row = session.get(Enterprise, enterprise_id)
    if row is None:
        raise ProfileNotFound(f"no enterprise {enterprise_id!r}")
    for alert in session.scalars(select(AlertRow).where(AlertRow.enterprise_id == enterprise_id)):
        session.delete(alert)
    for rule in session.scalars(
        select(PartySuppression).where(PartySuppression.enterprise_id == enterprise_id)
    ):
        session.delete(rule)
    session.delete(row)
    session.flush()


def stored_suppressions(session: Session) -> dict[str, frozenset[str]]:
    """Normalised party names each enterprise dismissed as "not us"."""
    keys: dict[str, set[str]] = defaultdict(set)
    for enterprise_id, key in session.execute(
        select(PartySuppression.enterprise_id, PartySuppression.party_key)
    ):
        keys[enterprise_id].add(key)
    return {k: frozenset(v) for k, v in keys.items()}


_ALERT_KEY = ("enterprise_id", "item_id", "item_version", "rule_id")


def _psycopg_json(text: str) -> Any:
    from psycopg.types.json import Json

    return Json(text, dumps=str)  # already JSON: sent as it is


class _SerialisedJSON(TypeDecorator[Any]):
    """A JSON column bound with values already serialised to JSON text."""

    impl = JSON
    cache_ok = True

    def bind_processor(self, dialect: Dialect) -> Callable[[Any], Any] | None:
        """psycopg takes JSON text wrapped as ``Json``; SQLite stores JSON as the text."""
        if dialect.name == "postgresql" and dialect.driver == "psycopg":
            return _psycopg_json
        return None


def _insert_table() -> Table:
    """The alerts table as the bulk insert binds it: JSON columns take serialised text."""
    source = cast(Table, AlertRow.__table__)
    columns = [
        Column(
            c.name,
            _SerialisedJSON() if isinstance(c.type, JSON) else c.type,
            primary_key=c.primary_key,
        )
        for c in source.columns
    ]
    return Table(source.name, MetaData(), *columns)


_ALERTS = _insert_table()


class _JsonTexts:
    """JSON text of values, serialised once per distinct object (held, so ids stay unique)."""

    def __init__(self) -> None:
        self._done: dict[int, tuple[Any, str]] = {}

    def __call__(self, value: Any) -> str:
        found = self._done.get(id(value))
        if found is None:
            found = self._done[id(value)] = (value, json.dumps(value))
        return found[1]


_IN_CHUNK = 5000  # ids per IN (...) when reading the new rows back (SQLite caps parameters)


def _alert_values(alert: Alert) -> dict[str, Any]:
    return {
        "enterprise_id": alert.enterprise_id,
        "item_id": alert.item_id,
        "item_version": alert.item_version,
        "rule_id": alert.rule_id,
        "severity": str(alert.severity),
        "risk_code": alert.risk_code,
        "score": alert.score,
        "deadline": alert.deadline,
        "title": alert.title,
        "explanation": alert.explanation,
        "action": alert.action,
        "status": "new",
    }


def insert_alert_ids(session: Session, alerts: Sequence[Alert]) -> list[int]:
    """Store alerts in one multi-row INSERT; return the ids of the rows this call created.

    ``ON CONFLICT DO NOTHING`` on (enterprise, item, version, rule) keeps exactly one alert per
    key, also when another worker stores the same alert at the same moment.
    """
    return insert_alert_rows(session, [_alert_values(a) for a in alerts])


def insert_alert_rows(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Store alerts given as column values (``ItemDecisions.rows``: no ``Alert`` objects) in
    one multi-row INSERT ... ON CONFLICT DO NOTHING; return the ids of the rows created.

    JSON values are serialised once per distinct object: an item's alerts share their
    titles and actions, and groups of them their explanations.
    """
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(_ALERTS)
        .on_conflict_do_nothing(index_elements=list(_ALERT_KEY))
        .returning(_ALERTS.c.id)
    )
    texts, now = _JsonTexts(), utcnow()
    values = [
        {
            **row,
            "title": texts(row["title"]),
            "explanation": texts(row["explanation"]),
            "action": texts(row["action"]),
            "created_at": now,
        }
        for row in rows
    ]
    return list(session.execute(statement, values).scalars())


def _alert_rows(session: Session, ids: Sequence[int]) -> list[AlertRow]:
    rows: list[AlertRow] = []
    for start in range(0, len(ids), _IN_CHUNK):
        chunk = ids[start : start + _IN_CHUNK]
        rows += session.scalars(select(AlertRow).where(AlertRow.id.in_(chunk)))
    return sorted(rows, key=lambda row: row.id)


def current_alert_ids(session: Session, item_ids: Sequence[str]) -> list[int]:
    """Ids of the alerts on the current version of these items, created now or earlier.

    What the warning worker hands to delivery: a retried evaluation whose first attempt
    committed before its connection dropped creates nothing new, yet its alerts still need
    their deliveries (queuing them is idempotent).
    """
    found: list[int] = []
    for start in range(0, len(item_ids), _IN_CHUNK):
        chunk = list(item_ids[start : start + _IN_CHUNK])
        found += session.scalars(
            select(AlertRow.id)
            .join(Item, Item.id == AlertRow.item_id)
            .where(AlertRow.item_id.in_(chunk), AlertRow.item_version == Item.version)
        )
    return sorted(found)


def insert_alerts(session: Session, alerts: Sequence[Alert]) -> list[AlertRow]:
    """Store alerts in one multi-row INSERT; return the rows this call created."""
    return _alert_rows(session, insert_alert_ids(session, alerts))


def evaluate_stored_items(
    session: Session, item_ids: Iterable[str] | None = None, as_of: date | None = None
) -> list[AlertRow]:
    """Evaluate stored, tagged items against stored profiles; store and return new alerts.

    Running it twice stores nothing new: alerts are unique per (enterprise, item version, rule).
    Party names an enterprise dismissed as "not us" no longer match it. With ``as_of``, items
    published after that day are left alone (see ``evaluate_new_alert_ids``).
    """
    return _alert_rows(session, evaluate_new_alert_ids(session, item_ids, as_of))


def evaluate_new_alert_ids(
    session: Session, item_ids: Iterable[str] | None = None, as_of: date | None = None
) -> list[int]:
    """Evaluate stored items and return the ids of the alerts this call created.

    The hand-over point to delivery: whatever dispatches new alerts takes these ids (after
    the session commits). Nothing is read back, which a worker need not pay for: a 337 notice
    can raise hundreds of alerts.

    With ``as_of``, items published after that day (UTC) are neither evaluated nor marked
    evaluated, as ``iprwatch warn --items`` skips them: on that day they did not exist yet,
    and a later evaluation must still see them. Items without a publication date are kept.
    """
    index = profile_index(session, as_of)
    suppressions = stored_suppressions(session)
    query = select(Item).where(Item.tags.is_not(None))
    if item_ids is not None:
        query = query.where(Item.id.in_(list(item_ids)))
    if as_of is not None:
        query = query.where(or_(Item.published_at.is_(None), Item.published_at <= _day_end(as_of)))
    rules = load_rules()
    created: list[int] = []
    rows = iter(session.scalars(query.order_by(Item.published_at, Item.id)))
    while batch := list(islice(rows, DECIDE_BATCH)):
        # Decide the whole batch first, then render and store it: deciding one item right
        # after rendering and storing the last one's hundreds of alerts found the profile
        # index's arrays evicted from the CPU caches (decide about 1.5x slower per item).
        decided = [
            decide_item(item_to_record(row), index, rules, as_of, suppressions) for row in batch
        ]
        for row, decisions in zip(batch, decided, strict=True):
            created += insert_alert_rows(session, decisions.rows())
            row.evaluated_version = row.version
    session.flush()
    return sorted(created)


def _day_end(day: date) -> datetime:
    """The last moment of ``day`` in UTC (no overflow on the last day ``date`` holds)."""
    return datetime.combine(day, time.max, tzinfo=UTC)


def count_published_after(session: Session, as_of: date) -> int:
    """How many stored, tagged items were published after ``as_of`` (UTC): those an
    evaluation as of that day leaves alone."""
    query = select(func.count()).where(Item.tags.is_not(None), Item.published_at > _day_end(as_of))
    return int(session.scalar(query) or 0)


def get_alert(session: Session, alert_id: int) -> AlertRow:
    """One stored alert.

    Raises:
        AlertNotFound: when no alert has this id.
    """
    row = session.get(AlertRow, alert_id)
    if row is None:
        raise AlertNotFound(f"no alert {alert_id}")
    return row


def alert_notes(session: Session, alert_id: int) -> list[AlertNote]:
    """The notes and status changes of an alert, oldest first."""
    query = select(AlertNote).where(AlertNote.alert_id == alert_id).order_by(AlertNote.id)
    return list(session.scalars(query))


def add_note(session: Session, alert_id: int, text: str, author: str | None = None) -> AlertNote:
    """Add a note to an alert (its status is unchanged)."""
    get_alert(session, alert_id)
    note = AlertNote(alert_id=alert_id, action="note", text=text, author=author)
    session.add(note)
    session.flush()
    return note


def _suppress_parties(session: Session, row: AlertRow) -> list[str]:
    parties = (row.explanation or {}).get("matched", {}).get("parties", [])
    keys = []
    for party in parties:
        key, name = party.get("key"), party.get("party")
        if party.get("kind") != "name" or not key:
            continue
        exists = session.scalar(
            select(PartySuppression.id).where(
                PartySuppression.enterprise_id == row.enterprise_id,
                PartySuppression.party_key == key,
            )
        )
        if exists is None:
            session.add(
                PartySuppression(
                    enterprise_id=row.enterprise_id,
                    party_key=key,
                    party_name=str(name or key)[:300],
                    alert_id=row.id,
                )
            )
        keys.append(key)
    return keys


def change_alert_status(
    session: Session,
    alert_id: int,
    action: str,
    note: str = "",
    reason: str | None = None,
    author: str | None = None,
) -> AlertRow:
    """Acknowledge, dismiss or resolve an alert, recording who, why and when.

    A dismissal with reason ``not_us`` also suppresses the alert's matched party names for
    this enterprise, so the same party stops matching it in future evaluations.

    Raises:
        AlertNotFound: when no alert has this id.
        ValueError: for an unknown action.
    """
    status = _ACTION_STATUS.get(action)
    if status is None:
        raise ValueError(f"unknown action {action!r}; valid: {sorted(_ACTION_STATUS)}")
    row = get_alert(session, alert_id)
    row.status = status
    session.add(
        AlertNote(alert_id=alert_id, action=action, reason=reason, text=note, author=author)
    )
    if action == "dismiss" and reason == NOT_US:
        _suppress_parties(session, row)
    session.flush()
    return row
