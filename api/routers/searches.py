"""Saved searches: stored queries, listed, created, changed, deleted and run."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import literal, or_, select, tuple_

from api.auth import Principal, audit, visible_enterprise_ids
from api.auth._principal import not_found
from api.deps import DbSession
from api.errors import ERROR_RESPONSES, BadRequest
from api.routers._access import RowId, SearchesWrite, SearchRead, check_owner, owned_or_404
from api.routers.items import _search_errors
from api.schemas import ItemPage, UtcDateTime
from core.models import Enterprise, SavedSearch
from search.errors import BadQuery, SavedSearchExists, SavedSearchInUse
from search.query import SearchQuery
from search.saved import (
    delete_saved_search,
    run_saved_search,
    save_search,
    update_saved_search,
)

router = APIRouter(tags=["saved searches"], responses=ERROR_RESPONSES)

QUERY_EXAMPLE = {"q": "锂电池 337", "jurisdictions": ["US"], "kinds": ["dispute"]}


class SavedSearchIn(BaseModel):
    """A search to save. ``query`` takes the fields of the search query model
    (``q``, ``jurisdictions``, ``chains``, ``kinds``, ``ip_types``, ``sources``, ``party``,
    ``case_ref``, ``since``, ``until``, ``chinese_party``, ``province``, ``city``, ``sort``,
    ``limit``)."""

    name: str = Field(min_length=1, max_length=200, examples=["US lithium-battery disputes"])
    enterprise_id: str | None = Field(default=None, max_length=64)
    query: dict[str, Any] = Field(default_factory=dict, examples=[QUERY_EXAMPLE])


class SavedSearchPatch(BaseModel):
    """Changes to a saved search: a new name and/or a new query."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    query: dict[str, Any] | None = None


class SavedSearchOut(BaseModel):
    """A saved search."""

    id: int
    name: str
    enterprise_id: str | None
    query: dict[str, Any]
    created_at: UtcDateTime


def _out(saved: SavedSearch) -> SavedSearchOut:
    return SavedSearchOut.model_validate(saved, from_attributes=True)


def _query(raw: dict[str, Any]) -> SearchQuery:
    try:
        return SearchQuery(**{k: v for k, v in raw.items() if k != "cursor"})
    except BadQuery as exc:
        field = f"query.{exc.field}" if exc.field else "query"
        raise BadRequest(exc.reason, [{"field": field, "message": exc.reason}]) from exc


class SavedSearchPage(BaseModel):
    """A page of saved searches, by name."""

    searches: list[SavedSearchOut]
    next_cursor: str | None = None


def _load(session: DbSession, principal: Principal, saved_id: RowId) -> SavedSearch:
    """A saved search the caller may see: its enterprise's, or a shared one."""
    saved = session.get(SavedSearch, saved_id)
    owner = saved.enterprise_id if saved is not None else None
    return owned_or_404(principal, saved, owner, "saved search", saved_id)


def _writable(session: DbSession, principal: Principal, saved_id: RowId) -> SavedSearch:
    """A saved search the caller may change: a shared one only when an admin."""
    saved = _load(session, principal, saved_id)
    if saved.enterprise_id is None and not principal.is_admin:
        raise not_found("saved search", saved_id)
    return saved


def _encode_cursor(saved: SavedSearch) -> str:
    raw = json.dumps([saved.name, saved.id], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        name, saved_id = json.loads(raw)
        if isinstance(name, str) and isinstance(saved_id, int):
            return name, saved_id
    except (ValueError, TypeError):
        pass
    message = "not a cursor this list gave"
    raise BadRequest(f"cursor: {message}", [{"field": "cursor", "message": message}])


def _name_taken(exc: SavedSearchExists) -> BadRequest:
    return BadRequest(str(exc), [{"field": "name", "message": str(exc)}])


@router.get("/searches", response_model=SavedSearchPage)
def list_searches(
    session: DbSession,
    principal: SearchRead,
    enterprise: Annotated[str | None, Query(max_length=64, description="Owner.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=400, description="`next_cursor`.")] = None,
) -> SavedSearchPage:
    """The shared saved searches and those of the enterprises the caller may see, by name;
    ``enterprise`` limits them to one owner's."""
    query = select(SavedSearch).order_by(SavedSearch.name, SavedSearch.id).limit(limit + 1)
    visible = visible_enterprise_ids(principal)
    if visible is not None:
        query = query.where(
            or_(SavedSearch.enterprise_id.is_(None), SavedSearch.enterprise_id.in_(sorted(visible)))
        )
    if enterprise is not None:
        query = query.where(SavedSearch.enterprise_id == enterprise)
    if cursor:
        name, last_id = _decode_cursor(cursor)
        query = query.where(
            tuple_(SavedSearch.name, SavedSearch.id) > tuple_(literal(name), literal(last_id))
        )
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return SavedSearchPage(
        searches=[_out(saved) for saved in rows],
        next_cursor=_encode_cursor(rows[-1]) if more and rows else None,
    )


@router.post("/searches", response_model=SavedSearchOut, status_code=201)
def create_search(
    body: SavedSearchIn, session: DbSession, principal: SearchesWrite
) -> SavedSearchOut:
    """Save a query under a name (unique per owner). Shared searches (no ``enterprise_id``)
    are made by admins; another tenant's enterprise is a 404."""
    query = _query(body.query)
    check_owner(principal, body.enterprise_id)
    if body.enterprise_id and session.get(Enterprise, body.enterprise_id) is None:
        message = f"no enterprise {body.enterprise_id!r}"
        raise BadRequest(message, [{"field": "enterprise_id", "message": message}])
    try:
        saved = save_search(session, body.name, query, body.enterprise_id)
    except SavedSearchExists as exc:
        raise _name_taken(exc) from exc
    except BadQuery as exc:
        raise BadRequest(exc.reason, [{"field": "name", "message": exc.reason}]) from exc
    return _out(saved)


@router.get("/searches/{saved_id}", response_model=SavedSearchOut)
def get_search(saved_id: RowId, session: DbSession, principal: SearchRead) -> SavedSearchOut:
    """One saved search."""
    return _out(_load(session, principal, saved_id))


@router.patch("/searches/{saved_id}", response_model=SavedSearchOut)
def change_search(
    saved_id: RowId, body: SavedSearchPatch, session: DbSession, principal: SearchesWrite
) -> SavedSearchOut:
    """Rename a saved search and/or replace its query."""
    saved = _writable(session, principal, saved_id)
    query = _query(body.query) if body.query is not None else None
    try:
        return _out(update_saved_search(session, saved, body.name, query))
    except SavedSearchExists as exc:
        raise _name_taken(exc) from exc


@router.delete("/searches/{saved_id}", status_code=204, response_class=Response)
def delete_search(saved_id: RowId, session: DbSession, principal: SearchesWrite) -> Response:
    """Delete a saved search; one that subscriptions follow is refused (422) and kept."""
    try:
        delete_saved_search(session, _writable(session, principal, saved_id))
    except SavedSearchInUse as exc:
        raise BadRequest(str(exc), [{"field": "saved_id", "message": str(exc)}]) from exc
    audit(session, principal, "saved_search.delete", "saved_search", saved_id)
    return Response(status_code=204)


@router.get("/searches/{saved_id}/run", response_model=ItemPage)
def run_search_by_id(
    saved_id: RowId,
    session: DbSession,
    principal: SearchRead,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> ItemPage:
    """Run a saved search: the same page, facets and cursor as ``GET /items``."""
    saved = _load(session, principal, saved_id)
    with _search_errors():
        results = run_saved_search(saved, limit=limit, cursor=cursor)
    return ItemPage.model_validate(results.model_dump(mode="json"))
