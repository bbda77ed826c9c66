"""Storing generated briefings and health checks, and reading them back by id."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import BriefingRow, HealthCheckRow
from core.types import AdvisorNote, HealthCheckResult
from reports._model import Briefing

LIST_LIMIT = 200

NOT_ASSESSED = "not_assessed"
"""The stored risk level of a briefing with no items in its period."""


def save_briefing(session: Session, briefing: Briefing, lang: str = "zh") -> BriefingRow:
    """Store a briefing; returns the row (with its id after flush)."""
    row = BriefingRow(
        country=briefing.country,
        chain=briefing.chain,
        period=briefing.period,
        lang=lang,
        # no items, no level: the list of briefings must not call an empty period low-risk
        risk_level=briefing.risk.level if briefing.has_data else NOT_ASSESSED,
        data=briefing.model_dump(mode="json"),
        created_at=briefing.generated_at,
    )
    session.add(row)
    session.flush()
    return row


def list_briefings(session: Session, country: str | None = None) -> list[BriefingRow]:
    """Stored briefings, newest first."""
    query = select(BriefingRow).order_by(BriefingRow.id.desc()).limit(LIST_LIMIT)
    if country:
        query = query.where(BriefingRow.country == country.upper())
    return list(session.scalars(query))


def load_briefing(row: BriefingRow) -> Briefing:
    """The briefing a row stores."""
    return Briefing.model_validate(row.data)


def save_health_check(session: Session, result: HealthCheckResult) -> HealthCheckRow:
    """Store a health-check result (its notes go to the notes column)."""
    row = HealthCheckRow(
        enterprise_id=result.enterprise_id,
        as_of=result.as_of,
        level=result.level.value,
        result=result.model_dump(mode="json", exclude={"notes"}),
        notes=[note.model_dump(mode="json") for note in result.notes],
    )
    session.add(row)
    session.flush()
    return row


def list_health_checks(session: Session, enterprise_id: str | None = None) -> list[HealthCheckRow]:
    """Stored health checks, newest first."""
    query = select(HealthCheckRow).order_by(HealthCheckRow.id.desc()).limit(LIST_LIMIT)
    if enterprise_id:
        query = query.where(HealthCheckRow.enterprise_id == enterprise_id)
    return list(session.scalars(query))


def load_health_check(row: HealthCheckRow) -> HealthCheckResult:
    """The stored result with its advisor notes."""
    return HealthCheckResult.model_validate({**row.result, "notes": row.notes or []})


def add_note(session: Session, row: HealthCheckRow, author: str, text: str) -> AdvisorNote:
    """Append an advisor's note to a stored health check."""
    note = AdvisorNote(author=author.strip(), text=text.strip(), created_at=datetime.now(UTC))
    row.notes = [*(row.notes or []), note.model_dump(mode="json")]
    session.flush()
    return note
