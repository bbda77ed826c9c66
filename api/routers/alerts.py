"""Alerts: list, read, and the status actions (acknowledge, dismiss, resolve) with notes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.deps import DbSession
from api.errors import BadRequest, NotFound
from api.schemas import AlertOut, AlertPage
from core.models import AlertNote, AlertRow
from core.records import alert_to_dict
from core.types import Severity
from warning.store import (
    ALERT_STATUSES,
    AlertNotFound,
    add_note,
    alert_notes,
    change_alert_status,
    get_alert,
)

router = APIRouter(tags=["alerts"])

_STATUS = "^(" + "|".join(ALERT_STATUSES) + ")$"


class NoteOut(BaseModel):
    """A note or status change on an alert."""

    id: int
    action: str
    reason: str | None
    text: str
    author: str | None
    created_at: str | None


class AlertDetail(AlertOut):
    """An alert with its notes and status history, oldest first."""

    notes: list[NoteOut] = Field(default_factory=list)


class StatusChange(BaseModel):
    """An optional note and author for acknowledge and resolve."""

    note: str = Field(default="", max_length=4000)
    author: str | None = Field(default=None, max_length=200)


class Dismissal(StatusChange):
    """Why an alert is dismissed: ``not_us`` stops the same party matching again."""

    reason: str = Field(min_length=1, max_length=64, examples=["not_us", "not relevant"])


class NewNote(BaseModel):
    """A note on an alert."""

    text: str = Field(min_length=1, max_length=4000)
    author: str | None = Field(default=None, max_length=200)


def _note_out(note: AlertNote) -> NoteOut:
    return NoteOut(
        id=note.id,
        action=note.action,
        reason=note.reason,
        text=note.text,
        author=note.author,
        created_at=note.created_at.isoformat() if note.created_at else None,
    )


def _detail(session: Any, row: AlertRow) -> AlertDetail:
    notes = [_note_out(n) for n in alert_notes(session, row.id)]
    return AlertDetail.model_validate({**alert_to_dict(row), "notes": notes})


@router.get("/alerts", response_model=AlertPage)
def list_alerts(
    session: DbSession,
    enterprise: Annotated[str | None, Query(max_length=64)] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    status: Annotated[
        list[str] | None, Query(description="Repeatable: new, acknowledged, dismissed, resolved.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        int | None, Query(ge=0, description="`next_cursor` of the previous page.")
    ] = None,
) -> AlertPage:
    """The caller's alerts, newest first."""
    bad = [s for s in status or [] if s not in ALERT_STATUSES]
    if bad:
        raise BadRequest(
            f"invalid parameter(s): status {bad[0]!r}",
            [{"field": "status", "message": f"one of {', '.join(ALERT_STATUSES)}"}],
        )
    query = select(AlertRow).order_by(AlertRow.id.desc()).limit(limit + 1)
    if enterprise:
        query = query.where(AlertRow.enterprise_id == enterprise)
    if severity:
        query = query.where(AlertRow.severity.in_([s.value for s in severity]))
    if status:
        query = query.where(AlertRow.status.in_(status))
    if cursor is not None:
        query = query.where(AlertRow.id < cursor)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return AlertPage(
        alerts=[AlertOut.model_validate(alert_to_dict(r)) for r in rows],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )


@router.get("/alerts/{alert_id}", response_model=AlertDetail)
def read_alert(session: DbSession, alert_id: int) -> AlertDetail:
    """One alert with its notes."""
    try:
        return _detail(session, get_alert(session, alert_id))
    except AlertNotFound as exc:
        raise NotFound(str(exc.args[0])) from exc


def _act(
    session: Any, alert_id: int, action: str, body: StatusChange, reason: str | None = None
) -> AlertDetail:
    try:
        row = change_alert_status(session, alert_id, action, body.note, reason, body.author)
    except AlertNotFound as exc:
        raise NotFound(str(exc.args[0])) from exc
    return _detail(session, row)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertDetail)
def acknowledge_alert(
    session: DbSession, alert_id: int, body: StatusChange | None = None
) -> AlertDetail:
    """Mark an alert as seen and being handled."""
    return _act(session, alert_id, "acknowledge", body or StatusChange())


@router.post("/alerts/{alert_id}/dismiss", response_model=AlertDetail)
def dismiss_alert(session: DbSession, alert_id: int, body: Dismissal) -> AlertDetail:
    """Dismiss an alert; reason ``not_us`` suppresses the same party match in future."""
    return _act(session, alert_id, "dismiss", body, body.reason)


@router.post("/alerts/{alert_id}/resolve", response_model=AlertDetail)
def resolve_alert(
    session: DbSession, alert_id: int, body: StatusChange | None = None
) -> AlertDetail:
    """Mark an alert as dealt with."""
    return _act(session, alert_id, "resolve", body or StatusChange())


@router.post("/alerts/{alert_id}/notes", response_model=NoteOut, status_code=201)
def add_alert_note(session: DbSession, alert_id: int, body: NewNote) -> NoteOut:
    """Add a note to an alert."""
    try:
        return _note_out(add_note(session, alert_id, body.text, body.author))
    except AlertNotFound as exc:
        raise NotFound(str(exc.args[0])) from exc
