"""Queueing deliveries: one ``deliveries`` row per new alert and channel of each subscription
whose filters the alert passes (enterprise, severity, saved search).

A channel is keyed by its URL (:func:`warning.delivery.channel_key`) and the row is unique per
(alert, channel): when several subscriptions name the same URL, that address gets each alert
once, not once per subscription. On purpose: two subscriptions of one enterprise that both
send to ``ops@example.com`` (say, "critical at once" and "all, daily") should not send one
alert twice. Which subscription sends it is fixed, so that instant and digest agree: the
subscriptions are taken soonest first (instant, then daily, then weekly), then oldest first,
so an alert goes out as soon as any of them asks for it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.logging_ import get_logger
from core.models import AlertRow, Delivery, Subscription, utcnow
from search.errors import BadQuery, SavedSearchNotFound
from warning.delivery import SEVERITY_ORDER, channel_key
from warning.subscriptions import FREQUENCY_ORDER, saved_search_hits, severity_allowed

log = get_logger(__name__)

__all__ = ["SWEEP_WINDOW", "insert_delivery", "queue_deliveries", "senders", "unqueued_alerts"]

SWEEP_WINDOW = timedelta(days=3)
SEARCH_BACK = timedelta(days=400)
_EVER = datetime.min.replace(tzinfo=UTC)


def aware(moment: datetime | None) -> datetime | None:
    """A stored timestamp as timezone-aware UTC (SQLite hands them back naive)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def queued_from(sub: Subscription, since: datetime) -> datetime:
    """The creation time from which alerts are queued for ``sub``: not before ``since``, its
    creation (a new subscription gets no backlog) or its last resume (nor a paused period)."""
    moments = [since, aware(sub.created_at), aware(sub.resumed_at)]
    return max(m for m in moments if m is not None)


def unqueued_alerts(
    session: Session,
    sub: Subscription,
    alert_ids: Sequence[int] | None,
    since: datetime,
    *,
    queued_too: bool = False,
) -> list[AlertRow]:
    """The alerts created since ``since`` (and since the subscription was created or last
    resumed) that pass its filters and have no delivery row yet for one of its channels
    (with ``queued_too``, whether they have one or not: which alerts it would queue).

    An alert raised while the subscription was paused is never queued for it: it is passed
    over here rather than recorded (``warning.delivery_pause``), so a pause costs no row.

    Raises:
        BadQuery, SavedSearchNotFound: the subscription's saved search is invalid or gone.
    """
    keys = [channel_key(c) for c in sub.channels]
    severities = [s for s in SEVERITY_ORDER if severity_allowed(sub.min_severity, s)]
    queued = (
        select(func.count(Delivery.id))
        .where(Delivery.alert_id == AlertRow.id, Delivery.channel.in_(keys))
        .scalar_subquery()
    )
    query = select(AlertRow).where(
        AlertRow.created_at >= queued_from(sub, since), AlertRow.severity.in_(severities)
    )
    if not queued_too:
        query = query.where(queued < len(keys))
    if sub.enterprise_id:
        query = query.where(AlertRow.enterprise_id == sub.enterprise_id)
    if alert_ids is not None:
        query = query.where(AlertRow.id.in_(list(alert_ids)))
    rows = list(session.scalars(query.order_by(AlertRow.id)))
    if sub.saved_search_id is None or not rows:
        return rows
    oldest = min((aware(a.created_at) or utcnow()) for a in rows)
    hits = saved_search_hits(
        session, sub.saved_search_id, {a.item_id for a in rows}, (oldest - SEARCH_BACK).date()
    )
    return [a for a in rows if a.item_id in hits]


def queue_deliveries(
    session: Session, alert_ids: Sequence[int] | None = None, window: timedelta | None = None
) -> list[tuple[int, str]]:
    """Create the delivery rows new alerts need; returns the instant (alert id, channel) pairs.

    Only alerts created after a subscription are queued for it (a new subscription does not
    receive the backlog; its feed shows it), and with ``window`` only those created within
    it. Safe to run again: existing rows are kept.
    """
    since = utcnow() - window if window else _EVER
    instant: list[tuple[int, str]] = []
    for sub in session.scalars(_active_soonest_first()):
        if not sub.channels:
            continue
        try:
            alerts = unqueued_alerts(session, sub, alert_ids, since)
        except (BadQuery, SavedSearchNotFound) as exc:  # search invalid or gone: others go on
            log.warning("subscription_saved_search_invalid", subscription=sub.id, reason=str(exc))
            continue
        for alert in alerts:
            for url in sub.channels:
                inserted = insert_delivery(session, alert.id, sub, channel_key(url))
                if inserted and sub.frequency == "instant":
                    instant.append((alert.id, channel_key(url)))
    session.flush()
    return instant


def senders(
    session: Session, pairs: Collection[tuple[int, str]]
) -> dict[tuple[int, str], Subscription]:
    """The active subscription that would queue each (alert id, channel) pair if it had no
    row yet, by the same filters and order as :func:`queue_deliveries`; pairs none would
    queue are left out. What a subscription that stops sending hands over goes to these
    (``warning.delivery_handover``)."""
    found: dict[tuple[int, str], Subscription] = {}
    for sub in session.scalars(_active_soonest_first()):
        keys = {channel_key(url) for url in sub.channels}
        wanted = [pair for pair in pairs if pair[1] in keys and pair not in found]
        if not wanted:
            continue
        alert_ids = sorted({alert_id for alert_id, _ in wanted})
        try:
            passing = unqueued_alerts(session, sub, alert_ids, _EVER, queued_too=True)
        except (BadQuery, SavedSearchNotFound):  # as queue_deliveries: this one queues nothing
            continue
        selected = {alert.id for alert in passing}
        found.update({pair: sub for pair in wanted if pair[0] in selected})
    return found


def _active_soonest_first() -> Select[Subscription]:
    """Active subscriptions in the order they claim a channel they share: instant before
    daily before weekly, then the oldest (see the module docstring)."""
    soonest = case(FREQUENCY_ORDER, value=Subscription.frequency, else_=len(FREQUENCY_ORDER))
    return (
        select(Subscription).where(Subscription.active.is_(True)).order_by(soonest, Subscription.id)
    )


def insert_delivery(
    session: Session, alert_id: int, sub: Subscription, key: str, **values: Any
) -> bool:
    """Add the (alert, channel) row for ``sub`` unless one exists; whether it was added.
    ``values`` set other columns (a row recorded ``withdrawn`` at once)."""
    found = session.scalar(
        select(Delivery.id).where(Delivery.alert_id == alert_id, Delivery.channel == key)
    )
    if found is not None:
        return False
    try:
        with session.begin_nested():
            session.add(
                Delivery(
                    alert_id=alert_id,
                    subscription_id=sub.id,
                    channel=key,
                    mode=sub.frequency,
                    **values,
                )
            )
    except IntegrityError:  # another worker queued it first
        return False
    return True
