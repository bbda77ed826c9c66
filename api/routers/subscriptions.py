"""Subscriptions: create (with the volume estimate), list, show, delete, and their deliveries."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from api.deps import DbSession
from api.errors import BadRequest, NotFound
from core.models import Delivery, Subscription
from core.settings import get_settings
from core.types import Severity
from warning.subscriptions import (
    SubscriptionError,
    SubscriptionSpec,
    create_subscription,
    estimate_volume,
    list_subscriptions,
    remove_subscription,
    subscription_to_dict,
)

router = APIRouter(tags=["subscriptions"])


class VolumeOut(BaseModel):
    """Alerts per day over the last 100 days, and a warning above the threshold."""

    alerts: int
    days: int
    alerts_per_day: float
    threshold: float
    warning: str | None


class SubscriptionOut(BaseModel):
    """A subscription; channel secrets are redacted."""

    id: int
    name: str
    enterprise_id: str | None
    saved_search_id: int | None
    min_severity: str
    frequency: str
    channels: list[str]
    owner_contact: str
    language: str
    active: bool
    created_at: str | None
    deliveries: dict[str, int] = Field(default_factory=dict)


class SubscriptionCreated(BaseModel):
    """A new subscription with the secrets shown only this once."""

    subscription: SubscriptionOut
    feed_token: str
    feeds: dict[str, str]
    signing_secret: str
    volume: VolumeOut


class DeliveryOut(BaseModel):
    """One alert's delivery to one channel."""

    id: int
    alert_id: int
    channel: str
    mode: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    sent_at: datetime | None
    owner_notified_at: datetime | None


def _get(session: DbSession, subscription_id: int) -> Subscription:
    row = session.get(Subscription, subscription_id)
    if row is None:
        raise NotFound(f"no subscription {subscription_id}")
    return row


def _out(session: DbSession, row: Subscription) -> SubscriptionOut:
    counts = session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.subscription_id == row.id)
        .group_by(Delivery.status)
    ).all()
    return SubscriptionOut(**subscription_to_dict(row), deliveries={s: n for s, n in counts})


def _spec_error(exc: SubscriptionError) -> BadRequest:
    field, _, _ = str(exc).partition(":")
    return BadRequest(str(exc), fields=[{"field": field, "message": str(exc)}])


def feed_urls(subscription_id: int, token: str) -> dict[str, str]:
    """The subscription's Atom and RSS feed URLs, with its token."""
    base = f"{get_settings().site_url.rstrip('/')}/api/v1/feeds/{subscription_id}"
    return {"atom": f"{base}.atom?token={token}", "rss": f"{base}.rss?token={token}"}


@router.post("/subscriptions", response_model=SubscriptionCreated, status_code=201)
def post_subscription(spec: SubscriptionSpec, session: DbSession) -> SubscriptionCreated:
    """Create a subscription. The answer holds the volume estimate (with a warning when it
    is above the threshold), the feed token and the webhook signing secret: keep them, they
    are not shown again."""
    try:
        created = create_subscription(session, spec)
    except SubscriptionError as exc:
        raise _spec_error(exc) from exc
    return SubscriptionCreated(
        subscription=_out(session, created.row),
        feed_token=created.feed_token,
        feeds=feed_urls(created.row.id, created.feed_token),
        signing_secret=created.row.signing_secret,
        volume=VolumeOut(**created.estimate.to_dict(spec.language)),
    )


@router.post("/subscriptions/estimate", response_model=VolumeOut)
def post_estimate(spec: SubscriptionSpec, session: DbSession) -> VolumeOut:
    """The volume estimate for a subscription, without saving it."""
    try:
        estimate = estimate_volume(session, spec)
    except SubscriptionError as exc:
        raise _spec_error(exc) from exc
    return VolumeOut(**estimate.to_dict(spec.language))


@router.get("/subscriptions", response_model=list[SubscriptionOut])
def get_subscriptions(session: DbSession) -> list[SubscriptionOut]:
    """Every subscription, with its delivery counts by status."""
    return [_out(session, row) for row in list_subscriptions(session)]


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
def get_subscription(subscription_id: int, session: DbSession) -> SubscriptionOut:
    """One subscription, with its delivery counts by status."""
    return _out(session, _get(session, subscription_id))


class SubscriptionPatch(BaseModel):
    """What can change without re-validating channels: the name, pausing, the severity."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    active: bool | None = None
    min_severity: Severity | None = None


@router.patch("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
def patch_subscription(
    subscription_id: int, patch: SubscriptionPatch, session: DbSession
) -> SubscriptionOut:
    """Rename, pause (``active: false``: nothing is sent) or resume a subscription, or change
    its minimum severity. On resuming, the alerts raised meanwhile are sent."""
    row = _get(session, subscription_id)
    if patch.name is not None:
        row.name = patch.name.strip()
    if patch.active is not None:
        row.active = patch.active
    if patch.min_severity is not None:
        row.min_severity = patch.min_severity.value
    session.flush()
    return _out(session, row)


@router.delete("/subscriptions/{subscription_id}", status_code=204)
def delete_subscription(subscription_id: int, session: DbSession) -> Response:
    """Delete a subscription and its delivery records."""
    if not remove_subscription(session, subscription_id):
        raise NotFound(f"no subscription {subscription_id}")
    return Response(status_code=204)


@router.get("/subscriptions/{subscription_id}/deliveries", response_model=list[DeliveryOut])
def get_deliveries(
    subscription_id: int,
    session: DbSession,
    status: Annotated[str | None, Query(pattern="^(pending|sending|sent|failed)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[DeliveryOut]:
    """The subscription's deliveries, newest first (failed ones say why)."""
    _get(session, subscription_id)
    query = select(Delivery).where(Delivery.subscription_id == subscription_id)
    if status:
        query = query.where(Delivery.status == status)
    rows = session.scalars(query.order_by(Delivery.id.desc()).limit(limit))
    return [DeliveryOut.model_validate(_delivery(r)) for r in rows]


def _delivery(row: Delivery) -> dict[str, Any]:
    return {c: getattr(row, c) for c in DeliveryOut.model_fields}
