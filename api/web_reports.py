"""Report pages of the web UI: briefings and health checks, listed, shown, as PDF, in zh/en.

Reports are addressed by integer id only. Every page needs a signed-in user: briefings are
for every role, generating one is for admins; health checks show only the enterprises the
user may see (none for an alliance), and only advisors and admins add notes. Forms that
change data carry the session's CSRF token, checked by the ``WebPrincipal`` dependency.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from api._web_views import enterprise_names
from api.auth import Principal, Role, WebPrincipal, can_see_enterprise, restrict_to_visible
from api.deps import DbSession
from api.web import Lang, _lang, not_found_page
from api.web import _render as render_page
from core.models import BriefingRow, HealthCheckRow
from core.settings import data_as_of_day, default_as_of
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
from reports.store import add_note, list_briefings, load_briefing

API_TEMPLATES = Path(__file__).resolve().parent / "templates"
router = APIRouter(include_in_schema=False)


def _render(
    request: Request,
    lang: str,
    template: str,
    status: int = 200,
    principal: Principal | None = None,
    **context: Any,
) -> Response:
    return render_page(
        request,
        lang,
        template,
        status,
        template_dirs=(API_TEMPLATES, REPORT_TEMPLATES),
        principal=principal,
        report_css=Markup(report_css()),
        data_as_of=data_as_of_day(),
        **context,
    )


def _health_checks(session: Session, principal: Principal) -> list[HealthCheckRow]:
    query = restrict_to_visible(select(HealthCheckRow), HealthCheckRow.enterprise_id, principal)
    order = (HealthCheckRow.as_of.desc(), HealthCheckRow.id.desc())
    return list(session.scalars(query.order_by(*order)))


def _visible_check(session: Session, principal: Principal, check_id: int) -> HealthCheckRow | None:
    row = session.get(HealthCheckRow, check_id)
    if row is None or not can_see_enterprise(principal, row.enterprise_id):
        return None
    return row


def _may_annotate(principal: Principal) -> bool:
    return principal.role in (Role.ADVISOR, Role.ADMIN)


@router.get("/briefings")
def briefings_page(
    request: Request, session: DbSession, principal: WebPrincipal, lang: Lang = None
) -> Response:
    """Stored briefings, newest first, with a form to generate one (admins)."""
    lang = _lang(request, lang)
    rows = list_briefings(session)
    return _render(
        request, lang, "web/briefings.html", principal=principal, briefings=rows, error=None
    )


@router.post("/briefings")
def briefings_generate(
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    country: Annotated[str, Form(max_length=8)],
    chain: Annotated[str, Form(max_length=16)] = "",
    period: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    """Generate a briefing and show it (or the list with the reason it failed)."""
    lang = _lang(request, None)
    if not principal.is_admin:
        return not_found_page(request, lang, principal)
    try:
        row, _ = generate_briefing(
            session, country, chain or None, period or None, default_as_of(), lang
        )
    except (UnknownCountryError, UnknownChainError, PeriodError) as exc:
        rows = list_briefings(session)
        return _render(
            request, lang, "web/briefings.html", 422, principal, briefings=rows, error=str(exc)
        )
    session.commit()  # before the redirect is followed (the dependency commits too late)
    return RedirectResponse(f"/briefings/{row.id}", status_code=303)


@router.get("/briefings/{briefing_id}")
def briefing_page(
    briefing_id: int,
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    lang: Lang = None,
) -> Response:
    """One briefing, rendered in the page, with its PDF download."""
    lang = _lang(request, lang)
    row = session.get(BriefingRow, briefing_id)
    if row is None:
        return not_found_page(request, lang, principal)
    briefing = load_briefing(row)
    return _render(
        request,
        lang,
        "web/briefing.html",
        principal=principal,
        row=row,
        b=briefing,
        charts=briefing_charts(briefing, lang),
        stale_days=STALE_AFTER_DAYS,
    )


@router.get("/health-checks")
def health_checks_page(
    request: Request, session: DbSession, principal: WebPrincipal, lang: Lang = None
) -> Response:
    """Stored health checks of the user's enterprises, newest first, with a form to run one."""
    lang = _lang(request, lang)
    return _render(
        request,
        lang,
        "web/health_checks.html",
        principal=principal,
        checks=_health_checks(session, principal),
        enterprises=enterprise_names(session, principal, lang),
        error=None,
    )


@router.post("/health-checks")
def health_checks_run(
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    enterprise_id: Annotated[str, Form(max_length=64)],
) -> Response:
    """Run a health check for one of the user's enterprises and show it."""
    lang = _lang(request, None)
    if not can_see_enterprise(principal, enterprise_id):
        return not_found_page(request, lang, principal)
    try:
        row, _ = run_stored_health_check(session, enterprise_id, default_as_of())
    except UnknownEnterpriseError as exc:
        return _render(
            request,
            lang,
            "web/health_checks.html",
            404,
            principal,
            checks=_health_checks(session, principal),
            enterprises=enterprise_names(session, principal, lang),
            error=str(exc),
        )
    session.commit()  # before the redirect is followed (the dependency commits too late)
    return RedirectResponse(f"/health-checks/{row.id}", status_code=303)


@router.get("/health-checks/{check_id}")
def health_check_page(
    check_id: int,
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    lang: Lang = None,
) -> Response:
    """One health-check report, with its PDF download and the advisor's-note form."""
    lang = _lang(request, lang)
    row = _visible_check(session, principal, check_id)
    if row is None:
        return not_found_page(request, lang, principal)
    try:
        report = health_report_for(session, row)
    except UnknownEnterpriseError:
        return not_found_page(request, lang, principal)
    return _render(
        request,
        lang,
        "web/health_check.html",
        principal=principal,
        may_annotate=_may_annotate(principal),
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
    principal: WebPrincipal,
    text: Annotated[str, Form(min_length=1, max_length=8000)],
) -> Response:
    """Add an advisor's note (signed with the user's name) and show the report again."""
    lang = _lang(request, None)
    row = _visible_check(session, principal, check_id)
    if row is None or not _may_annotate(principal):
        return not_found_page(request, lang, principal)
    add_note(session, row, principal.display_name, text)
    session.commit()  # before the redirect is followed (the dependency commits too late)
    return RedirectResponse(f"/health-checks/{check_id}", status_code=303)
