"""Storing profiles and alerts: the database side of warning."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import AlertRow, Enterprise, Item, utcnow
from core.records import item_to_record
from core.types import Alert, EnterpriseProfile
from warning.engine import ProfileIndex, evaluate_item
from warning.rules import load_rules


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
    """
    index = ProfileIndex.build(stored_profiles(session))
    query = select(Item).where(Item.tags.is_not(None))
    if item_ids is not None:
        query = query.where(Item.id.in_(list(item_ids)))
    rules = load_rules()
    created = []
    for row in session.scalars(query.order_by(Item.published_at, Item.id)):
        for alert in evaluate_item(item_to_record(row), index, rules, as_of):
            stored = _insert_alert(session, alert)
            if stored is not None:
                created.append(stored)
        row.evaluated_version = row.version
    session.flush()
    return created
