"""Report pages of the web UI: briefings and health checks, listed, shown, as PDF, in zh/en.

Reports are addressed by integer id only. Forms that change data (generate a briefing, run a
health check, add a note) echo the session's CSRF token when a user is signed in.
"""

from __future__ import annotations

import hmac
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select

from api.auth import web_session_context
from api.deps import DbSession
from api.web import Lang, _lang
from api.web import _render as render_page
from core.models import BriefingRow, Enterprise, HealthCheckRow
from reports.briefing import STALE_AFTER_DAYS, UnknownChainError
from reports.countries import UnknownCountryError
from reports.periods import PeriodError
from reports.render import TEMPLATES as REPORT_TEMPLATES
from reports.render import briefing_charts, health_charts, report_css
from reports.service import (
    UnknownEnterpriseError,
    generate_briefing,
    health_report_for,
    run_stored_health_check,
)
from reports.store import add_note, list_briefings, list_health_checks, load_briefing

API_TEMPLATES = Path(__file__).resolve().parent / "templates"
router = APIRouter(include_in_schema=False)


def _render(
    request: Request, lang: str, template: str, status: int = 200, **context: Any
) -> Response:
    return render_page(
        request,
        lang,
        template,
        status,
        template_dirs=(API_TEMPLATES, REPORT_TEMPLATES),
        report_css=Markup(report_css()),
        **context,
    )


def _csrf_ok(request: Request, token: str) -> bool:
    expected = web_session_context(request).get("csrf_token")
    return expected is None or hmac.compare_digest(expected, token)


def _enterprises(session: DbSession, lang: str) -> dict[str, str]:
    return {
        e.id: (e.name_zh if lang == "zh" else e.name_en) or e.name_en or e.name_zh or e.id
        for e in session.scalars(select(Enterprise).order_by(Enterprise.id))
    }


@router.get("/briefings")
def briefings_page(
    request: Request, session: DbSession, lang: Lang = None, error: str | None = None
) -> Response:
    """Stored briefings, newest first, with a form to generate one."""
    lang = _lang(request, lang)
    rows = list_briefings(session)
    return _render(request, lang, "web/briefings.html", briefings=rows, error=error)


@router.post("/briefings")
def briefings_generate(
    request: Request,
    session: DbSession,
    country: Annotated[str, Form(max_length=8)],
    chain: Annotated[str, Form(max_length=16)] = "",
    period: Annotated[str, Form(max_length=16)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Generate a briefing and show it (or the list with the reason it failed)."""
    lang = _lang(request, None)
    if not _csrf_ok(request, csrf_token):
        return _render(request, lang, "web/briefings.html", 403, briefings=[], error="CSRF")
    try:
        row, _ = generate_briefing(
            session, country, chain or None, period or None, datetime.now(UTC).date(), lang
        )
    except (UnknownCountryError, UnknownChainError, PeriodError) as exc:
        rows = list_briefings(session)
        return _render(request, lang, "web/briefings.html", 422, briefings=rows, error=str(exc))
    return RedirectResponse(f"/briefings/{row.id}", status_code=303)


@router.get("/briefings/{briefing_id}")
def briefing_page(
    briefing_id: int, request: Request, session: DbSession, lang: Lang = None
) -> Response:
    """One briefing, rendered in the page, with its PDF download."""
    lang = _lang(request, lang)
    row = session.get(BriefingRow, briefing_id)
    if row is None:
        return _render(request, lang, "not_found.html", status=404)
    briefing = load_briefing(row)
    return _render(
        request,
        lang,
        "web/briefing.html",
        row=row,
        b=briefing,
        charts=briefing_charts(briefing, lang),
        stale_days=STALE_AFTER_DAYS,
    )


@router.get("/health-checks")
def health_checks_page(request: Request, session: DbSession, lang: Lang = None) -> Response:
    """Stored health checks, newest first, with a form to run one."""
    lang = _lang(request, lang)
    return _render(
        request,
        lang,
        "web/health_checks.html",
        checks=list_health_checks(session),
        enterprises=_enterprises(session, lang),
        error=None,
    )


@router.post("/health-checks")
def health_checks_run(
    request: Request,
    session: DbSession,
    enterprise_id: Annotated[str, Form(max_length=64)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Run a health check for a stored enterprise and show it."""
    lang = _lang(request, None)
    if not _csrf_ok(request, csrf_token):
        return _render(
            request, lang, "web/health_checks.html", 403, checks=[], enterprises={}, error="CSRF"
        )
    try:
        row, _ = run_stored_health_check(session, enterprise_id, datetime.now(UTC).date())
    except UnknownEnterpriseError as exc:
        return _render(
            request,
            lang,
            "web/health_checks.html",
            404,
            checks=list_health_checks(session),
            enterprises=_enterprises(session, lang),
            error=str(exc),
        )
    return RedirectResponse(f"/health-checks/{row.id}", status_code=303)


@router.get("/health-checks/{check_id}")
def health_check_page(
    check_id: int, request: Request, session: DbSession, lang: Lang = None
) -> Response:
    """One health-check report, with its PDF download and the advisor's-note form."""
    lang = _lang(request, lang)
    row = session.get(HealthCheckRow, check_id)
    if row is None:
        return _render(request, lang, "not_found.html", status=404)
    try:
        report = health_report_for(session, row)
    except UnknownEnterpriseError:
        return _render(request, lang, "not_found.html", status=404)
    return _render(
        request,
        lang,
        "web/health_check.html",
        row=row,
        h=report,
        charts=health_charts(report, lang),
        stale_days=STALE_AFTER_DAYS,
    )


@router.post("/health-checks/{check_id}/notes")
def health_check_note(
    check_id: int,
    request: Request,
    session: DbSession,
    author: Annotated[str, Form(min_length=1, max_length=200)],
    text: Annotated[str, Form(min_length=1, max_length=8000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Add an advisor's note and show the report again."""
    lang = _lang(request, None)
    row = session.get(HealthCheckRow, check_id)
    if row is None:
        return _render(request, lang, "not_found.html", status=404)
    if not _csrf_ok(request, csrf_token):
        return _render(request, lang, "not_found.html", status=403)
    add_note(session, row, author, text)
    return RedirectResponse(f"/health-checks/{check_id}", status_code=303)
