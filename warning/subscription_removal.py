"""Deleting a subscription, and what becomes of its deliveries.

An address another subscription also names gets each alert once, whichever of them asked:

- the records of what already went there (sent, withdrawn or failed) pass to the
  subscription that would send to it now, so that it does not send those alerts again;
- what waits there (queued, or waiting for a retry) is handed over as on pausing
  (``warning.delivery_handover``): the other subscription queues it by its own filters and
  cadence, keeping the attempts made and the next try, so an address that has failed for 40
  hours is given up on some 8 hours later, not another 48 hours from now;
- what is being sent there at that moment is handed over with its claim: if the send
  succeeds it counts, and the other does not send the alert again; if it fails, the other
  retries it, its attempts kept.

Everything else (the rows of addresses no other subscription names, what none took over)
goes with the subscription.
"""

from __future__ import annotations

from sqlalchemy import and_, case, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from core.logging_ import get_logger
from core.models import AlertRow, Delivery, Subscription, utcnow
from warning.delivery import channel_key
from warning.delivery_handover import hand_over, in_flight_deliveries, waiting_deliveries
from warning.subscriptions import FREQUENCY_ORDER, overlapping_subscriptions, shared_channel_keys

log = get_logger(__name__)

__all__ = ["FINISHED_DELIVERIES", "remove_subscription"]

FINISHED_DELIVERIES = ("sent", "withdrawn", "failed")
"""Delivery statuses that are final: the alert is not sent to that address again."""


def remove_subscription(session: Session, subscription_id: int) -> bool:
    """Delete a subscription and its delivery records; False if there was none.

    At an address another subscription also names, finished records pass to it and waiting
    deliveries are taken over with their retries (see the module docstring).
    """
    row = session.get(Subscription, subscription_id)
    if row is None:
        return False
    row.active = False  # or the handover would queue the alerts for it again
    session.flush()
    shared = shared_channel_keys(session, row)
    now = utcnow()
    # Unsent rows first, locked: a sender may record a send meanwhile, and its row is then
    # passed on among the finished ones below rather than deleted with the subscription.
    unsent = waiting_deliveries(session, row, now) + in_flight_deliveries(session, row, now)
    _hand_over_finished(session, row, shared)
    taken = hand_over(session, [d for d in unsent if d.channel in shared], now)
    session.delete(row)
    session.flush()
    log.info("subscription removed", subscription=subscription_id, taken_over=len(taken))
    return True


def _hand_over_finished(session: Session, row: Subscription, shared: set[str]) -> None:
    """Give the finished deliveries of each shared address to the subscription that would
    send to it now (soonest first, then the oldest: ``warning.delivery_queue``).

    A subscription of one enterprise inherits only the records of that enterprise's alerts:
    a deleted shared subscription's records of other enterprises' alerts must not show up in
    its deliveries (another tenant's alert ids). They pass to the next subscription naming
    the address that could have sent them, or go with the deleted one: nobody else would
    queue those alerts for that address.
    """
    soonest = case(FREQUENCY_ORDER, value=Subscription.frequency, else_=len(FREQUENCY_ORDER))
    query = overlapping_subscriptions(row).order_by(soonest, Subscription.id)
    heirs = list(session.scalars(query))
    for key in shared:
        for heir in (h for h in heirs if key in {channel_key(str(u)) for u in h.channels}):
            session.execute(
                update(Delivery)
                .where(_finished_at(row, key), *_alerts_of(heir))
                .values(subscription_id=heir.id)
                .execution_options(synchronize_session=False)
            )


def _finished_at(row: Subscription, key: str) -> ColumnElement[bool]:
    return and_(
        Delivery.subscription_id == row.id,
        Delivery.channel == key,
        Delivery.status.in_(FINISHED_DELIVERIES),
    )


def _alerts_of(heir: Subscription) -> list[ColumnElement[bool]]:
    """The condition that a delivery's alert is one ``heir`` could select (its enterprise's;
    any for a shared subscription)."""
    if heir.enterprise_id is None:
        return []
    mine = select(AlertRow.id).where(AlertRow.enterprise_id == heir.enterprise_id)
    return [Delivery.alert_id.in_(mine)]
