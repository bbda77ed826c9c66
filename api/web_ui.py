"""Web pages per role: the enterprises an advisor serves, an enterprise's profile, its
subscriptions, and an alliance's chain dashboard.

Like every page but ``/login`` and ``/sources``, these need a signed-in user and show only
what the user's tenant may see; an alliance sees only de-identified counts. The forms that
edit a profile or a subscription are in ``api.web_forms``.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from api._web_views import (
    chain_disputes,
    display_name,
    latest_health_checks,
    open_counts,
    visible_enterprises,
)
from api.auth import (
    Principal,
    WebPrincipal,
    aggregates_only,
    can_see_enterprise,
    restrict_to_visible,
    visible_enterprise_ids,
)
from api.deps import DbSession
from api.stats import chain_statistics
from api.web import Lang, _lang, _render, not_found_page
from core.models import Enterprise, Subscription
from core.settings import default_as_of
from core.types import EnterpriseProfile
from tagger.taxonomy import load_taxonomy
from warning.delivery import channel_key
from warning.subscriptions import shared_channel_keys

router = APIRouter(include_in_schema=False)
SUBSCRIPTION_NOTICES = ("saved", "pause", "resume", "delete")


async def _form_fields(request: Request) -> dict[str, Any]:
    """The submitted form: one string per input, and every value of repeated inputs."""
    form = await request.form()  # already read (and cached) by the CSRF check
    single = {k: v for k, v in form.items() if isinstance(v, str)}
    return {"single": single, "chains": [v for v in form.getlist("chains") if isinstance(v, str)]}


FormFields = Annotated[dict[str, Any], Depends(_form_fields)]


def forbidden_page(request: Request, lang: str, principal: Principal | None) -> Response:
    """The 403 page: signed in, but this role may not do this."""
    return _render(
        request,
        lang,
        "forbidden.html",
        status=403,
        principal=principal,
        csrf_failed=False,
        back_url=None,
    )


def may_write(principal: Principal, scope: str) -> bool:
    """Whether the user may change what ``scope`` covers from the web UI (never an
    alliance: it sees counts only)."""
    return scope in principal.scopes and not aggregates_only(principal)


@router.get("/enterprises")
def enterprises_page(
    request: Request, session: DbSession, principal: WebPrincipal, lang: Lang = None
) -> Response:
    """The enterprises the user serves, with open alerts and the latest health-check level."""
    lang = _lang(request, lang)
    if aggregates_only(principal):
        return RedirectResponse("/chain", status_code=303)
    rows = visible_enterprises(session, principal)
    checks = latest_health_checks(session, [e.id for e in rows])
    today = default_as_of()
    enterprises = [
        {
            "id": e.id,
            "name": display_name(e, lang),
            "chains": (e.profile or {}).get("chains", []),
            "check": checks.get(e.id),
            "counts": open_counts(session, principal, e.id, today),
        }
        for e in rows
    ]
    return _render(request, lang, "enterprises.html", principal=principal, enterprises=enterprises)


@router.get("/profile")
def my_profile(session: DbSession, principal: WebPrincipal, lang: Lang = None) -> Response:
    """An exporter's own profile; users who see several enterprises get the list."""
    rows = visible_enterprises(session, principal)
    target = f"/enterprises/{quote(rows[0].id)}" if len(rows) == 1 else "/enterprises"
    return RedirectResponse(target + (f"?lang={lang}" if lang else ""), status_code=303)


@router.get("/enterprises/{enterprise_id}")
def profile_page(
    enterprise_id: str,
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    lang: Lang = None,
) -> Response:
    """One enterprise's profile: names, products, markets, IP assets and watch terms."""
    lang = _lang(request, lang)
    row = session.get(Enterprise, enterprise_id) if len(enterprise_id) <= 64 else None
    if row is None or not can_see_enterprise(principal, row.id):
        return not_found_page(request, lang, principal)
    profile = EnterpriseProfile.stored(row.profile or {"id": row.id, "name": {}})
    check = latest_health_checks(session, [row.id]).get(row.id)
    return _render(
        request,
        lang,
        "profile.html",
        principal=principal,
        p=profile,
        name=display_name(row, lang),
        check=check,
        can_edit=may_write(principal, "enterprises:write"),
        saved=request.query_params.get("saved") == "1",
    )


def _channel_kinds(channels: list[object], shared: set[str]) -> list[dict[str, Any]]:
    """The kind of each delivery channel (``mailto``, ``wecombot``…), and whether another
    subscription names the same address (``shared``: it gets each alert once): the URLs
    themselves may carry tokens and are not shown."""
    kinds = []
    for channel in channels:
        text = str(channel.get("url", "") if isinstance(channel, dict) else channel)
        kind = text.split(":", 1)[0].lower() if ":" in text else "?"
        kinds.append({"kind": kind, "shared": channel_key(text) in shared})
    return kinds


@router.get("/subscriptions")
def subscriptions_page(
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    lang: Lang = None,
) -> Response:
    """The subscriptions of the user's enterprises: what is sent, how often, by which channel."""
    lang = _lang(request, lang)
    if aggregates_only(principal):
        return RedirectResponse("/chain", status_code=303)
    query = restrict_to_visible(select(Subscription), Subscription.enterprise_id, principal)
    rows = list(session.scalars(query.order_by(Subscription.id)))
    names = {e.id: display_name(e, lang) for e in visible_enterprises(session, principal)}
    visible = visible_enterprise_ids(principal)  # "shared" names no subscription they cannot see
    subscriptions = [
        {
            "row": s,
            "enterprise": names.get(s.enterprise_id or "", "—"),
            "channels": _channel_kinds(
                list(s.channels or []), shared_channel_keys(session, s, visible)
            ),
            "editable": s.enterprise_id is not None or principal.is_admin,
        }
        for s in rows
    ]
    done = request.query_params.get("done") or (
        "saved" if request.query_params.get("saved") else ""
    )
    return _render(
        request,
        lang,
        "subscriptions.html",
        principal=principal,
        subscriptions=subscriptions,
        can_edit=may_write(principal, "subscriptions:write"),
        notice=done if done in SUBSCRIPTION_NOTICES else "",
    )


@router.get("/chain")
def chain_page(
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    lang: Lang = None,
    chain: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    """The chain dashboard: disputes over time, countries and top risks, as counts only."""
    lang = _lang(request, lang)
    mine = list(principal.chains) if not principal.is_admin else load_taxonomy().chain_ids()
    if not mine:
        return not_found_page(request, lang, principal)
    selected = [chain] if chain in mine else mine[:1] if principal.is_admin else mine
    return _render(
        request,
        lang,
        "chain.html",
        principal=principal,
        chains=mine,
        selected=selected,
        chain_param=chain or "",
        disputes=chain_disputes(session, selected),
        stats=chain_statistics(session, selected),
    )
