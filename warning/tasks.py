"""Celery shells around the warning functions."""

from __future__ import annotations

from core.celery_app import app
from core.db import session_scope
from core.logging_ import get_logger
from warning.store import current_alert_ids, evaluate_new_alert_ids

log = get_logger(__name__)


@app.task(name="warning.evaluate_items", acks_late=True)  # type: ignore[untyped-decorator]
def evaluate_items(ids: list[str]) -> int:
    """Evaluate the rules for these items and store the new alerts."""
    with session_scope() as session:
        alert_ids = evaluate_new_alert_ids(session, ids)
    log.info("alerts created", items=len(ids), alerts=len(alert_ids))
    # The session has committed. Delivery gets every alert of these items' current versions,
    # not only the new ones: if an earlier attempt committed and then lost its connection,
    # this retry creates nothing, and its alerts would otherwise wait for the sweep.
    with session_scope() as session:
        dispatch = current_alert_ids(session, ids)
    if dispatch:
        app.send_task("warning.deliver_new_alerts", args=[dispatch])
    return len(alert_ids)
