"""Celery shells around delivery (queue ``deliver``: every task name starts ``warning.deliver``).

- ``warning.deliver_new_alerts(alert_ids)``: queue deliveries for new alerts, send instant ones;
- ``warning.deliver(alert_id, channel)``: send one alert to one channel, retrying with backoff;
- ``warning.deliver_digests(frequency)``: beat, daily and weekly;
- ``warning.deliver_due()``: beat, every minute: catches alerts stored outside Celery, lost
  tasks and due digest retries.
"""

from __future__ import annotations

from typing import Any

from celery import Task

from core.celery_app import app
from core.db import session_scope
from core.logging_ import get_logger
from warning.delivery_queue import SWEEP_WINDOW, queue_deliveries
from warning.delivery_store import (
    CLAIMED,
    deliver_alert,
    due_work,
    send_digest,
    send_digests,
)

log = get_logger(__name__)

DAILY_DIGEST = {"minute": "30", "hour": "0"}  # 08:30 in China (UTC+8)
WEEKLY_DIGEST = {"minute": "30", "hour": "0", "day_of_week": "mon"}


@app.task(name="warning.deliver_new_alerts", acks_late=True)  # type: ignore[untyped-decorator]
def deliver_new_alerts(alert_ids: list[int]) -> int:
    """Queue deliveries for these new alerts and send a ``deliver`` task per instant one."""
    with session_scope() as session:
        instant = queue_deliveries(session, alert_ids)
    for alert_id, channel in instant:
        deliver.delay(alert_id, channel)
    return len(instant)


@app.task(name="warning.deliver", bind=True, acks_late=True, max_retries=None)  # type: ignore[untyped-decorator]
def deliver(self: Task, alert_id: int, channel: str) -> str:
    """Send one alert to one channel; on a transient failure, retry after the backoff delay.

    A task that finds the row claimed by another sender comes back when the claim's lease
    has run out: if that sender died (a killed worker), the redelivered task finishes the
    work itself rather than waiting for the ``deliver_due`` sweep. An alert dismissed or
    resolved before an attempt is ``withdrawn``: not sent, and not retried.
    """
    outcome = deliver_alert(alert_id, channel)
    waiting = outcome.status == "retry" or outcome.reason == CLAIMED
    if waiting and outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@app.task(name="warning.deliver_digests", acks_late=True)  # type: ignore[untyped-decorator]
def deliver_digests(frequency: str) -> int:
    """Send the due digests of this frequency; returns how many were sent."""
    return sum(o.status == "sent" for o in send_digests(frequency))


@app.task(name="warning.deliver_due", acks_late=True)  # type: ignore[untyped-decorator]
def deliver_due() -> int:
    """Queue alerts stored outside Celery and send what is due (instant and digest retries)."""
    with session_scope() as session:
        queue_deliveries(session, window=SWEEP_WINDOW)
    instant, digests = due_work()
    for alert_id, channel in instant:
        deliver.delay(alert_id, channel)
    for subscription_id, channel in digests:
        send_digest(subscription_id, channel)
    return len(instant) + len(digests)


@app.on_after_finalize.connect  # type: ignore[untyped-decorator]
def schedule_deliveries(sender: Any, **_: Any) -> None:
    """Give beat the digests and the minute-by-minute sweep."""
    from celery.schedules import crontab

    sender.add_periodic_task(60.0, deliver_due.s(), name="deliver due")
    sender.add_periodic_task(
        crontab(**DAILY_DIGEST), deliver_digests.s("daily"), name="daily digests"
    )
    sender.add_periodic_task(
        crontab(**WEEKLY_DIGEST), deliver_digests.s("weekly"), name="weekly digests"
    )
