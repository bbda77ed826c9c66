"""Celery shells around the warning functions."""

from __future__ import annotations

from core.celery_app import app
from core.db import session_scope
from core.logging_ import get_logger
from warning.store import evaluate_stored_items

log = get_logger(__name__)


@app.task(name="warning.evaluate_items", acks_late=True)  # type: ignore[untyped-decorator]
def evaluate_items(ids: list[str]) -> int:
    """Evaluate the rules for these items and store the new alerts."""
    with session_scope() as session:
        created = evaluate_stored_items(session, ids)
        log.info("alerts created", items=len(ids), alerts=len(created))
        return len(created)
