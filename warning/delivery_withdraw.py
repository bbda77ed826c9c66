"""Withdrawing deliveries: rows that will not be sent any more, and why.

A ``withdrawn`` row is final, like ``sent``: its alert was dismissed or resolved before it
went, its subscription was paused, or its channel was taken off the subscription. None of
these is a failure, so the owner is not told; the row stays, so the subscription's counts
and deliveries show what became of the alert. The senders (``warning.delivery_store``)
withdraw before every attempt and once more right before the message goes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import CursorResult, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.logging_ import get_logger
from core.models import AlertRow, Delivery, Subscription

log = get_logger(__name__)

__all__ = [
    "CHANNEL_REMOVED_REASON",
    "CLOSED_ALERT_STATUSES",
    "PAUSED_REASON",
    "WITHDRAWN",
    "WITHDRAWN_REASON",
    "any_unwanted",
    "withdraw_closed_alerts",
    "withdraw_paused",
    "withdraw_rows",
]

CLOSED_ALERT_STATUSES = ("dismissed", "resolved")
"""Alerts no delivery sends any more: someone already decided them (an acknowledged alert is
still being handled, so it still goes)."""
WITHDRAWN = "withdrawn"
"""The status of a row whose alert was dismissed or resolved before it went (a digest's row,
or an instant one waiting for its first attempt or a retry): final, like ``sent``."""
WITHDRAWN_REASON = "the alert was dismissed or resolved before it"
"""The ``last_error`` of a withdrawn row (the deliveries API shows it)."""
PAUSED_REASON = "subscription paused"
"""The ``last_error`` of a row withdrawn because its subscription was paused before it went
(see ``warning.delivery_pause``)."""
CHANNEL_REMOVED_REASON = "the channel was removed from the subscription"
"""The ``last_error`` of a row whose channel was taken off its subscription before it went:
withdrawn, not failed (the owner removed it; telling them it failed would be a false alarm)."""


def _closed_alerts() -> ColumnElement[bool]:
    closed = select(AlertRow.id).where(AlertRow.status.in_(CLOSED_ALERT_STATUSES))
    return Delivery.alert_id.in_(closed)


def _paused_subscriptions() -> ColumnElement[bool]:
    paused = select(Subscription.id).where(Subscription.active.is_(False))
    return Delivery.subscription_id.in_(paused)


def any_unwanted(session: Session, held: ColumnElement[bool]) -> bool:
    """Whether a held row's alert was decided or its subscription paused."""
    unwanted = or_(_closed_alerts(), _paused_subscriptions())
    return session.scalar(select(Delivery.id).where(held, unwanted).limit(1)) is not None


def withdraw_closed_alerts(session: Session, due: ColumnElement[bool]) -> int:
    """Mark the due rows whose alert was dismissed or resolved meanwhile ``withdrawn``; how
    many were. A delivery should not ask anyone to look at what was already decided; the
    row stays, so the subscription's counts and deliveries show what became of it."""
    return _withdraw(session, due, _closed_alerts(), WITHDRAWN_REASON)


def withdraw_paused(session: Session, due: ColumnElement[bool]) -> int:
    """Mark the due rows of a paused subscription ``withdrawn``; how many were. Pausing
    withdraws what waits (``warning.delivery_pause``); this catches a row claimed just before."""
    return _withdraw(session, due, _paused_subscriptions(), PAUSED_REASON)


def _withdraw(
    session: Session, due: ColumnElement[bool], which: ColumnElement[bool], reason: str
) -> int:
    """Mark the due rows that ``which`` selects ``withdrawn`` for ``reason``; how many were."""
    result = session.execute(
        update(Delivery)
        .where(due, which)
        .values(status=WITHDRAWN, last_error=reason, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    return int(cast("CursorResult[Any]", result).rowcount or 0)


def withdraw_rows(session: Session, rows: Sequence[Delivery], reason: str) -> int:
    """Mark these loaded rows ``withdrawn`` for ``reason``; how many there were."""
    for row in rows:
        row.status, row.last_error, row.next_attempt_at = WITHDRAWN, reason, None
    session.flush()
    log.info("delivery withdrawn", deliveries=len(rows), reason=reason)
    return len(rows)
