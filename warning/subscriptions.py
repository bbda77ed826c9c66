"""Subscriptions: validating, storing, listing, and the volume guard.

A subscription selects alerts (an enterprise's, and/or those on items a saved search finds,
at or above a severity), says how often (instant, daily or weekly digest) and where (channel
URLs, see ``warning.delivery_channels``). It always has an RSS/Atom feed, reached with a
secret token that is shown once and stored only as its SHA-256.

Before saving, :func:`estimate_volume` replays the last 100 days of stored items through the
rules for the subscription's profile and warns when it would send more alerts per day than
``alert_volume_warn_per_day``. The 100 days end today, or on the day the stored data stands
at when it is a fixed data set (``data_as_of``: the demo's samples), whose last 100 days
counted back from today would hold no items at all.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints, field_validator, model_validator
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from core.logging_ import get_logger
from core.models import Enterprise, Item, Subscription, utcnow
from core.records import item_to_record, utc_iso
from core.settings import data_as_of_day, get_settings
from core.types import EnterpriseProfile, Severity
from warning.delivery import channel_key, redact_url, severity_rank
from warning.delivery_channels import validate_channel
from warning.engine import evaluate_items

log = get_logger(__name__)

Frequency = Literal["instant", "daily", "weekly"]
FREQUENCY_ORDER = {"instant": 0, "daily": 1, "weekly": 2}
"""Which of several subscriptions naming one address sends an alert to it: the soonest."""
VOLUME_WINDOW_DAYS = 100
SAVED_SEARCH_PAGES = 10


SubscriptionName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
"""A subscription's name, trimmed: one of spaces only would leave messages unnamed."""


class SubscriptionError(ValueError):
    """The subscription cannot be saved as given (the message names the field)."""


class SubscriptionSpec(BaseModel):
    """A subscription as a user gives it (API body, CLI options)."""

    name: SubscriptionName
    enterprise_id: str | None = Field(default=None, max_length=64)
    saved_search_id: int | None = Field(default=None, ge=1)
    min_severity: Severity = Severity.INFO
    frequency: Frequency = "instant"
    channels: list[str] = Field(default_factory=list, max_length=10)
    owner_contact: str = Field(min_length=3, max_length=1000)
    language: Literal["zh", "en"] = "zh"

    @field_validator("channels")
    @classmethod
    def _channels(cls, values: list[str]) -> list[str]:
        loopback = get_settings().webhook_allow_loopback
        return list(dict.fromkeys(validate_channel(v, loopback) for v in values))

    @field_validator("owner_contact")
    @classmethod
    def _owner(cls, value: str) -> str:
        return validate_channel(value, get_settings().webhook_allow_loopback)

    @model_validator(mode="after")
    def _has_filter(self) -> SubscriptionSpec:
        if not self.enterprise_id and self.saved_search_id is None:
            raise ValueError("give enterprise_id, saved_search_id or both")
        return self


@dataclass(frozen=True)
class VolumeEstimate:
    """How many alerts a subscription would have sent per day over the last 100 days."""

    alerts: int
    days: int
    threshold: float
    until: date | None = None
    """The window's last day when the data stands at a past day (``data_as_of``); None: today."""

    @property
    def per_day(self) -> float:
        """Alerts per day."""
        return round(self.alerts / self.days, 2)

    @property
    def too_many(self) -> bool:
        """Whether the rate is above the configured threshold."""
        return self.per_day > self.threshold

    def warning(self, lang: str) -> str | None:
        """A warning for the user when the rate is above the threshold."""
        if not self.too_many:
            return None
        if lang == "zh":
            window = f"截至 {self.until} 的 {self.days} 天" if self.until else f"近 {self.days} 天"
            return (
                f"按{window}的数据，此订阅每天约产生 {self.per_day} 条预警，"
                f"超过 {self.threshold} 条的上限；建议提高最低严重程度或改为摘要。"
            )
        window = (
            f"the {self.days} days to {self.until}" if self.until else f"the last {self.days} days"
        )
        return (
            f"Over {window} this subscription would have sent about "
            f"{self.per_day} alerts a day, above the threshold of {self.threshold}; "
            "raise the minimum severity or use a digest."
        )

    def to_dict(self, lang: str) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "alerts": self.alerts,
            "days": self.days,
            "alerts_per_day": self.per_day,
            "threshold": self.threshold,
            "warning": self.warning(lang),
            "until": self.until.isoformat() if self.until else None,
        }


@dataclass(frozen=True)
class CreatedSubscription:
    """A stored subscription with the secrets shown only now, and its volume estimate."""

    row: Subscription
    feed_token: str
    estimate: VolumeEstimate


def hash_token(token: str) -> str:
    """The stored form of a feed token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_matches(row: Subscription, token: str) -> bool:
    """Whether ``token`` opens this subscription's feed (constant-time)."""
    return hmac.compare_digest(row.feed_token_hash, hash_token(token))


def _check_references(session: Session, spec: SubscriptionSpec) -> None:
    if spec.enterprise_id and session.get(Enterprise, spec.enterprise_id) is None:
        raise SubscriptionError(f"enterprise_id: no enterprise {spec.enterprise_id!r}")
    if spec.saved_search_id is not None:
        from search.errors import SavedSearchNotFound
        from search.saved import get_saved_search

        try:
            get_saved_search(session, spec.saved_search_id)
        except SavedSearchNotFound as exc:
            raise SubscriptionError(f"saved_search_id: {exc}") from exc


def create_subscription(
    session: Session, spec: SubscriptionSpec, now: datetime | None = None
) -> CreatedSubscription:
    """Validate, estimate and store a subscription; the result holds its feed token."""
    _check_references(session, spec)
    estimate = estimate_volume(session, spec, now)
    token = secrets.token_urlsafe(32)
    row = Subscription(
        name=spec.name.strip(),
        enterprise_id=spec.enterprise_id,
        saved_search_id=spec.saved_search_id,
        min_severity=spec.min_severity.value,
        frequency=spec.frequency,
        channels=spec.channels,
        language=spec.language,
        owner_contact=spec.owner_contact,
        feed_token_hash=hash_token(token),
        signing_secret=secrets.token_hex(32),
        created_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    log.info(
        "subscription created",
        subscription=row.id,
        frequency=row.frequency,
        channels=[redact_url(c) for c in row.channels],
        alerts_per_day=estimate.per_day,
    )
    return CreatedSubscription(row=row, feed_token=token, estimate=estimate)


def list_subscriptions(session: Session) -> list[Subscription]:
    """Every subscription, oldest first."""
    return list(session.scalars(select(Subscription).order_by(Subscription.id)))


def subscription_to_dict(row: Subscription) -> dict[str, Any]:
    """A subscription as shown by the API and CLI: channel secrets redacted, no token."""
    return {
        "id": row.id,
        "name": row.name,
        "enterprise_id": row.enterprise_id,
        "saved_search_id": row.saved_search_id,
        "min_severity": row.min_severity,
        "frequency": row.frequency,
        "channels": [redact_url(c) for c in row.channels],
        "owner_contact": redact_url(row.owner_contact),
        "language": row.language,
        "active": row.active,
        "created_at": utc_iso(row.created_at),
        "resumed_at": utc_iso(row.resumed_at),
    }


def overlapping_subscriptions(row: Subscription) -> Select[Subscription]:
    """The other subscriptions whose alerts can be this one's too: those of its enterprise
    and the shared ones (for a shared subscription: all)."""
    others = select(Subscription).where(Subscription.id != row.id)
    if row.enterprise_id is None:
        return others
    return others.where(
        or_(Subscription.enterprise_id == row.enterprise_id, Subscription.enterprise_id.is_(None))
    )


def shared_channel_keys(
    session: Session, row: Subscription, visible: Collection[str] | None = None
) -> set[str]:
    """The keys of this subscription's channels that another subscription also names, whose
    alerts can overlap with its own: one of the same enterprise, or a shared one.

    Such an address gets each alert once, not once per subscription, from the subscription
    that asks soonest (``warning.delivery_queue``); the others' delivery counts leave it out.

    ``visible`` (the enterprise ids a caller may see; None: all) counts only the subscriptions
    of those enterprises: what is shown to a user must not tell them that a subscription they
    cannot see (an admin's shared one) sends to their address. Delivery counts all.
    """
    mine = {channel_key(str(url)) for url in row.channels}
    query = overlapping_subscriptions(row)
    if visible is not None:
        query = query.where(Subscription.enterprise_id.in_(sorted(visible)))
    keys: set[str] = set()
    for other in session.scalars(query):
        keys.update(channel_key(str(url)) for url in other.channels)
    return mine & keys


def shared_channels(
    session: Session, row: Subscription, visible: Collection[str] | None = None
) -> list[str]:
    """This subscription's channels that another one the caller may see also names
    (:func:`shared_channel_keys`), redacted as the API shows channels."""
    keys = shared_channel_keys(session, row, visible)
    return [redact_url(url) for url in row.channels if channel_key(url) in keys]


def severity_allowed(min_severity: str, severity: str) -> bool:
    """Whether an alert of ``severity`` passes a ``min_severity`` filter."""
    return severity_rank(severity) <= severity_rank(min_severity)


def saved_search_hits(
    session: Session, saved_search_id: int, item_ids: Iterable[str], since: date | None
) -> set[str]:
    """Which of ``item_ids`` the saved search finds now (searching from ``since`` on)."""
    from search.saved import get_saved_search, run_saved_search

    wanted = set(item_ids)
    saved = get_saved_search(session, saved_search_id)
    found: set[str] = set()
    cursor: str | None = None
    for _ in range(SAVED_SEARCH_PAGES):
        results = run_saved_search(saved, since=since, sort="date", limit=100, cursor=cursor)
        found |= {hit.id for hit in results.hits} & wanted
        cursor = results.next_cursor
        if cursor is None or found == wanted:
            break
    return found


def _window_items(session: Session, since: datetime, until: datetime) -> Iterable[Item]:
    query = (
        select(Item)
        .where(Item.tags.is_not(None), Item.published_at >= since, Item.published_at <= until)
        .order_by(Item.published_at)
        .execution_options(yield_per=500)
    )
    return session.scalars(query)


def _saved_search_count(session: Session, saved_search_id: int, since: date, until: date) -> int:
    """Items the saved search finds published from ``since`` to ``until``, both days
    included: the volume window, as profile-based estimates count it, narrowed by the
    search's own dates. Without ``until`` a data set standing at a past day (the demo's)
    would count the items after that day too."""
    from search.saved import get_saved_search, run_saved_search, saved_query

    saved = get_saved_search(session, saved_search_id)
    stored = saved_query(saved)
    first = max(since, stored.since) if stored.since else since
    last = min(until, stored.until) if stored.until else until
    if first > last:
        return 0
    return run_saved_search(saved, since=first, until=last, limit=1).total


def volume_window_end() -> tuple[datetime, date | None]:
    """The end of the volume window and, for a data set standing at a past day
    (``data_as_of``: the demo's), that day; now and None for live data."""
    day = data_as_of_day()
    if day is None:
        return utcnow(), None
    return datetime.combine(day, time.max, tzinfo=UTC), day


def estimate_volume(
    session: Session, spec: SubscriptionSpec, now: datetime | None = None
) -> VolumeEstimate:
    """Alerts per day the subscription would have had over the last 100 days of items:
    those to ``now``, by default to today or to the day the data stands at
    (:func:`volume_window_end`).

    Profile-based: the rules are evaluated for the enterprise's profile over the stored,
    tagged items published in the window. A saved search alone counts the items it finds.
    """
    until = None
    if now is None:
        now, until = volume_window_end()
    since = now - timedelta(days=VOLUME_WINDOW_DAYS)
    threshold = get_settings().alert_volume_warn_per_day
    if spec.enterprise_id:
        enterprise = session.get(Enterprise, spec.enterprise_id)
        if enterprise is None:
            raise SubscriptionError(f"enterprise_id: no enterprise {spec.enterprise_id!r}")
        profile = EnterpriseProfile.stored(enterprise.profile)
        records = [item_to_record(row) for row in _window_items(session, since, now)]
        alerts = evaluate_items(records, [profile], as_of=now.date())
        if spec.saved_search_id is not None:
            hits = saved_search_hits(
                session, spec.saved_search_id, {a.item_id for a in alerts}, since.date()
            )
            alerts = [a for a in alerts if a.item_id in hits]
        count = sum(severity_allowed(spec.min_severity, a.severity) for a in alerts)
    else:
        assert spec.saved_search_id is not None
        count = _saved_search_count(session, spec.saved_search_id, since.date(), now.date())
    return VolumeEstimate(alerts=count, days=VOLUME_WINDOW_DAYS, threshold=threshold, until=until)
