"""Alerts: list, read, and the status actions (acknowledge, dismiss, resolve) with notes."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from api.auth import Principal, audit, restrict_to_visible, row_or_404
from api.deps import DbSession
from api.errors import ERROR_RESPONSES, BadRequest
from api.routers._access import MAX_ID, AlertsRead, AlertsWrite, RowId
from api.schemas import AlertOut, AlertPage
from core.models import AlertNote, AlertRow
from core.records import alert_to_dict
from core.types import Severity
from warning.store import ALERT_STATUSES, add_note, alert_notes, change_alert_status

router = APIRouter(tags=["alerts"], responses=ERROR_RESPONSES)

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


_RAW_JSON = ("title", "explanation", "action")
_SCALARS = tuple(c for c in AlertRow.__table__.c if c.name not in _RAW_JSON)
_LIST_COLUMNS = (*_SCALARS, *(cast(AlertRow.__table__.c[n], Text).label(n) for n in _RAW_JSON))


def _listed_json(row: Any) -> str:
    """One listed alert as JSON text, shaped as :class:`AlertOut`.

    The JSON columns are spliced in as the database stores them: decoding and re-encoding
    them was most of the list's CPU cost (three ``json.loads`` per alert).
    """
    data = row._mapping
    scalars = {c.name: data[c.name] for c in _SCALARS}
    for name in ("deadline", "created_at"):
        moment = scalars[name]
        scalars[name] = moment.isoformat() if moment is not None else None
    head = json.dumps(scalars, ensure_ascii=False, separators=(",", ":"))
    raw = "".join(f',"{n}":{_object_text(data[n])}' for n in _RAW_JSON)
    return head[:-1] + raw + "}"


def _object_text(text: str | None) -> str:
    return text if text and text != "null" else "{}"


@router.get("/alerts", response_model=AlertPage)
def list_alerts(
    session: DbSession,
    principal: AlertsRead,
    enterprise: Annotated[str | None, Query(max_length=64)] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    status: Annotated[
        list[str] | None, Query(description="Repeatable: new, acknowledged, dismissed, resolved.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="`next_cursor` of the previous page.")
    ] = None,
) -> Response:
    """The alerts of the enterprises the caller may see, newest first (an enterprise the
    caller may not see gives an empty page)."""
    bad = [s for s in status or [] if s not in ALERT_STATUSES]
    if bad:
        raise BadRequest(
            f"invalid parameter(s): status {bad[0]!r}",
            [{"field": "status", "message": f"one of {', '.join(ALERT_STATUSES)}"}],
        )
    query = select(*_LIST_COLUMNS).order_by(AlertRow.id.desc()).limit(limit + 1)
    query = restrict_to_visible(query, AlertRow.enterprise_id, principal)
    if enterprise:
        query = query.where(AlertRow.enterprise_id == enterprise)
    if severity:
        query = query.where(AlertRow.severity.in_([s.value for s in severity]))
    if status:
        query = query.where(AlertRow.status.in_(status))
    if cursor is not None:
        query = query.where(AlertRow.id < cursor)
    rows = session.execute(query).all()
    more = len(rows) > limit
    rows = rows[:limit]
    cursor_out = json.dumps(str(rows[-1].id) if more and rows else None)
    alerts = ",".join(_listed_json(r) for r in rows)
    # Written directly (the shape of AlertPage, which documents it): FastAPI's own path
    # validates the return value again, then encodes it generically.
    body = f'{{"alerts":[{alerts}],"next_cursor":{cursor_out}}}'
    return Response(body, media_type="application/json")


def _visible_alert(session: Session, principal: Principal, alert_id: RowId) -> AlertRow:
    row = session.get(AlertRow, alert_id)
    return row_or_404(principal, row, "alert", alert_id)


@router.get("/alerts/{alert_id}", response_model=AlertDetail)
def read_alert(session: DbSession, principal: AlertsRead, alert_id: RowId) -> AlertDetail:
    """One alert with its notes."""
    return _detail(session, _visible_alert(session, principal, alert_id))


def _act(
    session: Any,
    principal: Principal,
    alert_id: RowId,
    action: str,
    body: StatusChange,
    reason: str | None = None,
) -> AlertDetail:
    _visible_alert(session, principal, alert_id)
    author = body.author or principal.display_name or None
    row = change_alert_status(session, alert_id, action, body.note, reason, author)
    audit(session, principal, f"alert.{action}", "alert", alert_id, {"reason": reason})
    return _detail(session, row)


@router.post("/alerts/{alert_id}/acknowledge", response_model=AlertDetail)
def acknowledge_alert(
    session: DbSession, principal: AlertsWrite, alert_id: RowId, body: StatusChange | None = None
) -> AlertDetail:
    """Mark an alert as seen and being handled."""
    return _act(session, principal, alert_id, "acknowledge", body or StatusChange())


@router.post("/alerts/{alert_id}/dismiss", response_model=AlertDetail)
def dismiss_alert(
    session: DbSession, principal: AlertsWrite, alert_id: RowId, body: Dismissal
) -> AlertDetail:
    """Dismiss an alert; reason ``not_us`` suppresses the same party match in future."""
    return _act(session, principal, alert_id, "dismiss", body, body.reason)


@router.post("/alerts/{alert_id}/resolve", response_model=AlertDetail)
def resolve_alert(
    session: DbSession, principal: AlertsWrite, alert_id: RowId, body: StatusChange | None = None
) -> AlertDetail:
    """Mark an alert as dealt with."""
    return _act(session, principal, alert_id, "resolve", body or StatusChange())


@router.post("/alerts/{alert_id}/notes", response_model=NoteOut, status_code=201)
def add_alert_note(
    session: DbSession, principal: AlertsWrite, alert_id: RowId, body: NewNote
) -> NoteOut:
    """Add a note to an alert."""
    _visible_alert(session, principal, alert_id)
    author = body.author or principal.display_name or None
    note = add_note(session, alert_id, body.text, author)
    audit(session, principal, "alert.note", "alert", alert_id)
    return _note_out(note)
