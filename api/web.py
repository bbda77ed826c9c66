"""The server-rendered web UI (zh-CN by default, en on request)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from api.auth import web_session_context
from api.deps import DbSession
from api.services import run_search, source_statuses
from core.models import AlertRow, Enterprise, Item
from core.records import alert_to_dict, item_to_record
from reports.jinja import LANGUAGES, make_environment

TEMPLATES = Path(__file__).resolve().parent / "templates"
router = APIRouter(include_in_schema=False)


def _lang(request: Request, lang: str | None) -> str:
    if lang in LANGUAGES:
        return str(lang)
    cookie = request.cookies.get("lang")
    return cookie if cookie in LANGUAGES else "zh"


def _render(
    request: Request,
    lang: str,
    template: str,
    status: int = 200,
    template_dirs: Sequence[Path] = (TEMPLATES,),
    **context: Any,
) -> Response:
    """A page in ``lang``, with the signed-in user for the header; remembers the language."""
    env = make_environment(template_dirs, lang)
    session = web_session_context(request)  # signed-in user for the header
    html = env.get_template(template).render(request_path=request.url.path, **session, **context)
    response = HTMLResponse(html, status_code=status)
    response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


Lang = Annotated[str | None, Query(pattern="^(zh|en)$")]


@router.get("/")
def home() -> RedirectResponse:
    """The alerts page is home."""
    return RedirectResponse("/alerts", status_code=303)


@router.get("/alerts")
def alerts_page(request: Request, session: DbSession, lang: Lang = None) -> Response:
    """Alerts, most urgent first."""
    lang = _lang(request, lang)
    rows = list(session.scalars(select(AlertRow).order_by(AlertRow.id.desc()).limit(200)))
    rank = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
    rows.sort(key=lambda r: (rank.get(r.severity, 9), r.deadline or date.max))
    names = {
        e.id: (e.name_zh if lang == "zh" else e.name_en) or e.name_en or e.id
        for e in session.scalars(select(Enterprise))
    }
    items = {
        i.id: i for i in session.scalars(select(Item).where(Item.id.in_([r.item_id for r in rows])))
    }
    alerts = [
        dict(
            alert_to_dict(r),
            enterprise=names.get(r.enterprise_id, r.enterprise_id),
            item=items.get(r.item_id),
        )
        for r in rows
    ]
    return _render(request, lang, "alerts.html", alerts=alerts)


@router.get("/alerts/{alert_id}")
def alert_page(alert_id: int, request: Request, session: DbSession, lang: Lang = None) -> Response:
    """One alert: why you got it, the evidence, and what to do by when."""
    lang = _lang(request, lang)
    row = session.get(AlertRow, alert_id)
    if row is None:
        return _render(request, lang, "not_found.html", status=404)
    item = session.get(Item, row.item_id)
    enterprise = session.get(Enterprise, row.enterprise_id)
    return _render(
        request,
        lang,
        "alert.html",
        alert=alert_to_dict(row),
        item=item_to_record(item) if item else None,
        enterprise=enterprise,
    )


@router.get("/search")
def search_page(
    request: Request,
    lang: Lang = None,
    q: Annotated[str, Query(max_length=500)] = "",
    country: Annotated[str, Query(max_length=8)] = "",
    chain: Annotated[str, Query(max_length=16)] = "",
    kind: Annotated[str, Query(max_length=32)] = "",
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    """Full-text search with facet filters and highlighted snippets."""
    lang = _lang(request, lang)
    error = None
    results: dict[str, Any] = {"hits": [], "total": 0, "facets": {}, "next_cursor": None}
    try:
        results = run_search(
            q=q,
            jurisdictions=[country] if country else None,
            chains=[chain] if chain else None,
            kinds=[kind] if kind else None,
            sort="relevance" if q else "date",
            cursor=cursor,
        )
    except ValueError as exc:
        error = str(exc).splitlines()[0]
    return _render(
        request,
        lang,
        "search.html",
        q=q,
        country=country,
        chain=chain,
        kind=kind,
        results=results,
        error=error,
    )


@router.get("/items/{item_id}")
def item_page(item_id: str, request: Request, session: DbSession, lang: Lang = None) -> Response:
    """One item with its tags."""
    lang = _lang(request, lang)
    row = session.get(Item, item_id)
    if row is None:
        return _render(request, lang, "not_found.html", status=404)
    return _render(request, lang, "item.html", item=item_to_record(row))


@router.get("/sources")
def sources_page(request: Request, lang: Lang = None) -> Response:
    """Sources with their freshness and health."""
    lang = _lang(request, lang)
    return _render(request, lang, "sources.html", sources=source_statuses())
