"""The monthly regeneration briefs every market of every stored profile."""

from __future__ import annotations

from sqlalchemy import select

from core.db import session_scope
from core.models import BriefingRow
from reports.tasks import briefing_targets, regenerate_briefings


def test_monthly_regeneration_briefs_each_profiles_markets(seeded: str) -> None:
    with session_scope() as session:
        assert briefing_targets(session) == [("DE", None), ("US", None)]
    assert regenerate_briefings() == {"generated": 2, "failed": 0}
    with session_scope() as session:
        rows = list(session.scalars(select(BriefingRow)))
    assert sorted(r.country for r in rows) == ["DE", "US"]
    assert all(len(r.period) == 7 for r in rows)  # last full month, YYYY-MM


def test_beat_schedules_the_monthly_regeneration() -> None:
    from core.celery_app import app

    app.loader.import_default_modules()
    app.finalize(auto=True)
    schedule = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    entry = schedule["reports.regenerate_briefings"]
    assert entry["schedule"].day_of_month == {1}
