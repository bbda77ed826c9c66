"""Handing a subscription's deliveries to another subscription at the same address.

A subscription that stops sending (paused: ``warning.delivery_pause``; deleted:
``warning.subscription_removal``) may share an address with another active one. What it
had there and not sent yet is the other's to send, by its own filters and cadence, as if the
leaving one had never asked (``warning.delivery_queue.senders``):

- a row queued, or waiting for a retry, keeps its attempts, its next try and its last error:
  the retry window (about 48 hours) belongs to the alert and the address, not to the
  subscription that happened to send it, so an address that has failed for 40 hours is
  given up on some 8 hours later, as it would have been, not another 48 hours from now;
- a row in a live sender's hands (claimed, its message on its way) is handed over with its
  claim: the sender's finish step settles it for the other subscription. A send that
  succeeds is the delivery of that alert at that address (the other does not send it
  again); one that fails waits for its retry under the other, its attempts kept;
- a row claimed by a sender that died (its lease ran out, ``warning.delivery_claim``) is
  handed over as one that failed once: waiting, its attempts kept, due when the lease let it
  go.

Rows are handed over in place and keep their id, so the ``X-IPRWatch-Delivery`` id of a
message that a dying sender may have got out is the one the other subscription sends it
again with: the receiver can drop the repeat, as it can when the same subscription retries.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.models import Delivery, Subscription
from warning.delivery_claim import lease
from warning.delivery_queue import aware, senders

__all__ = ["hand_over", "in_flight_deliveries", "waiting_deliveries"]


def waiting_deliveries(session: Session, row: Subscription, now: datetime) -> list[Delivery]:
    """Rows of ``row`` not sent yet and not in a live sender's hands: queued or waiting for a
    retry, or claimed by a sender whose lease ran out (it died).

    The rows are locked until the handover commits (``FOR UPDATE``; SQLite has one writer
    anyway): a sender presumed dead may still be alive and record its send meanwhile, and
    the handover must then read it sent, not turn it back to waiting for another send."""
    query = select(Delivery).where(_waiting(row, now)).order_by(Delivery.id).with_for_update()
    return list(session.scalars(query))


def in_flight_deliveries(session: Session, row: Subscription, now: datetime) -> list[Delivery]:
    """Rows of ``row`` in a live sender's hands: claimed, the lease still running."""
    query = select(Delivery).where(
        Delivery.subscription_id == row.id,
        Delivery.status == "sending",
        Delivery.claimed_at >= now - lease(),
    )
    return list(session.scalars(query.order_by(Delivery.id).with_for_update()))


def _waiting(row: Subscription, now: datetime) -> ColumnElement[bool]:
    return and_(
        Delivery.subscription_id == row.id,
        or_(
            Delivery.status == "pending",
            and_(Delivery.status == "sending", Delivery.claimed_at < now - lease()),
        ),
    )


def hand_over(session: Session, rows: Sequence[Delivery], now: datetime) -> set[tuple[int, str]]:
    """Give these rows to the active subscriptions that would queue their alerts for their
    addresses now; the (alert, channel) pairs one of them took.

    A row taken keeps its id, attempts, next try, last error and (when its sender is alive)
    its claim; it is sent in the taker's cadence. A row whose claim lapsed becomes waiting,
    due when the lease ran out. Rows none took are left as they are. The subscription the
    rows belong to must be inactive by now, or it would be found to take them itself.
    """
    takers = senders(session, {(d.alert_id, d.channel) for d in rows})
    for delivery in rows:
        taker = takers.get((delivery.alert_id, delivery.channel))
        if taker is None:
            continue
        delivery.subscription_id, delivery.mode = taker.id, taker.frequency
        claimed_at = aware(delivery.claimed_at)
        if delivery.status == "sending" and claimed_at and claimed_at < now - lease():
            delivery.status, delivery.next_attempt_at = "pending", claimed_at + lease()
    session.flush()
    return set(takers)
