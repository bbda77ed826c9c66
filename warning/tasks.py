"""Celery shells around the warning functions."""

from __future__ import annotations

from core.celery_app import app
from core.db import session_scope
from core.logging_ import get_logger
from warning.store import evaluate_new_alert_ids

log = get_logger(__name__)


@app.task(name="warning.evaluate_items", acks_late=True)  # type: ignore[untyped-decorator]
def evaluate_items(ids: list[str]) -> int:
    """Evaluate the rules for these items and store the new alerts."""
    with session_scope() as session:
        alert_ids = evaluate_new_alert_ids(session, ids)
    log.info("alerts created", items=len(ids), alerts=len(alert_ids))
    # The session has committed: new alerts (``alert_ids``) can be dispatched for delivery here.
    if alert_ids:
        app.send_task("warning.deliver_new_alerts", args=[list(alert_ids)])
    return len(alert_ids)
