"""Enterprise profiles: the same schema and the same validation messages as the file import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import (
    Principal,
    assign_enterprise,
    audit,
    can_see_enterprise,
    enterprise_or_404,
    restrict_to_visible,
)
from api.auth._principal import not_found
from api.deps import DbSession
from api.errors import ERROR_RESPONSES, BadRequest
from api.routers._access import EnterprisesRead, EnterprisesWrite
from core.models import Enterprise, OrgEnterprise
from core.types import EnterpriseProfile
from warning.profiles import ProfileError, parse_profiles
from warning.store import delete_profile, save_profiles

router = APIRouter(tags=["enterprises"], responses=ERROR_RESPONSES)

_PROFILE_REF = {"$ref": "#/components/schemas/EnterpriseProfile"}
"""The profile model, registered in the schema's components by ``EnterprisePage``."""
_ONE = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _PROFILE_REF},
            "application/yaml": {"schema": _PROFILE_REF},
        },
    }
}
_MANY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "array", "items": _PROFILE_REF}},
        },
    }
}


class EnterprisePage(BaseModel):
    """A page of profiles, by id."""

    enterprises: list[EnterpriseProfile]
    next_cursor: str | None = None


class ImportResult(BaseModel):
    """What an import stored."""

    imported: list[str]


async def _body_text(request: Request) -> str:
    body = await request.body()  # api.body_limit caps its size (413)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest("request body is not UTF-8") from exc


BodyText = Annotated[str, Depends(_body_text)]


def _parse(text: str) -> list[EnterpriseProfile]:
    try:
        return parse_profiles(text, "request body")
    except ProfileError as exc:
        fields: list[dict[str, Any]] = exc.problems
        raise BadRequest(str(exc), fields) from exc


def _one(text: str, enterprise_id: str | None = None) -> EnterpriseProfile:
    profiles = _parse(text)
    if len(profiles) != 1:
        raise BadRequest(f"request body: expected one profile, got {len(profiles)}")
    profile = profiles[0]
    if enterprise_id is not None and profile.id != enterprise_id:
        raise BadRequest(
            f"request body: id {profile.id!r} differs from the URL's {enterprise_id!r}",
            [{"field": "id", "message": "must equal the id in the URL"}],
        )
    return profile


def _claimable(session: Session, principal: Principal, enterprise_id: str) -> bool:
    """May the caller create this id? Not when it exists unseen, or another organisation
    holds it (an admin may assign an enterprise before its profile is imported)."""
    if principal.is_admin or can_see_enterprise(principal, enterprise_id):
        return True
    if session.get(Enterprise, enterprise_id) is not None:
        return False
    holders = session.scalars(
        select(OrgEnterprise.org_id).where(OrgEnterprise.enterprise_id == enterprise_id)
    )
    return all(org == principal.org_id for org in holders)


def _store(session: Session, principal: Principal, profiles: list[EnterpriseProfile]) -> list[str]:
    """Store profiles the caller may write (all or none); a new one is assigned to the
    caller's organisation in the same transaction, so it sees what it made."""
    for profile in profiles:
        if not _claimable(session, principal, profile.id):
            raise not_found("enterprise", profile.id)
    ids = save_profiles(session, profiles)
    for enterprise_id in ids:
        audit(session, principal, "enterprise.save", "enterprise", enterprise_id)
    if not principal.is_admin:
        for enterprise_id in ids:
            assign_enterprise(session, principal.org_id, enterprise_id)
    return ids


@router.get("/enterprises", response_model=EnterprisePage)
def list_enterprises(
    session: DbSession,
    principal: EnterprisesRead,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=64, description="`next_cursor`.")] = None,
) -> EnterprisePage:
    """The profiles the caller may see, ordered by id."""
    query = select(Enterprise).order_by(Enterprise.id).limit(limit + 1)
    query = restrict_to_visible(query, Enterprise.id, principal)
    if cursor:
        query = query.where(Enterprise.id > cursor)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return EnterprisePage(
        enterprises=[EnterpriseProfile.stored(r.profile) for r in rows],
        next_cursor=rows[-1].id if more and rows else None,
    )


@router.get("/enterprises/{enterprise_id}", response_model=EnterpriseProfile)
def read_enterprise(
    session: DbSession, principal: EnterprisesRead, enterprise_id: str
) -> EnterpriseProfile:
    """One profile."""
    return EnterpriseProfile.stored(enterprise_or_404(session, principal, enterprise_id).profile)


@router.post("/enterprises", response_model=EnterpriseProfile, status_code=201, openapi_extra=_ONE)
def create_enterprise(
    session: DbSession, principal: EnterprisesWrite, body: BodyText
) -> EnterpriseProfile:
    """Create a profile (JSON or YAML); 422 naming the field and line when invalid, 422
    when the id exists (use PUT to replace). Another tenant's id is a 404."""
    profile = _one(body)
    if not _claimable(session, principal, profile.id):
        raise not_found("enterprise", profile.id)
    if session.get(Enterprise, profile.id) is not None:
        raise BadRequest(
            f"enterprise {profile.id!r} exists; use PUT to replace it",
            [{"field": "id", "message": "already exists"}],
        )
    _store(session, principal, [profile])
    return profile


@router.put("/enterprises/{enterprise_id}", response_model=EnterpriseProfile, openapi_extra=_ONE)
def replace_enterprise(
    session: DbSession, principal: EnterprisesWrite, enterprise_id: str, body: BodyText
) -> EnterpriseProfile:
    """Create or replace the profile with this id."""
    if not _claimable(session, principal, enterprise_id):
        raise not_found("enterprise", enterprise_id)
    profile = _one(body, enterprise_id)
    _store(session, principal, [profile])
    return profile


@router.delete("/enterprises/{enterprise_id}", status_code=204, response_class=Response)
def remove_enterprise(
    session: DbSession, principal: EnterprisesWrite, enterprise_id: str
) -> Response:
    """Delete a profile and its alerts."""
    enterprise_or_404(session, principal, enterprise_id)
    delete_profile(session, enterprise_id)
    audit(session, principal, "enterprise.delete", "enterprise", enterprise_id)
    return Response(status_code=204)


@router.post(
    "/enterprises/import", response_model=ImportResult, status_code=201, openapi_extra=_MANY
)
def import_enterprises(
    session: DbSession, principal: EnterprisesWrite, body: BodyText
) -> ImportResult:
    """Validate and store one or many profiles (a profile file's content, YAML or JSON).
    All or nothing: one invalid profile, or one id of another tenant's, stores none."""
    return ImportResult(imported=_store(session, principal, _parse(body)))
