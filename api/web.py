"""The server-rendered web UI (zh-CN by default, en on request).

Every page but ``/login`` and ``/sources`` needs a signed-in user (``WebPrincipal``; an
anonymous browser is sent to the sign-in form) and shows only what the user's role and
tenant may see. An id the user may not see answers with the same 404 page as an id that
does not exist. Forms that change data carry the session's CSRF token (checked by the
``WebPrincipal`` dependency) and work without JavaScript; htmx, vendored under ``/static``,
only saves the page reload.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, FastAPI, Form, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from api._deadlines import deadline_state
from api._source_health import health_reason_text
from api._web_views import alert_rows, enterprise_names, evidence_spans, follow_up, home_for
from api.auth import (
    Forbidden,
    OptionalPrincipal,
    Principal,
    WebPrincipal,
    aggregates_only,
    can_see_enterprise,
    web_session_context,
)
from api.auth._session import read_session
from api.deps import DbSession
from api.errors import error_body
from api.services import run_search, source_statuses
from core.db import session_scope
from core.models import AlertRow, Enterprise, Item, User
from core.records import alert_to_dict, item_to_record
from core.settings import data_as_of_day, default_as_of
from reports.jinja import LANGUAGES, make_environment
from search.errors import BadQuery, SearchUnavailable
from warning.store import add_note, alert_notes, change_alert_status

TEMPLATES = Path(__file__).resolve().parent / "templates"
router = APIRouter(include_in_schema=False)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
"""Sent with every page: scripts only from ``/static`` (no inline script), so text that
slipped through escaping still could not run."""


def _lang(request: Request, lang: str | None) -> str:
    if lang in LANGUAGES:
        return str(lang)
    cookie = request.cookies.get("lang")
    return cookie if cookie in LANGUAGES else "zh"


def _switch_url(request: Request, lang: str) -> str:
    """This page in the other language (the query kept; GET pages only: after a form, home)."""
    other = "en" if lang == "zh" else "zh"
    if request.method != "GET":
        return f"/?lang={other}"
    query = {k: v for k, v in request.query_params.items() if k != "lang"}
    return request.url.path + "?" + urlencode({**query, "lang": other})


def _render(
    request: Request,
    lang: str,
    template: str,
    status: int = 200,
    template_dirs: Sequence[Path] = (TEMPLATES,),
    principal: Principal | None = None,
    role: str | None = None,
    **context: Any,
) -> Response:
    """A page in ``lang``, with the signed-in user for the header; remembers the language.

    ``role`` picks the header's links when there is no ``principal`` (an error page)."""
    env = make_environment(template_dirs, lang)
    session = web_session_context(request)  # signed-in user for the header
    html = env.get_template(template).render(
        request_path=request.url.path,
        lang_switch_url=_switch_url(request, lang),
        role=principal.role.value if principal else role,
        **session,
        **context,
    )
    response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
    response.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def not_found_page(request: Request, lang: str, principal: Principal | None) -> Response:
    """The one 404 page, for ids that do not exist and ids of another tenant alike."""
    return _render(request, lang, "not_found.html", status=404, principal=principal)


Lang = Annotated[str | None, Query(pattern="^(zh|en)$")]
STATUS_FILTERS = ("open", "all", "new", "acknowledged", "dismissed", "resolved")


@router.get("/")
def home(principal: WebPrincipal, lang: Lang = None) -> RedirectResponse:
    """Each role's start page: alerts, the enterprises served, or the chain dashboard."""
    query = f"?lang={lang}" if lang else ""
    return RedirectResponse(home_for(principal) + query, status_code=303)


@router.get("/alerts")
def alerts_page(
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    lang: Lang = None,
    status: Annotated[str, Query(max_length=16)] = "open",
    enterprise: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """The dashboard: open alerts by severity, nearest deadline first, overdue flagged."""
    lang = _lang(request, lang)
    status = status if status in STATUS_FILTERS else "open"  # a stale bookmark still works
    if aggregates_only(principal):
        return RedirectResponse("/chain", status_code=303)
    if enterprise and not can_see_enterprise(principal, enterprise):
        return not_found_page(request, lang, principal)
    today = default_as_of()  # a fixed data set's deadlines count to the day it stands at
    alerts, counts = alert_rows(session, principal, lang, status, enterprise, today)
    return _render(
        request,
        lang,
        "alerts.html",
        principal=principal,
        alerts=alerts,
        counts=counts,
        status_filter=status,
        enterprise=enterprise or "",
        names=enterprise_names(session, principal, lang),
        today=today.isoformat(),
        data_as_of=data_as_of_day(),
    )


def _visible_alert(session: DbSession, principal: Principal, alert_id: int) -> AlertRow | None:
    row = session.get(AlertRow, alert_id)
    if row is None or not can_see_enterprise(principal, row.enterprise_id):
        return None
    return row


@router.get("/alerts/{alert_id}")
def alert_page(
    alert_id: int,
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    lang: Lang = None,
) -> Response:
    """One alert: why you got it, the evidence, and what to do by when; the actions."""
    lang = _lang(request, lang)
    row = _visible_alert(session, principal, alert_id)
    if row is None:
        return not_found_page(request, lang, principal)
    item = session.get(Item, row.item_id)
    record = item_to_record(item) if item else None
    notes = alert_notes(session, row.id)
    published = item.published_at if item else None
    return _render(
        request,
        lang,
        "alert.html",
        principal=principal,
        alert=alert_to_dict(row),
        item=record,
        spans=evidence_spans(row, record),
        enterprise=session.get(Enterprise, row.enterprise_id),
        notes=notes,
        follow=follow_up(notes),
        deadline_state=deadline_state(row.deadline, published, row.status, default_as_of()),
    )


ACTIONS = ("acknowledge", "dismiss", "resolve")


@router.post("/alerts/{alert_id}/{action}")
def alert_action(
    alert_id: int,
    action: str,
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    note: Annotated[str, Form(max_length=4000)] = "",
    reason: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Acknowledge, dismiss ("not us" or another reason) or resolve an alert, or add a note."""
    lang = _lang(request, None)
    row = _visible_alert(session, principal, alert_id)
    if row is None or action not in (*ACTIONS, "notes"):
        return not_found_page(request, lang, principal)
    author = principal.display_name
    if action == "notes":
        if not note.strip():
            return RedirectResponse(f"/alerts/{alert_id}?error=empty_note#notes", status_code=303)
        add_note(session, alert_id, note.strip(), author)
    else:
        why = (reason.strip() or "other") if action == "dismiss" else None
        change_alert_status(session, alert_id, action, note.strip(), why, author)
    session.commit()  # before the redirect is followed (the dependency commits too late)
    return RedirectResponse(f"/alerts/{alert_id}#follow-up", status_code=303)


# The search page's own messages for a query it cannot run, by the query field at fault:
# the query model's reasons are English (the English page shows them as they are).
SEARCH_ERRORS_ZH = {
    "q": "搜索词过长或无法解析（最多 500 个字符），请修改后重试。",
    "jurisdictions": "未知的国家或地区代码，请使用 US、DE、EU、UPC 等代码。",
    "chains": "未知的产业链编号。",
    "kinds": "未知的条目类型。",
    "cursor": "翻页链接已失效，请重新搜索。",
}
SEARCH_ERROR_ZH = "无法执行此查询，请修改后重试。"
SEARCH_UNAVAILABLE = {
    "zh": "检索服务暂时不可用，请稍后重试。",
    "en": "Search is unavailable at the moment; please try again shortly.",
}


@router.get("/search")
def search_page(
    request: Request,
    principal: WebPrincipal,
    lang: Lang = None,
    q: str = "",
    country: str = "",
    chain: str = "",
    kind: str = "",
    translate: str = "",
    cursor: str | None = None,
) -> Response:
    """Full-text search with facet filters and highlighted snippets. Parameters are checked
    by the query model (lengths included), so that any problem shows on the page.

    Glossary terms in the text (锂电池, Section 337) are offered with their translations; the
    offer is a link that searches them too (``translate``), and a translated search names
    what it added."""
    lang = _lang(request, lang)
    translated = translate.lower() in ("true", "1", "on")  # the box sends "true"; links too
    error, status = None, 200
    results: dict[str, Any] = {
        "hits": [],
        "total": 0,
        "facets": {},
        "next_cursor": None,
        "ignored": [],
    }
    try:
        results = run_search(
            q=q,
            jurisdictions=[country] if country else None,
            chains=[chain] if chain else None,
            kinds=[kind] if kind else None,
            sort="relevance" if q else "date",
            translate=translated,
            cursor=cursor,
        )
    except BadQuery as exc:
        error = _search_error(exc, lang)
    except SearchUnavailable:  # the page, its form and its language stay; try again later
        error, status = SEARCH_UNAVAILABLE[lang], 503
    return _render(
        request,
        lang,
        "search.html",
        status=status,
        principal=principal,
        q=q,
        country=country,
        chain=chain,
        kind=kind,
        translate=translated,
        glossary=_glossary_offer(q),
        results=results,
        error=error,
    )


def _glossary_offer(q: str) -> list[tuple[str, tuple[str, ...]]]:
    """The query's glossary terms with the terms a translated search adds (none for a
    query the model refuses: the page shows that error instead)."""
    from search.text import glossary_matches

    try:
        return glossary_matches(q)[:MAX_GLOSSARY_OFFERS]
    except ValueError:
        return []


MAX_GLOSSARY_OFFERS = 5


def _search_error(exc: BadQuery, lang: str) -> str:
    """What the search page says about a query it cannot run, in the page's language."""
    if lang == "en":
        return exc.reason.splitlines()[0]
    return SEARCH_ERRORS_ZH.get(exc.field or "", SEARCH_ERROR_ZH)


@router.get("/items/{item_id}")
def item_page(
    item_id: str, request: Request, session: DbSession, principal: WebPrincipal, lang: Lang = None
) -> Response:
    """One item with its tags (items are public records: every signed-in role may read them)."""
    lang = _lang(request, lang)
    row = session.get(Item, item_id)
    if row is None:
        return not_found_page(request, lang, principal)
    return _render(request, lang, "item.html", principal=principal, item=item_to_record(row))


@router.get("/sources")
def sources_page(request: Request, principal: OptionalPrincipal, lang: Lang = None) -> Response:
    """Sources with their freshness and health (public: no sign-in needed)."""
    lang = _lang(request, lang)
    sources = [
        {**row, "reason_text": health_reason_text(row["reason"], lang)} for row in source_statuses()
    ]
    return _render(request, lang, "sources.html", principal=principal, sources=sources)


async def _forbidden(request: Request, exc: Exception) -> Response:
    """A refused web form (a stale or forged CSRF token, a role that may not) gets the 403
    page in the user's language; the API keeps its JSON error."""
    assert isinstance(exc, Forbidden)
    if request.url.path.startswith("/api/"):
        body = error_body(exc.code, exc.message, exc.fields)
        return JSONResponse(body, status_code=exc.status, headers=exc.headers)
    lang = _lang(request, request.query_params.get("lang"))
    csrf = "CSRF" in exc.message
    return _render(
        request,
        lang,
        "forbidden.html",
        status=403,
        role=_session_role(request),
        csrf_failed=csrf,
        back_url=_same_site_referrer(request),
    )


def _session_role(request: Request) -> str | None:
    """The signed-in user's role, for the header of an error page raised before the
    user was loaded."""
    data = read_session(request)
    if data is None:
        return None
    with session_scope() as session:
        user = session.get(User, data.user_id)
        return user.role if user is not None and user.active else None


def _same_site_referrer(request: Request) -> str | None:
    """The page the refused form was on (path and query), if it was on this site."""
    referrer = urlsplit(request.headers.get("referer", ""))
    if referrer.netloc != request.url.netloc or not referrer.path.startswith("/"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def install_web_error_pages(app: FastAPI) -> None:
    """HTML error pages for the web UI (registered after ``install_auth_error_handlers``:
    the more specific exception class wins)."""
    app.add_exception_handler(Forbidden, _forbidden)
