"""Pausing and resuming a subscription, and what becomes of its deliveries.

Pausing says "stop sending me this". Someone who resumes a week later wants what is raised
from then on, not a week of stale alerts at once: the alerts stay on the web UI and in the
subscription's feed, which is where the paused period is read. So:

- on pausing, the subscription's deliveries that wait (queued, or waiting for a retry) are
  withdrawn with the reason :data:`~warning.delivery_store.PAUSED_REASON`, except at an
  address another active subscription also names: that one takes them over, by its own
  filters and cadence, as it would have if the paused one had never asked
  (``warning.delivery_queue``). A delivery being sent at that moment is withdrawn by the
  sender's own check right before the send (``warning.delivery_store.send_claimed``);
- on resuming, the alerts raised while it was paused that it would have sent are recorded as
  withdrawn for the same reason, so neither the instant sender, the minute sweep nor the next
  digest sends them late; the deliveries API lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import and_, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.logging_ import get_logger
from core.models import Delivery, Subscription, utcnow
from search.errors import BadQuery, SavedSearchNotFound
from warning.delivery import channel_key
from warning.delivery_queue import insert_delivery, queue_deliveries, unqueued_alerts
from warning.delivery_store import PAUSED_REASON, WITHDRAWN, lease
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
    their own filters and cadence; the (alert, channel) pairs one of them took."""
    if not rows:
        return set()
    pairs = [(d.alert_id, d.channel) for d in rows]
    for delivery in rows:
        session.delete(delivery)
    session.flush()
    queue_deliveries(session, sorted({alert_id for alert_id, _ in pairs}))
    found = session.execute(
        select(Delivery.alert_id, Delivery.channel).where(
            tuple_(Delivery.alert_id, Delivery.channel).in_(pairs)
        )
    ).all()
    return {(alert_id, channel) for alert_id, channel in found}


def resume_subscription(session: Session, row: Subscription) -> PauseResult:
    """Resume ``row``: alerts raised while it was paused are recorded as withdrawn, not sent.

    They are the alerts it selects that no row records yet for one of its addresses: while
    it is active, every alert it selects is queued at once (or by the minute sweep).
    """
    if row.active:
        return PauseResult()
    try:
        missed = unqueued_alerts(session, row, None, datetime.min.replace(tzinfo=UTC))
    except (BadQuery, SavedSearchNotFound) as exc:  # nothing can be queued for it either
        log.warning("subscription_saved_search_invalid", subscription=row.id, reason=str(exc))
        missed = []
    count = 0
    withdrawn = {"status": WITHDRAWN, "last_error": PAUSED_REASON}
    for alert in missed:
        for url in row.channels:
            count += insert_delivery(session, alert.id, row, channel_key(url), **withdrawn)
    row.active = True
    session.flush()
    log.info("subscription resumed", subscription=row.id, withdrawn=count)
    return PauseResult(withdrawn=count)


def set_active(session: Session, row: Subscription, active: bool) -> PauseResult:
    """Resume (``True``) or pause (``False``) ``row``; nothing happens if it already is."""
    return resume_subscription(session, row) if active else pause_subscription(session, row)
