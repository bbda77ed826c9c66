"""Response models of the HTTP API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field

from api._deadlines import DeadlineState
from api.services import AS_OF_RANGE, check_as_of


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


UtcDateTime = Annotated[datetime, AfterValidator(_utc)]
"""A datetime that always carries its offset (the schema's ``date-time`` requires one)."""


def _as_of_in_range(value: date) -> date:
    return check_as_of(value, "as_of")


AsOfDate = Annotated[
    date,
    AfterValidator(_as_of_in_range),
    Field(description=f"Report date, from {AS_OF_RANGE[0]} to {AS_OF_RANGE[1]} (default: today)."),
]
"""A report's as-of date: out of ``api.services.AS_OF_RANGE`` it is a 422 naming ``as_of``
and the range (the date arithmetic of windows and deadlines overflows near year 1 and 9999)."""


class ComponentCheck(BaseModel):
    """One component's health."""

    ok: bool
    detail: str = ""


class Health(BaseModel):
    """Service health with per-component checks."""

    status: str = Field(examples=["ok"])
    components: dict[str, ComponentCheck]


class ItemOut(BaseModel):
    """An item with its tags."""

    id: str
    source: str
    url: str | None
    title: str
    summary: str
    body: str
    language: str
    published_at: UtcDateTime | None
    fetched_at: UtcDateTime | None
    jurisdictions: list[str]
    kind: str
    ip_types: list[str]
    case_refs: list[str]
    parties: list[dict[str, Any]]
    version: int
    tags: dict[str, Any] | None


class SearchHit(BaseModel):
    """One search result."""

    id: str
    title: str
    snippet: str = ""
    published_at: datetime | None = None
    source: str | None = None
    kind: str | None = None
    jurisdictions: list[str] = Field(default_factory=list)
    chains: list[str] = Field(default_factory=list)
    score: float | None = None


class ItemPage(BaseModel):
    """A page of items, with facets and the cursor to the next page."""

    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]]
    next_cursor: str | None = None
    ignored: list[str] = Field(
        default_factory=list,
        description="Words of q the search left out: with translate, Chinese fillers such as"
        " 发起 or 涉及 (not required in the results).",
    )


class AlertOut(BaseModel):
    """An alert with its explanation."""

    id: int
    enterprise_id: str
    item_id: str
    item_version: int
    rule_id: str
    severity: str
    risk_code: str
    score: float
    deadline: str | None
    deadline_state: DeadlineState | None = Field(
        description="Where the deadline stands today (the day `IPRWATCH_DATA_AS_OF` sets, if"
        " any), as the web dashboard shows it: `running` (open, today or later), `overdue`"
        " (open, passed since the item was published), `lapsed_at_publication` (it had"
        " already passed when the item was published: a date of the case, never overdue),"
        " `closed` (dismissed or resolved); null when the alert has no deadline.",
        examples=["running"],
    )
    title: dict[str, Any]
    explanation: dict[str, Any]
    action: dict[str, Any]
    status: str
    created_at: str | None


class AlertPage(BaseModel):
    """A page of alerts."""

    alerts: list[AlertOut]
    next_cursor: str | None = None


class SourceOut(BaseModel):
    """A source and its health."""

    id: str
    title: str
    title_zh: str
    jurisdictions: list[str]
    language: str
    last_success: str | None
    last_run: str | None
    items: int
    healthy: bool | None
    reason: str | None
