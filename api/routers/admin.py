"""Administration (admins only): organisations, users, enterprise assignments, API keys and
the audit log. Every change is audited; an API key's plaintext is returned once only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import (
    AdminPrincipal,
    Role,
    assign_enterprise,
    audit,
    client_ip,
    create_api_key,
    create_org,
    create_user,
    require_role,
    revoke_api_key,
    unassign_enterprise,
)
from api.auth._schemas import (
    ApiKeyCreated,
    ApiKeyIn,
    ApiKeyOut,
    AssignmentOut,
    AuditOut,
    AuditPage,
    OrgIn,
    OrgOut,
    UserIn,
    UserOut,
    UserPatch,
)
from api.deps import DbSession
from api.errors import ERROR_RESPONSES, BadRequest, NotFound
from api.routers._access import MAX_ID, RowId
from core.models import ApiKey, AuditEntry, Organisation, OrgEnterprise, User

router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(require_role(Role.ADMIN))],
    responses=ERROR_RESPONSES,
)

T = TypeVar("T")
OrgFilter = Annotated[str | None, Query(max_length=64, alias="org")]


def _org_or_404(session: Session, org_id: str) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"organisation {org_id!r} not found")
    return org


class OrgPage(BaseModel):
    """A page of organisations, by id."""

    orgs: list[OrgOut]
    next_cursor: str | None = None


class UserPage(BaseModel):
    """A page of users, by id."""

    users: list[UserOut]
    next_cursor: str | None = None


class AssignmentPage(BaseModel):
    """A page of an organisation's enterprises, by enterprise id."""

    assignments: list[AssignmentOut]
    next_cursor: str | None = None


class ApiKeyPage(BaseModel):
    """A page of API keys, by id."""

    keys: list[ApiKeyOut]
    next_cursor: str | None = None


Limit = Annotated[int, Query(ge=1, le=500)]
TextCursor = Annotated[str | None, Query(max_length=64, description="`next_cursor`.")]
IdCursor = Annotated[int | None, Query(ge=0, le=MAX_ID, description="`next_cursor`.")]


def _page(rows: list[T], limit: int, key: Callable[[T], object]) -> tuple[list[T], str | None]:
    """The first ``limit`` rows and the cursor to the rest (``None`` when there is none)."""
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, str(key(rows[-1])) if more and rows else None


@router.get("/orgs", response_model=OrgPage)
def list_orgs(session: DbSession, limit: Limit = 100, cursor: TextCursor = None) -> OrgPage:
    """Every organisation."""
    query = select(Organisation).order_by(Organisation.id).limit(limit + 1)
    if cursor:
        query = query.where(Organisation.id > cursor)
    rows, next_cursor = _page(list(session.scalars(query)), limit, lambda r: r.id)
    return OrgPage(orgs=[OrgOut.model_validate(r) for r in rows], next_cursor=next_cursor)


@router.post("/orgs", response_model=OrgOut, status_code=201)
def add_org(body: OrgIn, principal: AdminPrincipal, request: Request, session: DbSession) -> OrgOut:
    """Create an organisation."""
    try:
        org = create_org(session, body.id, body.kind, body.name_zh, body.name_en, body.chains)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    audit(session, principal, "org.create", "organisation", org.id, {"kind": org.kind},
          ip=client_ip(request), org_id=org.id)  # fmt: skip
    return OrgOut.model_validate(org)


@router.get("/users", response_model=UserPage)
def list_users(
    session: DbSession, org: OrgFilter = None, limit: Limit = 100, cursor: IdCursor = None
) -> UserPage:
    """Users, optionally of one organisation."""
    query = select(User).order_by(User.id).limit(limit + 1)
    if org:
        query = query.where(User.org_id == org)
    if cursor is not None:
        query = query.where(User.id > cursor)
    rows, next_cursor = _page(list(session.scalars(query)), limit, lambda r: r.id)
    return UserPage(users=[UserOut.model_validate(u) for u in rows], next_cursor=next_cursor)


@router.post("/users", response_model=UserOut, status_code=201)
def add_user(
    body: UserIn, principal: AdminPrincipal, request: Request, session: DbSession
) -> UserOut:
    """Create a user (the password is hashed with Argon2; it is never stored or shown)."""
    try:
        user = create_user(
            session, body.email, body.password, body.org_id, body.role, body.display_name
        )
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    audit(session, principal, "user.create", "user", user.id,
          {"email": user.email, "role": user.role}, ip=client_ip(request), org_id=user.org_id)  # fmt: skip
    return UserOut.model_validate(user)


@router.patch("/users/{user_id}", response_model=UserOut)
def update_user(
    user_id: RowId, body: UserPatch, principal: AdminPrincipal, request: Request, session: DbSession
) -> UserOut:
    """Deactivate or reactivate a user, or rename them."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    changes = body.model_dump(exclude_none=True)
    for field, value in changes.items():
        setattr(user, field, value)
    session.flush()
    audit(session, principal, "user.update", "user", user.id, changes,
          ip=client_ip(request), org_id=user.org_id)  # fmt: skip
    return UserOut.model_validate(user)


@router.get("/orgs/{org_id}/enterprises", response_model=AssignmentPage)
def list_assignments(
    org_id: str, session: DbSession, limit: Limit = 100, cursor: TextCursor = None
) -> AssignmentPage:
    """The enterprises an organisation may see."""
    _org_or_404(session, org_id)
    query = (
        select(OrgEnterprise)
        .where(OrgEnterprise.org_id == org_id)
        .order_by(OrgEnterprise.enterprise_id)
        .limit(limit + 1)
    )
    if cursor:
        query = query.where(OrgEnterprise.enterprise_id > cursor)
    rows, next_cursor = _page(list(session.scalars(query)), limit, lambda r: r.enterprise_id)
    return AssignmentPage(
        assignments=[AssignmentOut.model_validate(r) for r in rows], next_cursor=next_cursor
    )


@router.put("/orgs/{org_id}/enterprises/{enterprise_id}", response_model=AssignmentOut)
def put_assignment(
    org_id: str,
    enterprise_id: str,
    principal: AdminPrincipal,
    request: Request,
    session: DbSession,
    relation: Annotated[str | None, Query(pattern="^(owner|advised)$")] = None,
) -> AssignmentOut:
    """Let an organisation see an enterprise (idempotent)."""
    _org_or_404(session, org_id)
    try:
        row = assign_enterprise(session, org_id, enterprise_id, relation)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    audit(session, principal, "org.assign", "enterprise", enterprise_id,
          {"relation": row.relation}, ip=client_ip(request), org_id=org_id)  # fmt: skip
    return AssignmentOut.model_validate(row)


@router.delete("/orgs/{org_id}/enterprises/{enterprise_id}", status_code=204)
def delete_assignment(
    org_id: str, enterprise_id: str, principal: AdminPrincipal, request: Request, session: DbSession
) -> Response:
    """Withdraw an organisation's view of an enterprise."""
    if not unassign_enterprise(session, org_id, enterprise_id):
        raise NotFound(f"organisation {org_id!r} is not assigned {enterprise_id!r}")
    audit(session, principal, "org.unassign", "enterprise", enterprise_id,
          ip=client_ip(request), org_id=org_id)  # fmt: skip
    return Response(status_code=204)


@router.get("/keys", response_model=ApiKeyPage)
def list_keys(
    session: DbSession, org: OrgFilter = None, limit: Limit = 100, cursor: IdCursor = None
) -> ApiKeyPage:
    """API keys (prefix and metadata only: the keys themselves are not stored)."""
    query = select(ApiKey).order_by(ApiKey.id).limit(limit + 1)
    if org:
        query = query.where(ApiKey.org_id == org)
    if cursor is not None:
        query = query.where(ApiKey.id > cursor)
    rows, next_cursor = _page(list(session.scalars(query)), limit, lambda r: r.id)
    return ApiKeyPage(keys=[ApiKeyOut.model_validate(k) for k in rows], next_cursor=next_cursor)


@router.post("/keys", response_model=ApiKeyCreated, status_code=201)
def add_key(
    body: ApiKeyIn, principal: AdminPrincipal, request: Request, session: DbSession
) -> ApiKeyCreated:
    """Create an API key. ``key`` is in this response only: store it now."""
    try:
        new = create_api_key(session, body.org_id, body.name, body.scopes, body.user_id)
    except ValueError as exc:
        raise BadRequest(str(exc)) from None
    audit(session, principal, "api_key.create", "api_key", new.row.id,
          {"name": new.row.name, "prefix": new.row.prefix, "scopes": new.row.scopes},
          ip=client_ip(request), org_id=new.row.org_id)  # fmt: skip
    listed = ApiKeyOut.model_validate(new.row)
    return ApiKeyCreated(**listed.model_dump(), key=new.plaintext)


@router.delete("/keys/{key_id}", response_model=ApiKeyOut)
def delete_key(
    key_id: RowId, principal: AdminPrincipal, request: Request, session: DbSession
) -> ApiKeyOut:
    """Revoke a key: it stops working at once; the record stays for the audit trail."""
    row = revoke_api_key(session, key_id)
    if row is None:
        raise NotFound(f"API key {key_id} not found")
    audit(session, principal, "api_key.revoke", "api_key", row.id, {"prefix": row.prefix},
          ip=client_ip(request), org_id=row.org_id)  # fmt: skip
    return ApiKeyOut.model_validate(row)


@router.get("/audit", response_model=AuditPage)
def list_audit(
    session: DbSession,
    org: OrgFilter = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="`next_cursor` of the previous page.")
    ] = None,
) -> AuditPage:
    """The audit log, newest first."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit + 1)
    if org:
        query = query.where(AuditEntry.org_id == org)
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if cursor is not None:
        query = query.where(AuditEntry.id < cursor)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPage(
        entries=[AuditOut.model_validate(r) for r in rows],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )
