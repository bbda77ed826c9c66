"""Handing a subscription's waiting deliveries to another subscription at the same address.

A subscription that stops sending (paused: ``warning.delivery_pause``; deleted:
``warning.subscription_removal``) may share an address with another active one. What it
had waiting there (queued, or waiting for a retry) is the other's to send, by its own
filters and cadence, as if the leaving one had never asked (``warning.delivery_queue``).
A delivery already being retried keeps its attempts and its next try: the retry window
(about 48 hours) belongs to the alert and the address, not to the subscription that
happened to send it, so an address that has failed for 40 hours is given up on some 8
hours later, as it would have been, not another 48 hours from now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select, tuple_
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.models import Delivery, Subscription
from warning.delivery_claim import lease
from warning.delivery_queue import queue_deliveries

__all__ = ["hand_over", "waiting_deliveries"]


@dataclass(frozen=True)
class _Tries:
    """How far a delivery has gone through its retries: what a takeover carries over."""

    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None


def waiting_deliveries(session: Session, row: Subscription, now: datetime) -> list[Delivery]:
    """Rows of ``row`` not sent yet and not in a live sender's hands: queued or waiting for a
    retry, or claimed by a sender whose lease ran out (it died)."""
    return list(session.scalars(select(Delivery).where(_waiting(row, now))))


def _waiting(row: Subscription, now: datetime) -> ColumnElement[bool]:
    return and_(
        Delivery.subscription_id == row.id,
        or_(
            Delivery.status == "pending",
            and_(Delivery.status == "sending", Delivery.claimed_at < now - lease()),
        ),
    )


def hand_over(session: Session, rows: list[Delivery]) -> set[tuple[int, str]]:
    """Let the other active subscriptions queue these rows' alerts for their addresses by
    their own filters and cadence; the (alert, channel) pairs one of them took.

    The rows are deleted. A row taken over keeps the attempts made, the next try and the
    last error of the one it replaces (the new row is ``pending``, as a retry is). The
    subscription the rows belong to must be inactive by now, or it would queue them again.
    """
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
