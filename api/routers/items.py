"""Items: search with filters, facets and a cursor; one item by id."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

from api.deps import DbSession
from api.errors import ERROR_RESPONSES, BadRequest, NotFound, Unavailable
from api.export import EXPORT_CAP, ClosingStream, csv_chunks, open_rows, write_xlsx
from api.routers._access import SearchRead
from api.schemas import ItemOut, ItemPage
from api.services import run_search
from core.models import Item
from core.records import item_to_record
from core.types import ItemKind
from search import BadQuery, SearchUnavailable

router = APIRouter(tags=["items"], responses=ERROR_RESPONSES)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(
    q: Annotated[str, Query(max_length=500, description="Free text, Chinese or English.")] = "",
    country: Annotated[
        list[str] | None, Query(description="Jurisdiction code, e.g. US, EU.")
    ] = None,
    chain: Annotated[list[str] | None, Query(description="Industry-chain id, e.g. A5.")] = None,
    kind: Annotated[list[ItemKind] | None, Query()] = None,
    ip_type: Annotated[list[str] | None, Query(description="patent, trademark, design ...")] = None,
    source: Annotated[list[str] | None, Query(description="Source id.")] = None,
    party: Annotated[
        str | None, Query(max_length=200, description="Part of a party's name.")
    ] = None,
    case_ref: Annotated[str | None, Query(max_length=200, examples=["337-TA-1450"])] = None,
    since: Annotated[date | None, Query(description="Published on or after.")] = None,
    until: Annotated[date | None, Query(description="Published on or before.")] = None,
    chinese_party: Annotated[bool | None, Query(description="Names a Chinese party.")] = None,
    province: Annotated[str | None, Query(max_length=40, examples=["江苏", "Jiangsu"])] = None,
    city: Annotated[str | None, Query(max_length=40, examples=["无锡", "Wuxi"])] = None,
    sort: Annotated[str, Query(pattern="^(relevance|date)$")] = "relevance",
    translate: Annotated[
        bool,
        Query(
            description="Also find the glossary's other terms for terms of q, in Chinese and"
            " English (锂电池 also finds lithium-ion battery; Section 337 also finds 337调查)."
        ),
    ] = False,
) -> dict[str, Any]:
    return {
        "q": q,
        "jurisdictions": country,
        "chains": chain,
        "kinds": [k.value for k in kind or []],
        "ip_types": ip_type,
        "sources": source,
        "party": party,
        "case_ref": case_ref,
        "since": since,
        "until": until,
        "chinese_party": chinese_party,
        "province": province,
        "city": city,
        "sort": sort,
        "translate": translate,
    }


Filters = Annotated[dict[str, Any], Depends(_filters)]

# The query model's fields under the names of this API's parameters (see ``_filters``).
PARAMETERS = {
    "jurisdictions": "country",
    "chains": "chain",
    "kinds": "kind",
    "ip_types": "ip_type",
    "sources": "source",
}


@contextmanager
def _search_errors() -> Iterator[None]:
    try:
        yield
    except SearchUnavailable as exc:
        raise Unavailable("search is unavailable; try again shortly") from exc
    except BadQuery as exc:
        raise _bad_request(exc) from exc


def _bad_request(exc: BadQuery) -> BadRequest:
    """A query's error, naming the parameter at fault as this API calls it."""
    message = str(exc).splitlines()[0]
    if not exc.field:
        return BadRequest(message)
    name = PARAMETERS.get(exc.field, exc.field)
    if message.startswith(f"{exc.field}: "):
        message = f"{name}: {message.removeprefix(f'{exc.field}: ')}"
    return BadRequest(message, [{"field": name, "message": message}])


@router.get("/items", response_model=ItemPage)
def list_items(
    _: SearchRead,
    filters: Filters,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=2000)] = None,
) -> ItemPage:
    """Items matching the query, best first (or newest first), with facet counts."""
    with _search_errors():
        results = run_search(**filters, limit=limit, cursor=cursor)
    return ItemPage.model_validate(results)


@router.get(
    "/items/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
)
def export_items(
    _: SearchRead,
    filters: Filters,
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    """The whole result set (at most 10,000 items) as CSV (streamed) or XLSX.

    A larger result set is cut at 10,000 items and the response says so in its headers:
    ``X-Export-Truncated: true`` and ``X-Export-Total`` (the full count). A CSV export that
    fails part-way ends with a ``#export-incomplete`` row and an aborted transfer; an XLSX
    one is a 503. ``X-Export-Total`` is counted in the view the rows are read from, so items
    stored meanwhile never make it disagree with the file.
    """
    with _search_errors():
        # The view is opened and counted here: a bad query fails before streaming starts.
        total, rows = open_rows(filters, EXPORT_CAP)
    headers = _export_headers(total)
    if format == "csv":
        headers["Content-Disposition"] = 'attachment; filename="iprwatch-items.csv"'
        return ClosingStream(csv_chunks(rows), headers)
    with _search_errors():  # the whole file is written before a byte is sent
        path = write_xlsx(rows)
    return FileResponse(
        path, media_type=XLSX, filename="iprwatch-items.xlsx", headers=headers,
        background=BackgroundTask(os.unlink, path),
    )  # fmt: skip


def _export_headers(total: int) -> dict[str, str]:
    """Headers telling whether the export holds the whole result set."""
    truncated = total > EXPORT_CAP
    return {"X-Export-Truncated": "true" if truncated else "false", "X-Export-Total": str(total)}


@router.get("/items/{item_id}", response_model=ItemOut)
def get_item(item_id: str, session: DbSession, _: SearchRead) -> ItemOut:
    """One item, with its tags."""
    row = session.get(Item, item_id)
    if row is None:
        raise NotFound(f"no item {item_id!r}")
    record = item_to_record(row)
    data = record.model_dump(mode="json")
    return ItemOut.model_validate(data)
