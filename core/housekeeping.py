"""Catch-up after a crash or an outage: re-send work that stalled between stages.

Every stage is idempotent, so sending an item twice is harmless; sending it never is not.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.celery_app import app
from core.db import session_scope
from core.models import Item, OutboxEntry

BATCH = 500


def stalled_work(limit: int = BATCH) -> dict[str, list[str]]:
    """Item ids waiting for tagging or evaluation, and whether the outbox has a backlog."""
    with session_scope() as session:
        untagged = list(session.scalars(select(Item.id).where(Item.tags.is_(None)).limit(limit)))
        unevaluated = list(
            session.scalars(
                select(Item.id)
                .where(Item.tags.is_not(None))
                .where((Item.evaluated_version.is_(None)) | (Item.evaluated_version < Item.version))
                .limit(limit)
            )
        )
        unindexed = list(
            session.scalars(
                select(OutboxEntry.item_id).where(OutboxEntry.indexed_at.is_(None)).limit(limit)
            )
        )
    return {"untagged": untagged, "unevaluated": unevaluated, "unindexed": unindexed}


@app.task(name="core.catch_up")  # type: ignore[untyped-decorator]
def catch_up() -> dict[str, int]:
    """Send stalled items on to the stage they are waiting for."""
    work = stalled_work()
    if work["untagged"]:
        app.send_task("tagger.tag_items", args=[work["untagged"]])
    if work["unindexed"]:
        app.send_task("search.index_items", args=[work["unindexed"]])
    if work["unevaluated"]:
        app.send_task("warning.evaluate_items", args=[work["unevaluated"]])
    return {stage: len(ids) for stage, ids in work.items()}


@app.on_after_finalize.connect  # type: ignore[untyped-decorator]
def schedule_catch_up(sender: Any, **_: Any) -> None:
    """Run the catch-up every ten minutes."""
    sender.add_periodic_task(600.0, catch_up.s(), name="catch up stalled work")
