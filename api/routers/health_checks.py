"""Enterprise health checks: run, list, read as JSON, HTML or PDF, and advisors' notes.

Health checks are addressed by integer id only, so no request can name a file.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.auth import (
    Principal,
    audit,
    enterprise_or_404,
    require_role,
    restrict_to_visible,
    row_or_404,
)
from api.deps import DbSession
from api.errors import ERROR_RESPONSES, NotFound
from api.routers._access import (
    AUTHOR_FIELD_DESCRIPTION,
    MAX_ID,
    HealthChecksRead,
    HealthChecksWrite,
    RowId,
    signed_author,
)
from api.schemas import AsOfDate, UtcDateTime
from core.models import HealthCheckRow
from core.settings import default_as_of
from core.types import AdvisorNote, HealthCheckResult
from reports._model import HealthReport
from reports.render import render_health_html, render_health_pdf
from reports.service import UnknownEnterpriseError, health_report_for, run_stored_health_check
from reports.store import add_note, load_health_check

router = APIRouter(tags=["health-checks"], responses=ERROR_RESPONSES)

LangQuery = Annotated[str, Query(pattern="^(zh|en)$", description="zh or en")]


class HealthCheckSummary(BaseModel):
    """A stored health check, without its contents."""

    id: int
    enterprise_id: str
    as_of: date
    level: str
    notes: int
    created_at: UtcDateTime
    html_url: str
    pdf_url: str


class HealthCheckList(BaseModel):
    """A page of stored health checks, newest first."""

    health_checks: list[HealthCheckSummary]
    next_cursor: str | None = None


class HealthCheckRequest(BaseModel):
    """Which stored enterprise to check, and as of when (by default today, or the day a fixed
    data set such as the demo's stands at: ``IPRWATCH_DATA_AS_OF``)."""

    enterprise_id: str = Field(min_length=1, max_length=64, examples=["wuxi-netlink"])
    as_of: AsOfDate | None = None


class NoteRequest(BaseModel):
    """An advisor's note (signed by the caller)."""

    text: str = Field(min_length=1, max_length=8000)
    author: str | None = Field(default=None, max_length=200, description=AUTHOR_FIELD_DESCRIPTION)


def _summary(row: HealthCheckRow) -> HealthCheckSummary:
    return HealthCheckSummary(
        id=row.id,
        enterprise_id=row.enterprise_id,
        as_of=row.as_of,
        level=row.level,
        notes=len(row.notes or []),
        created_at=row.created_at,
        html_url=f"/api/v1/health-checks/{row.id}/html",
        pdf_url=f"/api/v1/health-checks/{row.id}/pdf",
    )


def _row(session: DbSession, principal: Principal, check_id: RowId) -> HealthCheckRow:
    row = session.get(HealthCheckRow, check_id)
    return row_or_404(principal, row, "health check", check_id)


def _report(session: DbSession, principal: Principal, check_id: RowId) -> HealthReport:
    try:
        return health_report_for(session, _row(session, principal, check_id))
    except UnknownEnterpriseError as exc:
        raise NotFound(str(exc)) from exc


@router.get("/health-checks", response_model=HealthCheckList)
def list_stored(
    session: DbSession,
    principal: HealthChecksRead,
    enterprise: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[int | None, Query(ge=0, le=MAX_ID, description="`next_cursor`.")] = None,
) -> HealthCheckList:
    """The stored health checks of the enterprises the caller may see, newest first
    (optionally of one enterprise)."""
    query = select(HealthCheckRow).order_by(HealthCheckRow.id.desc()).limit(limit + 1)
    query = restrict_to_visible(query, HealthCheckRow.enterprise_id, principal)
    if enterprise:
        query = query.where(HealthCheckRow.enterprise_id == enterprise)
    if cursor is not None:
        query = query.where(HealthCheckRow.id < cursor)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return HealthCheckList(
        health_checks=[_summary(r) for r in rows],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )


@router.post("/health-checks", response_model=HealthCheckSummary, status_code=201)
def run(
    session: DbSession, principal: HealthChecksWrite, request: HealthCheckRequest
) -> HealthCheckSummary:
    """Run the health check of a stored enterprise over the stored items, and store it."""
    if not principal.is_admin:  # an admin may hear which enterprises exist; others may not
        enterprise_or_404(session, principal, request.enterprise_id)
    as_of = request.as_of or default_as_of()
    try:
        row, _ = run_stored_health_check(session, request.enterprise_id, as_of)
    except UnknownEnterpriseError as exc:
        raise NotFound(str(exc)) from exc
    audit(session, principal, "health_check.run", "health_check", row.id)
    return _summary(row)


@router.get("/health-checks/{check_id}", response_model=HealthCheckResult)
def get_json(session: DbSession, principal: HealthChecksRead, check_id: RowId) -> HealthCheckResult:
    """The stored result with its advisors' notes."""
    return load_health_check(_row(session, principal, check_id))


@router.get("/health-checks/{check_id}/html", response_class=HTMLResponse)
def get_html(
    session: DbSession, principal: HealthChecksRead, check_id: RowId, lang: LangQuery = "zh"
) -> HTMLResponse:
    """The health-check report as a standalone HTML document."""
    return HTMLResponse(render_health_html(_report(session, principal, check_id), lang))


@router.get("/health-checks/{check_id}/pdf", response_class=Response)
def get_pdf(
    session: DbSession, principal: HealthChecksRead, check_id: RowId, lang: LangQuery = "zh"
) -> Response:
    """The health-check report as PDF (a download)."""
    report = _report(session, principal, check_id)
    name = f"health-check-{check_id}-{report.result.enterprise_id}-{report.result.as_of}-{lang}.pdf"
    return Response(
        render_health_pdf(report, lang),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post(
    "/health-checks/{check_id}/notes",
    response_model=AdvisorNote,
    status_code=201,
    dependencies=[Depends(require_role("admin", "advisor"))],
)
def add_advisor_note(
    session: DbSession,
    principal: HealthChecksWrite,
    check_id: RowId,
    note: NoteRequest,
) -> AdvisorNote:
    """Add an advisor's note (advisors and admins only); it appears in the report from now on."""
    row = _row(session, principal, check_id)
    author = signed_author(principal, note.author) or "-"
    added = add_note(session, row, author, note.text)
    audit(session, principal, "health_check.note", "health_check", check_id)
    return added
