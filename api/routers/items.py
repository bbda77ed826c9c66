"""Items: search with filters, facets and a cursor; one item by id."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import DbSession
from api.errors import BadRequest, NotFound, Unavailable
from api.schemas import ItemOut, ItemPage
from api.services import run_search
from core.models import Item
from core.records import item_to_record
from core.types import ItemKind
from search import BadQuery, SearchUnavailable

router = APIRouter(tags=["items"])


@router.get("/items", response_model=ItemPage)
def list_items(
    q: Annotated[str, Query(max_length=500, description="Free text, Chinese or English.")] = "",
    country: Annotated[
        list[str] | None, Query(description="Jurisdiction code, e.g. US, EU.")
    ] = None,
    chain: Annotated[list[str] | None, Query(description="Industry-chain id, e.g. A5.")] = None,
    kind: Annotated[list[ItemKind] | None, Query()] = None,
    since: Annotated[date | None, Query(description="Published on or after.")] = None,
    sort: Annotated[str, Query(pattern="^(relevance|date)$")] = "relevance",
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> ItemPage:
    """Items matching the query, best first (or newest first), with facet counts."""
    try:
        results = run_search(
            q=q,
            country=country,
            chain=chain,
            kind=[k.value for k in kind or []],
            since=since.isoformat() if since else None,
            sort=sort,
            limit=limit,
            cursor=cursor,
        )
    except SearchUnavailable as exc:
        raise Unavailable("search is unavailable; try again shortly") from exc
    except BadQuery as exc:
        field = [{"field": exc.field, "message": str(exc)}] if exc.field else []
        raise BadRequest(str(exc).splitlines()[0], field) from exc
    return ItemPage.model_validate(results)


@router.get("/items/{item_id}", response_model=ItemOut)
def get_item(item_id: str, session: DbSession) -> ItemOut:
    """One item, with its tags."""
    row = session.get(Item, item_id)
    if row is None:
        raise NotFound(f"no item {item_id!r}")
    record = item_to_record(row)
    data = record.model_dump(mode="json")
    return ItemOut.model_validate(data)
