"""Claiming deliveries: which rows a sender may take now, and taking them atomically.

A sender *claims* rows in its own committed transaction (``pending`` -> ``sending``, one
``UPDATE`` that only one worker can win) before anything goes out. The claim is a lease: a
sender that died holding it (a killed worker) lets the row go once the lease has run out,
and the next sender takes it again. Each claim counts one attempt, which is what the retry
window is measured in (``warning.delivery_store``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.models import Delivery, Subscription
from core.settings import get_settings
from warning.delivery_queue import aware

__all__ = ["LEASE", "claim", "claim_wait", "claimable", "lease"]

LEASE = timedelta(minutes=5)
"""The default claim lease (``IPRWATCH_DELIVERY_LEASE_SECONDS``)."""


def lease() -> timedelta:
    """How long a claim holds before another sender may take the row again."""
    return timedelta(seconds=get_settings().delivery_lease_seconds)


def claimable(now: datetime) -> ColumnElement[bool]:
    """Rows a sender may take now: pending and due, or claimed by a sender whose lease has
    run out; never those of a paused subscription (pausing withdraws what it had waiting,
    ``warning.delivery_pause``: none should be left, and none is sent late)."""
    due = or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now)
    active = select(Subscription.id).where(Subscription.active.is_(True))
    return and_(
        Delivery.subscription_id.in_(active),
        or_(
            and_(Delivery.status == "pending", due),
            and_(Delivery.status == "sending", Delivery.claimed_at < now - lease()),
        ),
    )


def claim(session: Session, delivery_ids: Iterable[int], now: datetime) -> list[int]:
    """Atomically take the claimable rows among ``delivery_ids``; returns the ones taken.

    The caller commits before sending: the claim must be visible before anything goes out.
    """
    ids = list(delivery_ids)
    if not ids:
        return []
    session.execute(
        update(Delivery)
        .where(Delivery.id.in_(ids), claimable(now))
        .values(status="sending", claimed_at=now, attempts=Delivery.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()  # rows loaded before the UPDATE are stale now
    taken = select(Delivery.id).where(
        Delivery.id.in_(ids), Delivery.status == "sending", Delivery.claimed_at == now
    )
    return list(session.scalars(taken))


def claim_wait(row: Delivery, now: datetime) -> float | None:
    """Seconds until an unclaimable row could be taken (None: now or never)."""
    if row.status == "sending" and row.claimed_at:
        until = (aware(row.claimed_at) or now) + lease()
    elif row.status == "pending" and row.next_attempt_at:
        until = aware(row.next_attempt_at) or now
    else:
        return None
    return max(0.0, (until - now).total_seconds()) or None
