"""The subscription forms: create, edit, pause, resume and delete (see ``api.web_forms``).

A subscription is saved in two steps: "Save" first shows the volume estimate (alerts per
day over the last 100 days, as ``POST /api/v1/subscriptions/estimate`` gives it) and asks
to confirm; only a confirmation of the very values estimated saves. Channel URLs are shown
with their secrets hidden; a line sent back unchanged keeps the stored URL.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from api._web_forms import (
    FormState,
    Problem,
    error_messages,
    subscription_form,
    subscription_from_form,
)
from api._web_views import display_name, visible_enterprises
from api.auth import (
    Principal,
    WebPrincipal,
    audit,
    can_see_enterprise,
    visible_enterprise_ids,
)
from api.deps import DbSession
from api.routers.subscriptions import feed_urls
from api.web import Lang, _lang, _render, not_found_page
from api.web_ui import FormFields, forbidden_page, may_write
from core.models import Enterprise, SavedSearch, Subscription
from core.types import Severity
from reports.jinja import load_catalog
from warning.delivery_pause import set_active
from warning.subscription_removal import remove_subscription
from warning.subscriptions import (
    SubscriptionError,
    SubscriptionSpec,
    VolumeEstimate,
    create_subscription,
    estimate_volume,
)

router = APIRouter(include_in_schema=False)

SEVERITIES = [s.value for s in Severity]
FREQUENCIES = ("instant", "daily", "weekly")


def _enterprise_options(session: Session, principal: Principal, lang: str) -> list[tuple[str, str]]:
    return [(e.id, display_name(e, lang)) for e in visible_enterprises(session, principal)]


def _saved_search_options(session: Session, principal: Principal) -> list[tuple[str, str]]:
    """The saved searches a subscription may use: the user's enterprises' and shared ones."""
    query = select(SavedSearch).order_by(SavedSearch.name, SavedSearch.id)
    visible = visible_enterprise_ids(principal)
    if visible is not None:
        query = query.where(
            or_(SavedSearch.enterprise_id.is_(None), SavedSearch.enterprise_id.in_(sorted(visible)))
        )
    return [(str(s.id), s.name) for s in session.scalars(query)]


def _fingerprint(spec: SubscriptionSpec) -> str:
    """Names the values a volume estimate was made for (a changed form is estimated again)."""
    text = json.dumps(spec.model_dump(mode="json"), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _subscription_page(
    request: Request,
    lang: str,
    principal: Principal,
    session: Session,
    state: FormState,
    subscription_id: int | None = None,
    estimate: VolumeEstimate | None = None,
    confirm: str = "",
    status: int = 200,
) -> Response:
    return _render(
        request,
        lang,
        "subscription_edit.html",
        status=status,
        principal=principal,
        subscription_id=subscription_id,
        form=state,
        errors=error_messages(state, load_catalog(lang)),
        enterprises=_enterprise_options(session, principal, lang),
        saved_searches=_saved_search_options(session, principal),
        principal_is_admin=principal.is_admin,
        severities=SEVERITIES,
        frequencies=FREQUENCIES,
        estimate=estimate.to_dict(lang) if estimate else None,
        confirm=confirm,
    )


def _editable_subscription(
    session: Session, principal: Principal, subscription_id: str
) -> Subscription | None:
    """A subscription of one of the user's enterprises; shared ones are for admins (an id
    that is not a row id, like one of another tenant's, is the 404 page)."""
    digits = subscription_id.isascii() and subscription_id.isdigit() and len(subscription_id) < 11
    number = int(subscription_id) if digits else 0
    row = session.get(Subscription, number) if 0 < number < 2**31 else None
    if row is None:
        return None
    if row.enterprise_id is None:
        return row if principal.is_admin else None
    return row if can_see_enterprise(principal, row.enterprise_id) else None


def _editable_subscription_or_page(
    request: Request, lang: str, session: Session, principal: Principal, subscription_id: str
) -> Subscription | Response:
    """The subscription this user may edit, or the page that says why not: 403 without
    write access, 404 for a missing or another tenant's one."""
    if not may_write(principal, "subscriptions:write"):
        return forbidden_page(request, lang, principal)
    row = _editable_subscription(session, principal, subscription_id)
    return not_found_page(request, lang, principal) if row is None else row


@router.get("/subscriptions/new")
def new_subscription_form(
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    lang: Lang = None,
    enterprise: str = "",
) -> Response:
    """An empty subscription form (for one of the user's enterprises)."""
    lang = _lang(request, lang)
    if not may_write(principal, "subscriptions:write"):
        return forbidden_page(request, lang, principal)
    options = _enterprise_options(session, principal, lang)
    default = enterprise if enterprise in dict(options) else (options[0][0] if options else "")
    state = subscription_form(None, default, lang)
    return _subscription_page(request, lang, principal, session, state)


def _check_spec(
    session: Session, principal: Principal, spec: SubscriptionSpec, state: FormState
) -> bool:
    """The enterprise chosen must be one of the user's (an unknown one is a form problem)."""
    wanted = spec.enterprise_id
    if wanted is not None and (
        session.get(Enterprise, wanted) is None or not can_see_enterprise(principal, wanted)
    ):
        state.errors["enterprise_id"] = Problem("form_error_enterprise", "no such enterprise")
    if wanted is None and not principal.is_admin:
        state.errors["enterprise_id"] = Problem("form_error_missing", "Field required")
    if spec.saved_search_id is not None:
        options = dict(_saved_search_options(session, principal))
        if str(spec.saved_search_id) not in options:
            state.errors["saved_search_id"] = Problem(
                "form_error_literal_error", "no such saved search"
            )
    return not state.errors


@router.post("/subscriptions/new")
def create_subscription_form(
    request: Request, session: DbSession, principal: WebPrincipal, fields: FormFields
) -> Response:
    """Estimate, then (confirmed) create the subscription; its feed token is shown once."""
    lang = _lang(request, None)
    if not may_write(principal, "subscriptions:write"):
        return forbidden_page(request, lang, principal)
    form: dict[str, str] = fields["single"]
    spec, state = subscription_from_form(form)
    if spec is None or not _check_spec(session, principal, spec, state):
        return _subscription_page(request, lang, principal, session, state, status=422)
    try:
        estimate = estimate_volume(session, spec)
    except SubscriptionError as exc:
        return _spec_problem(request, lang, principal, session, state, exc)
    fingerprint = _fingerprint(spec)
    if form.get("confirm") != fingerprint:
        return _subscription_page(
            request, lang, principal, session, state, None, estimate, fingerprint
        )
    created = create_subscription(session, spec)
    audit(session, principal, "subscription.create", "subscription", created.row.id)
    session.commit()
    return _render(
        request,
        lang,
        "subscription_created.html",
        principal=principal,
        row=created.row,
        feeds=feed_urls(created.row.id, created.feed_token),
        estimate=created.estimate.to_dict(lang),
    )


def _spec_problem(
    request: Request,
    lang: str,
    principal: Principal,
    session: Session,
    state: FormState,
    exc: SubscriptionError,
    subscription_id: int | None = None,
) -> Response:
    name, _, message = str(exc).partition(":")
    state.errors[name if name in state.values else "form"] = Problem(
        "form_error_value_error", message.strip() or str(exc)
    )
    return _subscription_page(request, lang, principal, session, state, subscription_id, status=422)


@router.get("/subscriptions/{subscription_id}/edit")
def edit_subscription_form(
    subscription_id: str,
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    lang: Lang = None,
) -> Response:
    """The subscription's form, filled in (channel URLs with their secrets hidden)."""
    lang = _lang(request, lang)
    row = _editable_subscription_or_page(request, lang, session, principal, subscription_id)
    if isinstance(row, Response):
        return row
    state = subscription_form(_row_values(row))
    return _subscription_page(request, lang, principal, session, state, row.id)


def _row_values(row: Subscription) -> dict[str, Any]:
    return {
        "name": row.name,
        "enterprise_id": row.enterprise_id,
        "saved_search_id": row.saved_search_id,
        "min_severity": row.min_severity,
        "frequency": row.frequency,
        "channels": list(row.channels or []),
        "owner_contact": row.owner_contact,
        "language": row.language,
    }


def _apply(row: Subscription, spec: SubscriptionSpec) -> list[str]:
    """Write the spec's values onto the row; the names of the fields that changed."""
    new = {
        "name": spec.name.strip(),
        "enterprise_id": spec.enterprise_id,
        "saved_search_id": spec.saved_search_id,
        "min_severity": spec.min_severity.value,
        "frequency": spec.frequency,
        "channels": list(spec.channels),
        "owner_contact": spec.owner_contact,
        "language": spec.language,
    }
    changed = [k for k, v in new.items() if getattr(row, k) != v]
    for name in changed:
        setattr(row, name, new[name])
    return changed


@router.post("/subscriptions/{subscription_id}/edit")
def save_subscription(
    subscription_id: str,
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    fields: FormFields,
) -> Response:
    """Estimate, then (confirmed) store the changed subscription."""
    lang = _lang(request, None)
    row = _editable_subscription_or_page(request, lang, session, principal, subscription_id)
    if isinstance(row, Response):
        return row
    form: dict[str, str] = fields["single"]
    spec, state = subscription_from_form(form, list(row.channels or []), row.owner_contact)
    if spec is None or not _check_spec(session, principal, spec, state):
        return _subscription_page(request, lang, principal, session, state, row.id, status=422)
    try:
        estimate = estimate_volume(session, spec)
    except SubscriptionError as exc:
        return _spec_problem(request, lang, principal, session, state, exc, row.id)
    fingerprint = _fingerprint(spec)
    if form.get("confirm") != fingerprint:
        return _subscription_page(
            request, lang, principal, session, state, row.id, estimate, fingerprint
        )
    changed = _apply(row, spec)
    session.flush()
    audit(session, principal, "subscription.change", "subscription", row.id, {"fields": changed})
    session.commit()
    return RedirectResponse("/subscriptions?saved=1", status_code=303)


@router.get("/subscriptions/{subscription_id}/delete")
def confirm_delete_subscription(
    subscription_id: str,
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
    lang: Lang = None,
) -> Response:
    """Asks before deleting: a deleted subscription and its feed addresses are gone."""
    lang = _lang(request, lang)
    row = _editable_subscription_or_page(request, lang, session, principal, subscription_id)
    if isinstance(row, Response):
        return row
    return _render(request, lang, "subscription_delete.html", principal=principal, row=row)


SUBSCRIPTION_ACTIONS = {"pause": False, "resume": True}


@router.post("/subscriptions/{subscription_id}/{action}")
def subscription_action(
    subscription_id: str,
    action: str,
    request: Request,
    session: DbSession,
    principal: WebPrincipal,
) -> Response:
    """Pause, resume or delete a subscription."""
    lang = _lang(request, None)
    if not may_write(principal, "subscriptions:write"):
        return forbidden_page(request, lang, principal)
    row = _editable_subscription(session, principal, subscription_id)
    if row is None or (action not in SUBSCRIPTION_ACTIONS and action != "delete"):
        return not_found_page(request, lang, principal)
    if action == "delete":
        deleted_id = row.id
        remove_subscription(session, deleted_id)
        audit(session, principal, "subscription.delete", "subscription", deleted_id)
    else:
        set_active(session, row, SUBSCRIPTION_ACTIONS[action])
        detail = {"active": row.active}
        audit(session, principal, "subscription.change", "subscription", row.id, detail)
    session.commit()
    return RedirectResponse(f"/subscriptions?done={action}", status_code=303)
