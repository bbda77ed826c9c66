"""Celery tasks: the monthly briefing regeneration (beat, 1st of each month) and on demand."""

from __future__ import annotations

from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.celery_app import app
from core.db import session_scope
from core.models import BriefingRow, Enterprise
from core.settings import default_as_of
from core.types import EnterpriseProfile
from reports.service import generate_briefing

log = structlog.get_logger(__name__)


def briefing_targets(session: Session) -> list[tuple[str, str | None]]:
    """(country, chain) pairs to brief: every pair briefed before, and every export market
    of a stored enterprise profile (all chains)."""
    targets: set[tuple[str, str | None]] = set(
        session.execute(select(BriefingRow.country, BriefingRow.chain).distinct()).tuples()
    )
    for row in session.scalars(select(Enterprise)):
        for destination in EnterpriseProfile.stored(row.profile).destinations:
            targets.add((destination.country, None))
    return sorted(targets, key=lambda t: (t[0], t[1] or ""))


@app.task(name="reports.generate_briefing")  # type: ignore[untyped-decorator]
def generate_briefing_task(
    country: str, chain: str | None = None, period: str | None = None, lang: str = "zh"
) -> int:
    """Generate and store one briefing; returns its id."""
    with session_scope() as session:
        row, _ = generate_briefing(session, country, chain, period, default_as_of(), lang)
        return row.id


@app.task(name="reports.regenerate_briefings")  # type: ignore[untyped-decorator]
def regenerate_briefings() -> dict[str, int]:
    """Brief every target on the last full month; a bad target is logged and skipped."""
    as_of = default_as_of()
    done = failed = 0
    with session_scope() as session:
        targets = briefing_targets(session)
    for country, chain in targets:
        try:
            with session_scope() as session:
                generate_briefing(session, country, chain, None, as_of)
            done += 1
        except ValueError as exc:
            failed += 1
            log.warning("briefing_failed", country=country, chain=chain, reason=str(exc))
    return {"generated": done, "failed": failed}


@app.on_after_finalize.connect  # type: ignore[untyped-decorator]
def schedule_briefings(sender: Any, **_: Any) -> None:
    """Regenerate the briefings at 04:00 UTC on the first day of each month."""
    from celery.schedules import crontab

    sender.add_periodic_task(
        crontab(minute="0", hour="4", day_of_month="1"),
        regenerate_briefings.s(),
        name="monthly briefings",
    )
