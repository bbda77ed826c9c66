"""Alerts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import select

from api.deps import DbSession
from api.schemas import AlertOut, AlertPage
from core.models import AlertRow
from core.records import alert_to_dict
from core.types import Severity

router = APIRouter(tags=["alerts"])


@router.get("/alerts", response_model=AlertPage)
def list_alerts(
    session: DbSession,
    enterprise: Annotated[str | None, Query(max_length=64)] = None,
    severity: Annotated[list[Severity] | None, Query()] = None,
    status: Annotated[str | None, Query(pattern="^(new|acknowledged|dismissed|resolved)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[
        int | None, Query(ge=0, description="`next_cursor` of the previous page.")
    ] = None,
) -> AlertPage:
    """The caller's alerts, newest first."""
    query = select(AlertRow).order_by(AlertRow.id.desc()).limit(limit + 1)
    if enterprise:
        query = query.where(AlertRow.enterprise_id == enterprise)
    if severity:
        query = query.where(AlertRow.severity.in_([s.value for s in severity]))
    if status:
        query = query.where(AlertRow.status == status)
    if cursor is not None:
        query = query.where(AlertRow.id < cursor)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return AlertPage(
        alerts=[AlertOut.model_validate(alert_to_dict(r)) for r in rows],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )
