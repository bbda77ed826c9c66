"""Country briefings: list, generate on demand, read as JSON, HTML or PDF.

Briefings are addressed by integer id only, so no request can name a file.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from api.auth._principal import not_found
from api.deps import DbSession
from api.errors import ERROR_RESPONSES, BadRequest
from api.routers._access import MAX_ID, AdminOnly, BriefingsRead, RowId
from api.schemas import AsOfDate, UtcDateTime
from core.models import BriefingRow
from core.settings import default_as_of
from reports._model import Briefing
from reports.briefing import UnknownChainError
from reports.countries import UnknownCountryError
from reports.periods import PeriodError
from reports.render import render_briefing_html, render_briefing_pdf
from reports.service import generate_briefing
from reports.store import load_briefing

router = APIRouter(tags=["briefings"], responses=ERROR_RESPONSES)

LangQuery = Annotated[str, Query(pattern="^(zh|en)$", description="zh or en")]


class BriefingSummary(BaseModel):
    """A stored briefing, without its contents."""

    id: int
    country: str
    chain: str | None
    period: str
    lang: str
    risk_level: str
    created_at: UtcDateTime
    html_url: str
    pdf_url: str


class BriefingList(BaseModel):
    """A page of stored briefings, newest first."""

    briefings: list[BriefingSummary]
    next_cursor: str | None = None


class BriefingRequest(BaseModel):
    """What to brief on: a country, optionally a chain, a period and a report date."""

    country: str = Field(min_length=2, max_length=8, examples=["US"])
    chain: str | None = Field(default=None, max_length=16, examples=["A5"])
    period: str | None = Field(default=None, max_length=16, examples=["2025-Q3"])
    as_of: AsOfDate | None = None
    lang: str = Field(default="zh", pattern="^(zh|en)$")


def _summary(row: BriefingRow) -> BriefingSummary:
    return BriefingSummary(
        id=row.id,
        country=row.country,
        chain=row.chain,
        period=row.period,
        lang=row.lang,
        risk_level=row.risk_level,
        created_at=row.created_at,
        html_url=f"/api/v1/briefings/{row.id}/html",
        pdf_url=f"/api/v1/briefings/{row.id}/pdf",
    )


def _briefing(session: DbSession, briefing_id: RowId) -> Briefing:
    row = session.get(BriefingRow, briefing_id)
    if row is None:
        raise not_found("briefing", briefing_id)
    return load_briefing(row)


@router.get("/briefings", response_model=BriefingList)
def list_stored(
    session: DbSession,
    _: BriefingsRead,
    country: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[int | None, Query(ge=0, le=MAX_ID, description="`next_cursor`.")] = None,
) -> BriefingList:
    """Stored briefings, newest first (optionally of one country)."""
    query = select(BriefingRow).order_by(BriefingRow.id.desc()).limit(limit + 1)
    if country:
        query = query.where(BriefingRow.country == country.upper())
    if cursor is not None:
        query = query.where(BriefingRow.id < cursor)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return BriefingList(
        briefings=[_summary(r) for r in rows],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )


@router.post("/briefings", response_model=BriefingSummary, status_code=201)
def generate(session: DbSession, principal: AdminOnly, request: BriefingRequest) -> BriefingSummary:
    """Generate a briefing now and store it (admins only); unknown countries, chains or
    periods get a 422 that lists the valid values."""
    as_of = request.as_of or default_as_of()
    try:
        row, _ = generate_briefing(
            session, request.country, request.chain, request.period, as_of, request.lang
        )
    except UnknownCountryError as exc:
        raise BadRequest(str(exc), [{"field": "country", "message": str(exc)}]) from exc
    except UnknownChainError as exc:
        raise BadRequest(str(exc), [{"field": "chain", "message": str(exc)}]) from exc
    except PeriodError as exc:
        raise BadRequest(str(exc), [{"field": "period", "message": str(exc)}]) from exc
    return _summary(row)


@router.get("/briefings/{briefing_id}", response_model=Briefing)
def get_json(session: DbSession, _: BriefingsRead, briefing_id: RowId) -> Briefing:
    """The assembled briefing as JSON (language-neutral: names in zh and en)."""
    return _briefing(session, briefing_id)


@router.get("/briefings/{briefing_id}/html", response_class=HTMLResponse)
def get_html(
    session: DbSession, _: BriefingsRead, briefing_id: RowId, lang: LangQuery = "zh"
) -> HTMLResponse:
    """The briefing as a standalone HTML document."""
    return HTMLResponse(render_briefing_html(_briefing(session, briefing_id), lang))


@router.get("/briefings/{briefing_id}/pdf", response_class=Response)
def get_pdf(
    session: DbSession, _: BriefingsRead, briefing_id: RowId, lang: LangQuery = "zh"
) -> Response:
    """The briefing as PDF (a download)."""
    briefing = _briefing(session, briefing_id)
    name = f"briefing-{briefing_id}-{briefing.country}-{briefing.period}-{lang}.pdf"
    return Response(
        render_briefing_pdf(briefing, lang),
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
