"""Storing profiles and alerts: the database side of warning.

Exceptions: ``AlertNotFound`` and ``ProfileNotFound`` (``LookupError``) for a missing id;
``ValueError`` for an action that the alert's state does not allow.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import AlertNote, AlertRow, Enterprise, Item, PartySuppression, utcnow
from core.records import item_to_record
from core.types import Alert, EnterpriseProfile
from warning.engine import ProfileIndex, evaluate_item
from warning.rules import load_rules

ALERT_STATUSES = ("new", "acknowledged", "dismissed", "resolved")
_ACTION_STATUS = {"acknowledge": "acknowledged", "dismiss": "dismissed", "resolve": "resolved"}
NOT_US = "not_us"


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
    rows = session.scalars(select(Enterprise).order_by(Enterprise.id))
    return [EnterpriseProfile.model_validate(r.profile) for r in rows]


def get_profile(session: Session, enterprise_id: str) -> EnterpriseProfile:
    """One stored profile.

    Raises:
        ProfileNotFound: when no enterprise has this id.
    """
    row = session.get(Enterprise, enterprise_id)
    if row is None:
        raise ProfileNotFound(f"no enterprise {enterprise_id!r}")
    return EnterpriseProfile.model_validate(row.profile)


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


def _insert_alert(session: Session, alert: Alert) -> AlertRow | None:
    exists = session.scalar(
        select(AlertRow.id).where(
            AlertRow.enterprise_id == alert.enterprise_id,
            AlertRow.item_id == alert.item_id,
            AlertRow.item_version == alert.item_version,
            AlertRow.rule_id == alert.rule_id,
        )
    )
    if exists is not None:
        return None
    row = AlertRow(**alert.model_dump(), status="new")
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # another worker stored it first
        return None
    return row


def evaluate_stored_items(
    session: Session, item_ids: Iterable[str] | None = None, as_of: date | None = None
) -> list[AlertRow]:
    """Evaluate stored, tagged items against stored profiles; store and return new alerts.

    Running it twice stores nothing new: alerts are unique per (enterprise, item version, rule).
    Party names an enterprise dismissed as "not us" no longer match it.
    """
    index = ProfileIndex.build(stored_profiles(session), as_of)
    suppressions = stored_suppressions(session)
    query = select(Item).where(Item.tags.is_not(None))
    if item_ids is not None:
        query = query.where(Item.id.in_(list(item_ids)))
    rules = load_rules()
    created = []
    for row in session.scalars(query.order_by(Item.published_at, Item.id)):
        for alert in evaluate_item(item_to_record(row), index, rules, as_of, suppressions):
            stored = _insert_alert(session, alert)
            if stored is not None:
                created.append(stored)
        row.evaluated_version = row.version
    session.flush()
    return created


def evaluate_new_alert_ids(
    session: Session, item_ids: Iterable[str] | None = None, as_of: date | None = None
) -> list[int]:
    """Evaluate stored items and return the ids of the alerts this call created.

    The hand-over point to delivery: whatever dispatches new alerts takes these ids (after
    the session commits).
    """
    return [row.id for row in evaluate_stored_items(session, item_ids, as_of)]


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
