"""Pausing and resuming a subscription, and what becomes of its deliveries.

Pausing says "stop sending me this". Someone who resumes a week later wants what is raised
from then on, not a week of stale alerts at once: the alerts stay on the web UI and in the
subscription's feed, which is where the paused period is read. So:

- on pausing, the subscription's deliveries that wait (queued, or waiting for a retry) are
  withdrawn with the reason :data:`~warning.delivery_withdraw.PAUSED_REASON`, except at an
  address another active subscription also names: that one takes them over, by its own
  filters and cadence, as it would have if the paused one had never asked
  (``warning.delivery_queue``). A delivery already being retried keeps its attempts and its
  next try (``warning.delivery_handover``). A delivery being sent at that moment is
  withdrawn by the sender's own check right before the send
  (``warning.delivery_store.send_claimed``);
- on resuming, the subscription's ``resumed_at`` is set: the queue passes over the alerts
  created before it that were not queued by then, so neither the instant sender, the minute
  sweep nor the next digest sends the paused period late. Nothing is written per alert
  missed, so a long pause costs no more than a short one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from core.logging_ import get_logger
from core.models import Subscription, utcnow
from warning.delivery_handover import hand_over, waiting_deliveries
from warning.delivery_queue import insert_delivery
from warning.delivery_withdraw import PAUSED_REASON, WITHDRAWN
from warning.subscriptions import shared_channel_keys

log = get_logger(__name__)

__all__ = ["PauseResult", "pause_subscription", "resume_subscription", "set_active"]


@dataclass(frozen=True)
class PauseResult:
    """What pausing or resuming did to deliveries: withdrawn, and taken over elsewhere."""

    withdrawn: int = 0
    taken_over: int = 0


def pause_subscription(
    session: Session, row: Subscription, now: datetime | None = None
) -> PauseResult:
    """Pause ``row``: what it has waiting is withdrawn, or taken over at a shared address."""
    if not row.active:
        return PauseResult()
    row.active = False
    session.flush()
    waiting = waiting_deliveries(session, row, now or utcnow())
    shared = shared_channel_keys(session, row)
    handed = [(d.alert_id, d.channel, d.attempts) for d in waiting if d.channel in shared]
    taken = hand_over(session, [d for d in waiting if d.channel in shared])
    for delivery in waiting:
        if delivery.channel not in shared:
            delivery.status, delivery.last_error = WITHDRAWN, PAUSED_REASON
            delivery.next_attempt_at = None
    for alert_id, key, attempts in handed:  # deleted for the others; record those none took
        if (alert_id, key) not in taken:
            withdrawn = {"status": WITHDRAWN, "last_error": PAUSED_REASON, "attempts": attempts}
            insert_delivery(session, alert_id, row, key, **withdrawn)
    session.flush()
    result = PauseResult(withdrawn=len(waiting) - len(taken), taken_over=len(taken))
    log.info("subscription paused", subscription=row.id, **result.__dict__)
    return result


def resume_subscription(
    session: Session, row: Subscription, now: datetime | None = None
) -> PauseResult:
    """Resume ``row``: alerts raised from now on are sent, those raised while it was paused
    are not (``resumed_at``: the queue passes them over; nothing is written per alert)."""
    if row.active:
        return PauseResult()
    row.active, row.resumed_at = True, now or utcnow()
    session.flush()
    log.info("subscription resumed", subscription=row.id)
    return PauseResult()


def set_active(session: Session, row: Subscription, active: bool) -> PauseResult:
    """Resume (``True``) or pause (``False``) ``row``; nothing happens if it already is."""
    return resume_subscription(session, row) if active else pause_subscription(session, row)
