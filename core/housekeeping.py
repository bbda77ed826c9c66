"""Catch-up after a crash or an outage: re-send work that stalled between stages.

Every stage is idempotent, so sending an item twice is harmless; sending it never is not.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from celery.signals import worker_ready
from sqlalchemy import create_engine, delete, inspect, select
from sqlalchemy import table as sql_table
from sqlalchemy.sql import column

from core.celery_app import app
from core.db import session_scope
from core.models import Item, OutboxEntry
from core.settings import get_settings

BATCH = 500
# kombu's SQLAlchemy transport keeps every delivered message with ``visible = false``.
_KOMBU_MESSAGES = sql_table("kombu_message", column("id"), column("visible"), column("timestamp"))
DELIVERED_MESSAGE_TTL = timedelta(hours=1)

log = structlog.get_logger(__name__)


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


def purge_delivered_broker_messages(
    broker_url: str | None = None, older_than: timedelta = DELIVERED_MESSAGE_TTL
) -> int:
    """Delete messages the serverless broker has already delivered; returns how many.

    kombu's SQLAlchemy transport marks a delivered message invisible and never deletes it, so
    the embedded broker file grows without bound. It never redelivers an invisible message
    either (the catch-up task covers stalled work), so removing them loses nothing. Pending
    (visible) messages are never touched. Other brokers (Redis) need no purge: returns 0.
    """
    url = broker_url or get_settings().effective_broker_url()
    if not url.startswith("sqla+"):
        return 0
    engine = create_engine(url.removeprefix("sqla+"))
    try:
        if not inspect(engine).has_table("kombu_message"):
            return 0
        # kombu stamps messages with naive local time (datetime.now), so compare alike.
        cutoff = datetime.now() - older_than
        with engine.begin() as conn:
            result = conn.execute(
                delete(_KOMBU_MESSAGES)
                .where(_KOMBU_MESSAGES.c.visible.is_(False))
                .where(_KOMBU_MESSAGES.c.timestamp < cutoff)
            )
        purged = int(result.rowcount or 0)
    finally:
        engine.dispose()
    if purged:
        log.info("broker messages purged", purged=purged)
    return purged


@app.task(name="core.purge_broker")  # type: ignore[untyped-decorator]
def purge_broker() -> int:
    """Housekeeping: keep the embedded broker file from growing without bound."""
    return purge_delivered_broker_messages()


@worker_ready.connect  # type: ignore[untyped-decorator]
def catch_up_on_start(**_: Any) -> None:
    """A worker that starts (or restarts after a crash) first re-sends stalled work, so what a
    killed worker was doing resumes now rather than at the next scheduled catch-up."""
    app.send_task("core.catch_up")
    app.send_task("warning.deliver_due")


@app.on_after_finalize.connect  # type: ignore[untyped-decorator]
def schedule_catch_up(sender: Any, **_: Any) -> None:
    """Run the catch-up every ten minutes and the broker purge every hour."""
    sender.add_periodic_task(600.0, catch_up.s(), name="catch up stalled work")
    sender.add_periodic_task(3600.0, purge_broker.s(), name="purge delivered broker messages")
