"""Web forms that change data: an enterprise's profile here, its subscriptions in
``api.web_subscriptions`` (included in this module's router).

The same validation, services and audit entries as the API (``EnterpriseProfile``,
``warning.subscriptions``, ``enterprise.save`` / ``subscription.create|change|delete``),
behind the session's CSRF token (checked by ``WebPrincipal``). Exporters edit their own
enterprise, advisors the ones they serve, admins any; alliances edit nothing. Another
tenant's id gets the 404 page. A form with a problem comes back filled in, each problem
next to its input, in the user's language. Plain HTML forms: no script is needed.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from api import web_subscriptions
from api._web_forms import (
    IP_TYPES,
    ROW_FIELDS,
    FormState,
    error_messages,
    profile_form,
    profile_from_form,
)
from api._web_views import display_name
from api.auth import (
    Principal,
    WebPrincipal,
    audit,
    can_see_enterprise,
)
from api.deps import DbSession
from api.web import Lang, _lang, _render, not_found_page
from api.web_ui import FormFields, forbidden_page, may_write
from core.models import Enterprise
from core.profile_codes import place_name_max_length
from core.types import EnterpriseProfile
from reports.jinja import load_catalog
from tagger.taxonomy import chain_ids
from warning.store import save_profiles

router = APIRouter(include_in_schema=False)


def _editable_enterprise(
    session: Session, principal: Principal, enterprise_id: str
) -> Enterprise | None:
    row = session.get(Enterprise, enterprise_id) if len(enterprise_id) <= 64 else None
    if row is None or not can_see_enterprise(principal, row.id):
        return None
    return row


def _editable_enterprise_or_page(
    request: Request, lang: str, session: Session, principal: Principal, enterprise_id: str
) -> Enterprise | Response:
    """The enterprise this user may edit, or the page that says why not: 403 without
    write access, 404 for a missing or another tenant's one."""
    if not may_write(principal, "enterprises:write"):
        return forbidden_page(request, lang, principal)
    row = _editable_enterprise(session, principal, enterprise_id)
    return not_found_page(request, lang, principal) if row is None else row


def _profile_page(
    request: Request,
    lang: str,
    principal: Principal,
    row: Enterprise,
    state: FormState,
    status: int = 200,
) -> Response:
    return _render(
        request,
        lang,
        "profile_edit.html",
        status=status,
        principal=principal,
        enterprise_id=row.id,
        name=display_name(row, lang),
        form=state,
        errors=error_messages(state, load_catalog(lang)),
        all_chains=chain_ids(),
        ip_types=IP_TYPES,
        row_fields=ROW_FIELDS,
        place_max_length=place_name_max_length(),
    )


@router.get("/enterprises/{enterprise_id}/edit")
def edit_profile_form(
    enterprise_id: str,
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    lang: Lang = None,
) -> Response:
    """The profile form, filled with the stored profile."""
    lang = _lang(request, lang)
    row = _editable_enterprise_or_page(request, lang, session, principal, enterprise_id)
    if isinstance(row, Response):
        return row
    profile = EnterpriseProfile.stored(row.profile or {"id": row.id, "name": {}})
    return _profile_page(request, lang, principal, row, profile_form(profile))


@router.post("/enterprises/{enterprise_id}/edit")
def save_profile(
    enterprise_id: str,
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    fields: FormFields,
) -> Response:
    """Validate and store the profile; with a problem, the form again (422), filled in."""
    lang = _lang(request, None)
    row = _editable_enterprise_or_page(request, lang, session, principal, enterprise_id)
    if isinstance(row, Response):
        return row
    profile, state = profile_from_form(row.id, fields["single"], fields["chains"], chain_ids())
    if profile is None:
        return _profile_page(request, lang, principal, row, state, status=422)
    save_profiles(session, [profile])
    audit(session, principal, "enterprise.save", "enterprise", row.id)
    session.commit()  # before the redirect is followed
    return RedirectResponse(f"/enterprises/{quote(row.id)}?saved=1", status_code=303)


router.include_router(web_subscriptions.router)
