"""Enterprise profiles: the same schema and the same validation messages as the file import."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import select

from api.deps import DbSession
from api.errors import BadRequest, NotFound
from core.models import Enterprise
from core.types import EnterpriseProfile
from warning.profiles import ProfileError, parse_profiles
from warning.store import ProfileNotFound, delete_profile, get_profile, save_profiles

router = APIRouter(tags=["enterprises"])

_MAX_BODY = 5_000_000
_ONE = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": EnterpriseProfile.model_json_schema()},
            "application/yaml": {"schema": EnterpriseProfile.model_json_schema()},
        },
    }
}
_MANY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/yaml": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {"type": "array", "items": EnterpriseProfile.model_json_schema()}
            },
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
    body = await request.body()
    if len(body) > _MAX_BODY:
        raise BadRequest(f"request body over {_MAX_BODY} bytes")
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


@router.get("/enterprises", response_model=EnterprisePage)
def list_enterprises(
    session: DbSession,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=64, description="`next_cursor`.")] = None,
) -> EnterprisePage:
    """Profiles ordered by id."""
    query = select(Enterprise).order_by(Enterprise.id).limit(limit + 1)
    if cursor:
        query = query.where(Enterprise.id > cursor)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return EnterprisePage(
        enterprises=[EnterpriseProfile.model_validate(r.profile) for r in rows],
        next_cursor=rows[-1].id if more and rows else None,
    )


@router.get("/enterprises/{enterprise_id}", response_model=EnterpriseProfile)
def read_enterprise(session: DbSession, enterprise_id: str) -> EnterpriseProfile:
    """One profile."""
    try:
        return get_profile(session, enterprise_id)
    except ProfileNotFound as exc:
        raise NotFound(str(exc.args[0])) from exc


@router.post("/enterprises", response_model=EnterpriseProfile, status_code=201, openapi_extra=_ONE)
def create_enterprise(session: DbSession, body: BodyText) -> EnterpriseProfile:
    """Create a profile (JSON or YAML); 422 naming the field and line when invalid, 409-like
    422 when the id exists (use PUT to replace)."""
    profile = _one(body)
    if session.get(Enterprise, profile.id) is not None:
        raise BadRequest(
            f"enterprise {profile.id!r} exists; use PUT to replace it",
            [{"field": "id", "message": "already exists"}],
        )
    save_profiles(session, [profile])
    return profile


@router.put("/enterprises/{enterprise_id}", response_model=EnterpriseProfile, openapi_extra=_ONE)
def replace_enterprise(session: DbSession, enterprise_id: str, body: BodyText) -> EnterpriseProfile:
    """Create or replace the profile with this id."""
    profile = _one(body, enterprise_id)
    save_profiles(session, [profile])
    return profile


@router.delete("/enterprises/{enterprise_id}", status_code=204)
def remove_enterprise(session: DbSession, enterprise_id: str) -> Response:
    """Delete a profile and its alerts."""
    try:
        delete_profile(session, enterprise_id)
    except ProfileNotFound as exc:
        raise NotFound(str(exc.args[0])) from exc
    return Response(status_code=204)


@router.post(
    "/enterprises/import", response_model=ImportResult, status_code=201, openapi_extra=_MANY
)
def import_enterprises(session: DbSession, body: BodyText) -> ImportResult:
    """Validate and store one or many profiles (a profile file's content, YAML or JSON)."""
    return ImportResult(imported=save_profiles(session, _parse(body)))
