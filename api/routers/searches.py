"""Saved searches: stored queries, listed, created, changed, deleted and run."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from api.deps import DbSession
from api.errors import BadRequest, NotFound
from api.routers.items import _search_errors
from api.schemas import ItemPage
from core.models import Enterprise, SavedSearch
from search.errors import BadQuery, SavedSearchExists, SavedSearchNotFound
from search.query import SearchQuery
from search.saved import (
    ANY_OWNER,
    delete_saved_search,
    get_saved_search,
    list_saved_searches,
    run_saved_search,
    save_search,
    update_saved_search,
)

router = APIRouter(tags=["saved searches"])

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
    created_at: datetime


def _out(saved: SavedSearch) -> SavedSearchOut:
    return SavedSearchOut.model_validate(saved, from_attributes=True)


def _query(raw: dict[str, Any]) -> SearchQuery:
    try:
        return SearchQuery(**{k: v for k, v in raw.items() if k != "cursor"})
    except BadQuery as exc:
        field = f"query.{exc.field}" if exc.field else "query"
        raise BadRequest(exc.reason, [{"field": field, "message": exc.reason}]) from exc


def _load(session: DbSession, saved_id: int) -> SavedSearch:
    try:
        return get_saved_search(session, saved_id)
    except SavedSearchNotFound as exc:
        raise NotFound(str(exc)) from exc


def _name_taken(exc: SavedSearchExists) -> BadRequest:
    return BadRequest(str(exc), [{"field": "name", "message": str(exc)}])


@router.get("/searches", response_model=list[SavedSearchOut])
def list_searches(
    session: DbSession,
    enterprise: Annotated[str | None, Query(max_length=64, description="Owner.")] = None,
) -> list[SavedSearchOut]:
    """Saved searches by name; ``enterprise`` limits them to one owner's."""
    owner = enterprise if enterprise is not None else ANY_OWNER
    return [_out(saved) for saved in list_saved_searches(session, owner)]


@router.post("/searches", response_model=SavedSearchOut, status_code=201)
def create_search(body: SavedSearchIn, session: DbSession) -> SavedSearchOut:
    """Save a query under a name (unique per owner)."""
    query = _query(body.query)
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
def get_search(saved_id: int, session: DbSession) -> SavedSearchOut:
    """One saved search."""
    return _out(_load(session, saved_id))


@router.patch("/searches/{saved_id}", response_model=SavedSearchOut)
def change_search(saved_id: int, body: SavedSearchPatch, session: DbSession) -> SavedSearchOut:
    """Rename a saved search and/or replace its query."""
    saved = _load(session, saved_id)
    query = _query(body.query) if body.query is not None else None
    try:
        return _out(update_saved_search(session, saved, body.name, query))
    except SavedSearchExists as exc:
        raise _name_taken(exc) from exc


@router.delete("/searches/{saved_id}", status_code=204, response_class=Response)
def delete_search(saved_id: int, session: DbSession) -> Response:
    """Delete a saved search."""
    delete_saved_search(session, _load(session, saved_id))
    return Response(status_code=204)


@router.get("/searches/{saved_id}/run", response_model=ItemPage)
def run_search_by_id(
    saved_id: int,
    session: DbSession,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> ItemPage:
    """Run a saved search: the same page, facets and cursor as ``GET /items``."""
    saved = _load(session, saved_id)
    with _search_errors():
        results = run_saved_search(saved, limit=limit, cursor=cursor)
    return ItemPage.model_validate(results.model_dump(mode="json"))
