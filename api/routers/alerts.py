"""Alerts: list, read, and the status actions (acknowledge, dismiss, resolve) with notes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Annotated, Any

import anyio
import anyio.to_thread
import orjson
from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import Select, Text, bindparam, cast, select
from sqlalchemy.orm import Session

from api._deadlines import deadline_state
from api.auth import Principal, audit, authorise_read, row_or_404, visible_enterprise_ids
from api.deps import DbSession
from api.errors import ERROR_RESPONSES, BadRequest
from api.routers._access import (
    AUTHOR_FIELD_DESCRIPTION,
    MAX_ID,
    AlertsRead,
    AlertsWrite,
    RowId,
    signed_author,
)
from api.routers._alert_cache import (
    AlertPageCache,
    Page,
    current_generation,
    etag_for,
    etag_matches,
)
from api.schemas import AlertOut, AlertPage
from core.db import session_factory
from core.models import AlertNote, AlertRow, Item
from core.records import alert_to_dict, utc_iso
from core.settings import default_as_of
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
    """An optional note for acknowledge and resolve (the author is the caller)."""

    note: str = Field(default="", max_length=4000)
    author: str | None = Field(default=None, max_length=200, description=AUTHOR_FIELD_DESCRIPTION)


class Dismissal(StatusChange):
    """Why an alert is dismissed: ``not_us`` stops the same party matching again."""

    reason: str = Field(min_length=1, max_length=64, examples=["not_us", "not relevant"])


class NewNote(BaseModel):
    """A note on an alert."""

    text: str = Field(min_length=1, max_length=4000)
    author: str | None = Field(default=None, max_length=200, description=AUTHOR_FIELD_DESCRIPTION)


def _note_out(note: AlertNote) -> NoteOut:
    return NoteOut(
        id=note.id,
        action=note.action,
        reason=note.reason,
        text=note.text,
        author=note.author,
        created_at=utc_iso(note.created_at),
    )


def _detail(session: Any, row: AlertRow) -> AlertDetail:
    notes = [_note_out(n) for n in alert_notes(session, row.id)]
    published = session.scalar(select(Item.published_at).where(Item.id == row.item_id))
    state = deadline_state(row.deadline, published, row.status, default_as_of())
    return AlertDetail.model_validate(
        {**alert_to_dict(row), "deadline_state": state, "notes": notes}
    )


_RAW_JSON = ("title", "explanation", "action")
_SCALARS = tuple(c for c in AlertRow.__table__.c if c.name not in _RAW_JSON)
_LIST_COLUMNS = (
    *_SCALARS,
    *(cast(AlertRow.__table__.c[n], Text).label(n) for n in _RAW_JSON),
    Item.published_at.label("item_published_at"),  # for deadline_state
)
_SCALAR_NAMES = tuple(c.name for c in _SCALARS)
_DEADLINE, _STATUS_AT = _SCALAR_NAMES.index("deadline"), _SCALAR_NAMES.index("status")
_WITH_ITEMS = AlertRow.__table__.outerjoin(Item.__table__, Item.id == AlertRow.item_id)
_RAW_KEYS = tuple(f',"{n}":'.encode() for n in _RAW_JSON)
_EMPTY_OBJECT = b"{}"
_NAIVE_UTC = orjson.OPT_NAIVE_UTC  # SQLite's times are naive; all are UTC, and say so


def _listed_json(row: Any, today: date) -> bytes:
    """One listed alert as JSON, shaped as :class:`AlertOut`, its deadline state on ``today``.

    The scalars are encoded by orjson (dates and times as ISO 8601, as ``AlertOut`` has them);
    the JSON columns are spliced in as the database stores them: decoding and re-encoding
    them was most of the list's CPU cost.
    """
    scalars = dict(zip(_SCALAR_NAMES, row, strict=False))
    scalars["deadline_state"] = deadline_state(row[_DEADLINE], row[-1], row[_STATUS_AT], today)
    head = orjson.dumps(scalars, option=_NAIVE_UTC)
    parts = [head[:-1]]
    raw = row[len(_SCALAR_NAMES) : len(_SCALAR_NAMES) + len(_RAW_JSON)]
    for key, text in zip(_RAW_KEYS, raw, strict=True):
        parts += (key, text.encode() if text and text != "null" else _EMPTY_OBJECT)
    parts.append(b"}")
    return b"".join(parts)


@lru_cache(maxsize=256)
def _page_statement(
    visible: tuple[str, ...] | None,
    enterprise: str | None,
    severities: tuple[str, ...],
    statuses: tuple[str, ...],
    limit: int,
    after_cursor: bool,
) -> Select[Any]:
    """One statement, built once per shape: the caller's enterprises (``None``: all), the
    filters, newest first by primary key (the enterprise index keeps ids in order), one row
    more than the page to tell whether another follows. Each alert brings its item's
    publication time (the item found by its primary key), which ``deadline_state`` needs.
    The cursor is the bound parameter ``cursor``."""
    query = select(*_LIST_COLUMNS).select_from(_WITH_ITEMS)
    query = query.order_by(AlertRow.id.desc()).limit(limit + 1)
    if visible is not None:
        query = query.where(AlertRow.enterprise_id.in_(visible))
    if enterprise:
        query = query.where(AlertRow.enterprise_id == enterprise)
    if severities:
        query = query.where(AlertRow.severity.in_(severities))
    if statuses:
        query = query.where(AlertRow.status.in_(statuses))
    if after_cursor:
        query = query.where(AlertRow.id < bindparam("cursor"))
    return query


@dataclass(frozen=True)
class _PageRequest:
    enterprise: str | None
    severities: tuple[str, ...]
    statuses: tuple[str, ...]
    limit: int
    cursor: int | None


def _check_statuses(statuses: tuple[str, ...]) -> None:
    bad = [s for s in statuses if s not in ALERT_STATUSES]
    if bad:
        raise BadRequest(
            f"invalid parameter(s): status {bad[0]!r}",
            [{"field": "status", "message": f"one of {', '.join(ALERT_STATUSES)}"}],
        )


def _page_body(rows: list[Any], limit: int, today: date) -> bytes:
    """The page as JSON, shaped as :class:`AlertPage` (``limit + 1`` rows tell whether
    another page follows), deadline states as of ``today``."""
    more = len(rows) > limit
    rows = rows[:limit]
    cursor_out = orjson.dumps(str(rows[-1].id) if more and rows else None)
    alerts = b",".join(_listed_json(r, today) for r in rows)
    return b"".join((b'{"alerts":[', alerts, b'],"next_cursor":', cursor_out, b"}"))


def _alert_page(request: Request, page: _PageRequest, cache: AlertPageCache | None) -> Page:
    """The page with its ETag; all of it in one worker-thread call (credentials, rate
    limit, the alerts generation, and the query unless the page is cached), the session
    closed before the answer is sent. ``cache`` None: neither read nor kept."""
    with session_factory()() as session:
        principal = authorise_read(request, session, "alerts:read")
        _check_statuses(page.statuses)  # after the credentials, as for every route
        visible = visible_enterprise_ids(principal)
        shape = (
            None if visible is None else tuple(sorted(visible)),
            page.enterprise,
            page.severities,
            page.statuses,
            page.limit,
        )
        connection = session.connection()
        generation = current_generation(connection)  # before the rows: see _alert_cache
        today = default_as_of()  # deadline states move on with the day, not the generation
        key = (*shape, page.cursor, today)
        cached = cache.get(key, generation) if cache and generation else None
        if cached is not None:
            return cached
        statement = _page_statement(*shape, page.cursor is not None)
        rows = connection.execute(statement, {"cursor": page.cursor}).all()
    body = _page_body(list(rows), page.limit, today)
    if cache is None or generation is None:
        return Page(body, etag_for(body), (0, 0))
    return cache.put(key, generation, body)


def _page_cache(request: Request) -> AlertPageCache:
    """The app's alert-page cache, made on first use (one per app)."""
    cache = getattr(request.app.state, "alert_page_cache", None)
    if cache is None:
        cache = request.app.state.alert_page_cache = AlertPageCache()
    return cache


def _list_threads(request: Request) -> anyio.CapacityLimiter:
    """At most :data:`LIST_THREADS` worker threads serve the list at once (one per app)."""
    limiter = getattr(request.app.state, "alert_list_threads", None)
    if limiter is None:
        limiter = request.app.state.alert_list_threads = anyio.CapacityLimiter(LIST_THREADS)
    return limiter


LIST_THREADS = 2
"""Worker threads serving the alert list at once, per process. The work holds the GIL but
for short database calls, so more threads only contend for it: with anyio's default 40,
50 concurrent clients kept 40 threads handing the GIL to one another at every SQLite call
(30 to 90 context switches per request, against 6 to 14 with two). The more idle the other
core, the more those hand-overs cost: 1.3 to 2.3 ms of CPU per request on a busy machine,
7.1 ms on a quiet one, against 0.8 ms cached and 1.5 ms uncached with two threads."""


def _wants_fresh(request: Request) -> bool:
    """``Cache-Control: no-cache`` from the client: build the page anew (the benchmark's
    uncached figure; a client that distrusts the cache)."""
    return "no-cache" in request.headers.get("cache-control", "")


@router.get(
    "/alerts",
    response_model=AlertPage,
    responses={304: {"description": "Not modified: the page has the ETag of `If-None-Match`."}},
)
async def list_alerts(
    request: Request,
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
    caller may not see gives an empty page). Needs the scope ``alerts:read``.

    Every page carries an ``ETag``; send it back in ``If-None-Match`` to get ``304 Not
    Modified`` while the page is unchanged (polling then transfers no page)."""
    severities = tuple(sorted({s.value for s in severity or []}))
    page = _PageRequest(enterprise, severities, tuple(sorted(set(status or []))), limit, cursor)
    cache = None if _wants_fresh(request) else _page_cache(request)
    # Written directly (the shape of AlertPage, which documents it): FastAPI's own path
    # validates the return value again, then encodes it generically.
    answer = await anyio.to_thread.run_sync(
        _alert_page, request, page, cache, limiter=_list_threads(request)
    )
    headers = {"ETag": answer.etag, "Cache-Control": "private, no-cache"}
    if etag_matches(request.headers.get("if-none-match"), answer.etag):
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type="application/json", headers=headers)


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
    author = signed_author(principal, body.author)
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
    author = signed_author(principal, body.author)
    note = add_note(session, alert_id, body.text, author)
    audit(session, principal, "alert.note", "alert", alert_id)
    return _note_out(note)
