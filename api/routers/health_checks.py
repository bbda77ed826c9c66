"""Enterprise health checks: run, list, read as JSON, HTML or PDF, and advisors' notes.

Health checks are addressed by integer id only, so no request can name a file.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.deps import DbSession
from api.errors import NotFound
from core.models import HealthCheckRow
from core.types import AdvisorNote, HealthCheckResult
from reports._model import HealthReport
from reports.render import render_health_html, render_health_pdf
from reports.service import UnknownEnterpriseError, health_report_for, run_stored_health_check
from reports.store import add_note, list_health_checks, load_health_check

router = APIRouter(tags=["health-checks"])

LangQuery = Annotated[str, Query(pattern="^(zh|en)$", description="zh or en")]


class HealthCheckSummary(BaseModel):
    """A stored health check, without its contents."""

    id: int
    enterprise_id: str
    as_of: date
    level: str
    notes: int
    created_at: datetime
    html_url: str
    pdf_url: str


class HealthCheckList(BaseModel):
    """Stored health checks, newest first."""

    health_checks: list[HealthCheckSummary]


class HealthCheckRequest(BaseModel):
    """Which stored enterprise to check, and as of when (today by default)."""

    enterprise_id: str = Field(min_length=1, max_length=64, examples=["wuxi-netlink"])
    as_of: date | None = None


class NoteRequest(BaseModel):
    """An advisor's note."""

    author: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=8000)


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


def _row(session: DbSession, check_id: int) -> HealthCheckRow:
    row = session.get(HealthCheckRow, check_id)
    if row is None:
        raise NotFound(f"no health check {check_id}")
    return row


def _report(session: DbSession, check_id: int) -> HealthReport:
    try:
        return health_report_for(session, _row(session, check_id))
    except UnknownEnterpriseError as exc:
        raise NotFound(str(exc)) from exc


@router.get("/health-checks", response_model=HealthCheckList)
def list_stored(
    session: DbSession, enterprise: Annotated[str | None, Query(max_length=64)] = None
) -> HealthCheckList:
    """Stored health checks, newest first (optionally of one enterprise)."""
    rows = list_health_checks(session, enterprise)
    return HealthCheckList(health_checks=[_summary(r) for r in rows])


@router.post("/health-checks", response_model=HealthCheckSummary, status_code=201)
def run(session: DbSession, request: HealthCheckRequest) -> HealthCheckSummary:
    """Run the health check of a stored enterprise over the stored items, and store it."""
    as_of = request.as_of or datetime.now(UTC).date()
    try:
        row, _ = run_stored_health_check(session, request.enterprise_id, as_of)
    except UnknownEnterpriseError as exc:
        raise NotFound(str(exc)) from exc
    return _summary(row)


@router.get("/health-checks/{check_id}", response_model=HealthCheckResult)
def get_json(session: DbSession, check_id: int) -> HealthCheckResult:
    """The stored result with its advisors' notes."""
    return load_health_check(_row(session, check_id))


@router.get("/health-checks/{check_id}/html", response_class=HTMLResponse)
def get_html(session: DbSession, check_id: int, lang: LangQuery = "zh") -> HTMLResponse:
    """The health-check report as a standalone HTML document."""
    return HTMLResponse(render_health_html(_report(session, check_id), lang))


@router.get("/health-checks/{check_id}/pdf", response_class=Response)
def get_pdf(session: DbSession, check_id: int, lang: LangQuery = "zh") -> Response:
    """The health-check report as PDF (a download)."""
    report = _report(session, check_id)
    name = f"health-check-{check_id}-{report.result.enterprise_id}-{report.result.as_of}-{lang}.pdf"
    return Response(
        render_health_pdf(report, lang),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.post("/health-checks/{check_id}/notes", response_model=AdvisorNote, status_code=201)
def add_advisor_note(session: DbSession, check_id: int, note: NoteRequest) -> AdvisorNote:
    """Add an advisor's note; it appears in the report from now on."""
    return add_note(session, _row(session, check_id), note.author, note.text)
