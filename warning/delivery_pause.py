"""Pausing and resuming a subscription, and what becomes of its deliveries.

Pausing says "stop sending me this". Someone who resumes a week later wants what is raised
from then on, not a week of stale alerts at once: the alerts stay on the web UI and in the
subscription's feed, which is where the paused period is read. So:

- on pausing, the subscription's deliveries that wait (queued, or waiting for a retry) are
  withdrawn with the reason :data:`~warning.delivery_withdraw.PAUSED_REASON`, except at an
  address another active subscription also names: that one takes them over, by its own
  filters and cadence, as it would have if the paused one had never asked
  (``warning.delivery_queue``). A delivery already being retried keeps its attempts and its
  next try, and one being sent to that address at that moment is handed over with its claim:
  sent, it counts; failed, the other one retries it (``warning.delivery_handover``).
  Elsewhere, a delivery being sent at that moment is withdrawn by the sender's own check
  right before the send (``warning.delivery_store.send_claimed``), or after it, if it failed;
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
from warning.delivery_handover import hand_over, in_flight_deliveries, waiting_deliveries
from warning.delivery_withdraw import PAUSED_REASON, withdraw_rows
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
    """Pause ``row``: what it has waiting is withdrawn, or taken over at a shared address
    (with what is being sent there at this moment: ``warning.delivery_handover``)."""
    if not row.active:
        return PauseResult()
    now = now or utcnow()
    row.active = False
    session.flush()
    shared = shared_channel_keys(session, row)
    waiting = waiting_deliveries(session, row, now)
    flying = [d for d in in_flight_deliveries(session, row, now) if d.channel in shared]
    taken = hand_over(session, [d for d in waiting if d.channel in shared] + flying, now)
    left = [d for d in waiting if (d.alert_id, d.channel) not in taken]
    if left:
        withdraw_rows(session, left, PAUSED_REASON)
    result = PauseResult(withdrawn=len(left), taken_over=len(taken))
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
