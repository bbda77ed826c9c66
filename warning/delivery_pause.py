"""Pausing and resuming a subscription, and what becomes of its deliveries.

Pausing says "stop sending me this". Someone who resumes a week later wants what is raised
from then on, not a week of stale alerts at once: the alerts stay on the web UI and in the
subscription's feed, which is where the paused period is read. So:

- on pausing, the subscription's deliveries that wait (queued, or waiting for a retry) are
  withdrawn with the reason :data:`~warning.delivery_withdraw.PAUSED_REASON`, except at an
  address another active subscription also names: that one takes them over, by its own
  filters and cadence, as it would have if the paused one had never asked
  (``warning.delivery_queue``). A delivery already being retried keeps its attempts and its
  next try: the retry window (about 48 hours) belongs to the alert and the address, not to
  the subscription that happened to send it. A delivery being sent at that moment is
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

from sqlalchemy import and_, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.logging_ import get_logger
from core.models import Delivery, Subscription, utcnow
from warning.delivery_claim import lease
from warning.delivery_queue import insert_delivery, queue_deliveries
from warning.delivery_withdraw import PAUSED_REASON, WITHDRAWN
from warning.subscriptions import shared_channel_keys

log = get_logger(__name__)

__all__ = ["PauseResult", "pause_subscription", "resume_subscription", "set_active"]


@dataclass(frozen=True)
class PauseResult:
    """What pausing or resuming did to deliveries: withdrawn, and taken over elsewhere."""

    withdrawn: int = 0
    taken_over: int = 0


@dataclass(frozen=True)
class _Tries:
    """How far a delivery has gone through its retries: what a takeover carries over."""

    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None


def pause_subscription(
    session: Session, row: Subscription, now: datetime | None = None
) -> PauseResult:
    """Pause ``row``: what it has waiting is withdrawn, or taken over at a shared address."""
    if not row.active:
        return PauseResult()
    row.active = False
    session.flush()
    waiting = list(session.scalars(select(Delivery).where(_waiting(row, now or utcnow()))))
    shared = shared_channel_keys(session, row)
    handed = [(d.alert_id, d.channel, d.attempts) for d in waiting if d.channel in shared]
    taken = _hand_over(session, [d for d in waiting if d.channel in shared])
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


def _waiting(row: Subscription, now: datetime) -> ColumnElement[bool]:
    """Rows of ``row`` not sent yet and not in a live sender's hands: queued or waiting for a
    retry, or claimed by a sender whose lease ran out (it died)."""
    return and_(
        Delivery.subscription_id == row.id,
        or_(
            Delivery.status == "pending",
            and_(Delivery.status == "sending", Delivery.claimed_at < now - lease()),
        ),
    )


def _hand_over(session: Session, rows: list[Delivery]) -> set[tuple[int, str]]:
    """Let the other active subscriptions queue these rows' alerts for their addresses by
    their own filters and cadence; the (alert, channel) pairs one of them took.

    A row taken over keeps the attempts made and the next try of the one it replaces: an
    address that has failed for 40 hours is given up on some 8 hours later, as it would have
    been, not another 48 hours from now (the new row is ``pending``, as a retry is)."""
    if not rows:
        return set()
    tries = {
        (d.alert_id, d.channel): _Tries(d.attempts, d.next_attempt_at, d.last_error) for d in rows
    }
    for delivery in rows:
        session.delete(delivery)
    session.flush()
    queue_deliveries(session, sorted({alert_id for alert_id, _ in tries}))
    taken = list(
        session.scalars(
            select(Delivery).where(tuple_(Delivery.alert_id, Delivery.channel).in_(list(tries)))
        )
    )
    for delivery in taken:
        carried = tries[(delivery.alert_id, delivery.channel)]
        delivery.attempts, delivery.next_attempt_at = carried.attempts, carried.next_attempt_at
        delivery.last_error = carried.last_error
    session.flush()
    return {(d.alert_id, d.channel) for d in taken}


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
