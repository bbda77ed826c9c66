"""Deliveries in the database: sending claimed rows, retries and digests.

Exactly one ``deliveries`` row exists per (alert, channel). A sender first *claims* the row
(``warning.delivery_claim``: an atomic ``UPDATE`` in its own committed transaction, held as a
lease), then sends, then marks it ``sent``. A task redelivered after a crash finds the row
``sent`` (nothing to do) or ``sending``, and takes it again only once the lease has expired.
The one window left — the message went out but the worker died before ``sent`` was
committed — is covered by the stable ``X-IPRWatch-Delivery`` id webhooks carry, so receivers
can drop the repeat.

Failures are retried on :func:`warning.delivery.backoff_delays` (about 48 hours), with
jitter; then the row is ``failed`` and the subscription's owner is told once. Before every
attempt, instant or digest, a row whose alert was dismissed or resolved meanwhile is marked
``withdrawn`` instead of sent (``warning.delivery_withdraw``): nobody should be asked to look
at what was already decided.

Between the claim and the send, the world may change: the alert is dismissed, the
subscription paused or deleted. So :func:`send_claimed` reads the claimed rows again in a
short transaction of their own right before the message goes out, withdraws those whose alert
was decided or whose subscription was paused meanwhile, and builds the message from what is
left. Only a change committed while the message is already on its way cannot recall it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from core.db import session_scope
from core.logging_ import get_logger
from core.models import AlertRow, Delivery, Enterprise, Item, Subscription, utcnow
from core.settings import get_settings
from warning.delivery import (
    AlertView,
    DeliveryFailure,
    Message,
    alert_message,
    backoff_delays,
    channel_key,
    digest_message,
    jittered,
    owner_notice,
    redact_url,
)
from warning.delivery_channels import (
    DeliveryError,
    PermanentDeliveryError,
    SendOptions,
    send,
)
from warning.delivery_claim import claim, claim_wait, claimable
from warning.delivery_queue import queue_deliveries
from warning.delivery_withdraw import (
    CHANNEL_REMOVED_REASON,
    PAUSED_REASON,
    WITHDRAWN,
    WITHDRAWN_REASON,
    any_unwanted,
    withdraw_closed_alerts,
    withdraw_paused,
    withdraw_rows,
)

log = get_logger(__name__)

Status = Literal["sent", "retry", "failed", "skipped", "withdrawn"]
CLAIMED = "claimed elsewhere"
"""Why a send was skipped: another sender holds the row (or held it and died: see the lease)."""
NOT_DUE = "not due yet"
DELETED = "deleted meanwhile"
"""Why a send was skipped: the rows went with their subscription or alert."""


@dataclass(frozen=True)
class Outcome:
    """What one send attempt did; ``retry_in`` is seconds until the next try."""

    status: Status
    deliveries: int = 0
    retry_in: float | None = None
    reason: str = ""


def retry_schedule() -> list[float]:
    """Seconds to wait before each retry, from settings."""
    s = get_settings()
    return backoff_delays(
        s.delivery_retry_hours * 3600,
        s.delivery_backoff_base_seconds,
        s.delivery_backoff_cap_seconds,
    )


# --- building messages ---------------------------------------------------------------------


def alert_views(session: Session, alert_ids: Sequence[int]) -> list[AlertView]:
    """The alerts with what messages show about them (enterprise names, item titles)."""
    alerts = list(session.scalars(select(AlertRow).where(AlertRow.id.in_(list(alert_ids)))))
    names = {
        e.id: {"zh": e.name_zh or "", "en": e.name_en or ""}
        for e in session.scalars(
            select(Enterprise).where(Enterprise.id.in_({a.enterprise_id for a in alerts}))
        )
    }
    items = {
        i.id: i
        for i in session.scalars(select(Item).where(Item.id.in_({a.item_id for a in alerts})))
    }
    return [
        AlertView(
            id=a.id,
            enterprise_id=a.enterprise_id,
            enterprise_name=names.get(a.enterprise_id, {}),
            severity=a.severity,
            title=a.title,
            explanation=a.explanation,
            action=a.action,
            deadline=a.deadline,
            item_title=items[a.item_id].title if a.item_id in items else a.item_id,
            item_url=items[a.item_id].url if a.item_id in items else None,
        )
        for a in alerts
    ]


def _message(session: Session, sub: Subscription, rows: Sequence[Delivery]) -> Message:
    site = get_settings().site_url
    views = alert_views(session, [r.alert_id for r in rows])
    if sub.frequency == "instant" and len(views) == 1:
        return alert_message(views[0], sub.language, site)
    more = f"{site.rstrip('/')}/alerts?lang={sub.language}"
    if sub.enterprise_id:
        more += f"&enterprise={sub.enterprise_id}"
    return digest_message(views, sub.language, site, get_settings().digest_max_alerts, more)


def _channel_url(sub: Subscription, key: str) -> str | None:
    return next((url for url in sub.channels if channel_key(url) == key), None)


# --- sending -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    """A message ready to go out to one channel, and the claimed rows it stands for."""

    url: str
    message: Message
    options: SendOptions
    ids: list[int]


def send_claimed(ids: list[int], now: datetime) -> Outcome:
    """Send what this sender claimed at ``now`` (rows of one subscription and channel), then
    mark it sent, or record the failure.

    Right before the send, the rows are read again under the claim (:func:`_confirm`): a
    dismissal, resolution, pause or deletion committed since the claim keeps them from going.
    """
    with session_scope() as session:
        prepared = _confirm(session, ids, now)
    if isinstance(prepared, Outcome):
        return prepared
    try:
        send(prepared.url, prepared.message, prepared.options)
    except DeliveryError as exc:
        return _record_failure(prepared.ids, now, exc)
    with session_scope() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id.in_(prepared.ids))
            .values(status="sent", sent_at=utcnow(), last_error=None)
        )
    log.info("delivered", deliveries=len(prepared.ids), channel=redact_url(prepared.url))
    return Outcome("sent", deliveries=len(prepared.ids))


def _confirm(session: Session, ids: list[int], now: datetime) -> _Prepared | Outcome:
    """The message for the claimed rows still held and still wanted, built from them alone.

    Rows whose alert was dismissed or resolved since the claim, or whose subscription was
    paused, are withdrawn here, in the transaction that reads what is sent: a digest leaves
    those alerts out, an instant delivery sends nothing. Rows gone with a deleted subscription
    (or alert), or taken by another sender after the lease ran out, are not sent either.
    """
    held = and_(Delivery.id.in_(ids), Delivery.status == "sending", Delivery.claimed_at == now)
    closed = paused = 0
    if any_unwanted(session, held):  # read first: the usual send writes nothing here
        closed = withdraw_closed_alerts(session, held)
        paused = withdraw_paused(session, held)
    still = list(session.scalars(select(Delivery.id).where(held)))
    if still:
        return _prepare(session, still)
    if closed or paused:
        log.info("delivery withdrawn before sending", deliveries=closed + paused)
        reason = WITHDRAWN_REASON if closed else PAUSED_REASON
        return Outcome("withdrawn", deliveries=closed + paused, reason=reason)
    gone = session.scalar(select(Delivery.id).where(Delivery.id.in_(ids)).limit(1)) is None
    return Outcome("skipped", reason=DELETED if gone else CLAIMED)


def _prepare(session: Session, ids: list[int]) -> _Prepared | Outcome:
    """The message for the claimed rows (all of one subscription and channel)."""
    rows = list(session.scalars(select(Delivery).where(Delivery.id.in_(ids))))
    sub = session.get(Subscription, rows[0].subscription_id) if rows else None
    if sub is None:  # deleted meanwhile (rows go with their subscription and alert)
        return Outcome("skipped", reason=DELETED)
    url = _channel_url(sub, rows[0].channel)
    if url is None:  # taken off the subscription since it was queued: no failure to report
        count = withdraw_rows(session, rows, CHANNEL_REMOVED_REASON)
        return Outcome("withdrawn", deliveries=count, reason=CHANNEL_REMOVED_REASON)
    options = SendOptions(
        secret=sub.signing_secret,
        delivery_id=f"{rows[0].channel[:12]}-{min(ids)}-{len(ids)}",
        timeout=get_settings().delivery_timeout_seconds,
        allow_loopback=get_settings().webhook_allow_loopback,
    )
    return _Prepared(url, _message(session, sub, rows), options, ids)


def _record_failure(ids: list[int], now: datetime, exc: DeliveryError) -> Outcome:
    """Retry the rows later, each by its own count: a digest can hold a row at its last try
    (one taken over on pausing, or one retried for two days) beside an alert queued an hour
    ago. The first fails and its owner is told; the others keep their 48 hours, and their
    next try comes by the freshest row's backoff. A permanent error fails them all.

    The rows are read afresh: while the message was on its way, their subscription may have
    been paused or deleted. Rows another subscription took over meanwhile are its to retry
    (``warning.delivery_handover``); rows left to a paused one are withdrawn, as pausing
    withdraws what waits (nobody would retry them, and resuming would send them late); rows
    gone with a deleted one are not retried."""
    with session_scope() as session:
        rows = list(session.scalars(select(Delivery).where(Delivery.id.in_(ids))))
        paused = _of_paused(session, rows)
        if paused:
            withdraw_rows(session, paused, PAUSED_REASON)
        rows = [r for r in rows if r not in paused]
        if not rows:
            reason = PAUSED_REASON if paused else DELETED
            return Outcome("withdrawn" if paused else "skipped", len(paused), reason=reason)
        return _retry_or_fail(session, rows, now, exc)


def _of_paused(session: Session, rows: Sequence[Delivery]) -> list[Delivery]:
    """The rows whose subscription is paused."""
    sub_ids = {r.subscription_id for r in rows}
    paused = set(
        session.scalars(
            select(Subscription.id).where(
                Subscription.id.in_(sub_ids), Subscription.active.is_(False)
            )
        )
    )
    return [r for r in rows if r.subscription_id in paused]


def _retry_or_fail(
    session: Session, rows: Sequence[Delivery], now: datetime, exc: DeliveryError
) -> Outcome:
    """Record a failed send of these rows: a retry for those with tries left, failed (and
    the owner told) for the others."""
    schedule = retry_schedule()
    permanent = isinstance(exc, PermanentDeliveryError)
    spent = [r for r in rows if permanent or r.attempts > len(schedule)]
    waiting = [r for r in rows if r not in spent]
    failed = None
    if spent:
        sub = session.get(Subscription, spent[0].subscription_id)
        assert sub is not None
        failed = _finish_failed(session, spent, sub, str(exc))
    if not waiting:
        assert failed is not None
        return failed
    attempts = max(1, min(r.attempts for r in waiting))
    delay = jittered(schedule[attempts - 1])
    for row in waiting:
        row.status, row.last_error = "pending", str(exc)[:2000]
        row.next_attempt_at = now + timedelta(seconds=delay)
    log.info(
        "delivery failed, will retry", deliveries=len(waiting), attempts=attempts, error=str(exc)
    )
    return Outcome("retry", deliveries=len(waiting), retry_in=delay, reason=str(exc))


def _finish_failed(
    session: Session, rows: Sequence[Delivery], sub: Subscription, reason: str
) -> Outcome:
    for row in rows:
        row.status, row.last_error = "failed", reason[:2000]
    session.flush()
    log.warning("delivery failed for good", subscription=sub.id, deliveries=len(rows), error=reason)
    if not any(r.owner_notified_at for r in rows):
        _tell_owner(sub, rows, reason)
        for row in rows:
            row.owner_notified_at = utcnow()
    return Outcome("failed", deliveries=len(rows), reason=reason)


def _tell_owner(sub: Subscription, rows: Sequence[Delivery], reason: str) -> None:
    options = SendOptions(
        secret=sub.signing_secret,
        delivery_id=f"owner-{sub.id}-{rows[0].id}",
        timeout=get_settings().delivery_timeout_seconds,
        allow_loopback=get_settings().webhook_allow_loopback,
    )
    channel = next((redact_url(u) for u in sub.channels if channel_key(u) == rows[0].channel), "?")
    failure = DeliveryFailure(
        subscription_id=sub.id,
        name=sub.name,
        channel=channel,
        attempts=rows[0].attempts,
        alert_ids=[r.alert_id for r in rows],
        reason=reason,
    )
    try:
        send(sub.owner_contact, owner_notice(failure, sub.language), options)
    except DeliveryError as exc:
        log.warning("could not tell the owner", subscription=sub.id, error=str(exc))


def deliver_alert(alert_id: int, channel: str, now: datetime | None = None) -> Outcome:
    """Send one alert to one channel (the ``warning.deliver`` task); idempotent.

    A row that is due but whose alert was dismissed or resolved since it was queued (or
    since the attempt that failed) is withdrawn, not sent: the outcome says ``withdrawn``.
    """
    now = now or utcnow()
    with session_scope() as session:
        row = session.scalar(
            select(Delivery).where(Delivery.alert_id == alert_id, Delivery.channel == channel)
        )
        if row is None or row.status in ("sent", "failed", WITHDRAWN):
            return Outcome("skipped", reason=row.status if row else "no such delivery")
        if withdraw_closed_alerts(session, and_(Delivery.id == row.id, claimable(now))):
            log.info("delivery withdrawn", alert=alert_id, subscription=row.subscription_id)
            return Outcome("withdrawn", deliveries=1, reason=WITHDRAWN_REASON)
        taken = claim(session, [row.id], now)
        if not taken:
            wait = claim_wait(row, now)
            claimed = row.status == "sending"
            return Outcome("skipped", retry_in=wait, reason=CLAIMED if claimed else NOT_DUE)
    return send_claimed(taken, now)


def send_digest(subscription_id: int, channel: str, now: datetime | None = None) -> Outcome:
    """Send one digest of the due rows of one subscription and channel; idempotent."""
    now = now or utcnow()
    with session_scope() as session:
        due = and_(
            Delivery.subscription_id == subscription_id,
            Delivery.channel == channel,
            Delivery.mode != "instant",
            claimable(now),
        )
        withdraw_closed_alerts(session, due)
        ids = list(session.scalars(select(Delivery.id).where(due)))
        taken = claim(session, ids, now)
        if not taken:
            return Outcome("skipped", reason="nothing due")
        sub = session.get(Subscription, subscription_id)
        if sub is not None:
            sub.last_digest_at = now
    return send_claimed(taken, now)


def send_digests(frequency: str, now: datetime | None = None) -> list[Outcome]:
    """Send every due digest of this frequency (``daily`` or ``weekly``)."""
    with session_scope() as session:
        groups = session.execute(
            select(Delivery.subscription_id, Delivery.channel)
            .where(Delivery.mode == frequency, Delivery.status.in_(["pending", "sending"]))
            .distinct()
        ).all()
    return [send_digest(sub_id, key, now) for sub_id, key in groups]


def due_work(now: datetime | None = None) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """What is due now: instant (alert, channel) pairs, and digest (subscription, channel)
    groups whose retry is due."""
    now = now or utcnow()
    with session_scope() as session:
        due = claimable(now)
        instant = session.execute(
            select(Delivery.alert_id, Delivery.channel).where(Delivery.mode == "instant", due)
        ).all()
        retries = session.execute(
            select(Delivery.subscription_id, Delivery.channel)
            .where(Delivery.mode != "instant", Delivery.attempts > 0, due)
            .distinct()
        ).all()
    return [(a, c) for a, c in instant], [(s, c) for s, c in retries]


def deliver_pending(now: datetime | None = None) -> list[Outcome]:
    """Queue new alerts and send everything due now, in this process (``iprwatch deliver``)."""
    with session_scope() as session:
        queue_deliveries(session)
    instant, digests = due_work(now)
    outcomes = [deliver_alert(a, c, now) for a, c in instant]
    outcomes += [send_digest(s, c, now) for s, c in digests]
    return outcomes
