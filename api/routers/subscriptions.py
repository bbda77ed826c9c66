"""Subscriptions: create (with the volume estimate), list, show, delete, and their deliveries."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from api.auth import Principal, audit, visible_enterprise_ids
from api.auth._principal import not_found
from api.deps import DbSession
from api.errors import ERROR_RESPONSES, BadRequest
from api.routers._access import (
    MAX_ID,
    RowId,
    SubscriptionsRead,
    SubscriptionsWrite,
    check_owner,
    owned_or_404,
)
from api.schemas import UtcDateTime
from core.models import Delivery, SavedSearch, Subscription
from core.settings import get_settings
from core.types import Severity
from search.errors import BadQuery
from warning.delivery_pause import set_active
from warning.subscription_removal import remove_subscription
from warning.subscriptions import (
    SubscriptionError,
    SubscriptionName,
    SubscriptionSpec,
    create_subscription,
    estimate_volume,
    shared_channels,
    subscription_to_dict,
)

router = APIRouter(tags=["subscriptions"], responses=ERROR_RESPONSES)


class VolumeOut(BaseModel):
    """Alerts per day over the last 100 days, and a warning above the threshold."""

    alerts: int
    days: int
    alerts_per_day: float
    threshold: float
    warning: str | None
    until: date | None = Field(
        default=None,
        description="The window's last day when the stored data stands at a past day "
        "(the demo's bundled data); null: today.",
    )


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
    resumed_at: UtcDateTime | None = Field(
        description="When the subscription was last resumed after a pause (null: never "
        "paused, or paused and not resumed yet). Alerts created before it that were not "
        "queued by then are not sent: the paused period stays on the web UI and in the feed."
    )
    deliveries: dict[str, int] = Field(default_factory=dict)
    shared_channels: list[str] = Field(
        default_factory=list,
        description=(
            "Channels (redacted) that another subscription of the same enterprise, or a shared "
            "one, also names; only subscriptions the caller may see count (a shared one: for "
            "admins). Such an address gets each alert once, not once per subscription: "
            "from the one that sends soonest (instant, then daily, then weekly; then the "
            "oldest), so the others' delivery counts leave those alerts out."
        ),
    )


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
    next_attempt_at: UtcDateTime | None
    last_error: str | None
    sent_at: UtcDateTime | None
    owner_notified_at: UtcDateTime | None


class SubscriptionPage(BaseModel):
    """A page of subscriptions, oldest first."""

    subscriptions: list[SubscriptionOut]
    next_cursor: str | None = None


class DeliveryPage(BaseModel):
    """A page of deliveries, newest first."""

    deliveries: list[DeliveryOut]
    next_cursor: str | None = None


def _get(session: DbSession, principal: Principal, subscription_id: RowId) -> Subscription:
    """A subscription the caller may see and change: one of its enterprises'; shared ones
    (no enterprise) are for admins only."""
    row = session.get(Subscription, subscription_id)
    if row is not None and row.enterprise_id is None and not principal.is_admin:
        raise not_found("subscription", subscription_id)
    owner = row.enterprise_id if row is not None else None
    return owned_or_404(principal, row, owner, "subscription", subscription_id)


def _check_spec(session: DbSession, principal: Principal, spec: SubscriptionSpec) -> None:
    """The enterprise and saved search named must be the caller's (or shared, for the
    search); a shared subscription (no enterprise) is for admins."""
    check_owner(principal, spec.enterprise_id)
    if spec.saved_search_id is not None:
        if spec.saved_search_id > MAX_ID:  # cannot exist; the database would refuse the number
            raise not_found("saved search", spec.saved_search_id)
        saved = session.get(SavedSearch, spec.saved_search_id)
        owner = saved.enterprise_id if saved is not None else None
        owned_or_404(principal, saved, owner, "saved search", spec.saved_search_id)


def _out(session: DbSession, principal: Principal, row: Subscription) -> SubscriptionOut:
    """The subscription as the caller sees it: ``shared_channels`` names only addresses that
    a subscription the caller may see also names (never an admin's shared one, to others)."""
    counts = session.execute(
        select(Delivery.status, func.count())
        .where(Delivery.subscription_id == row.id)
        .group_by(Delivery.status)
    ).all()
    return SubscriptionOut(
        **subscription_to_dict(row),
        deliveries={s: n for s, n in counts},
        shared_channels=shared_channels(session, row, visible_enterprise_ids(principal)),
    )


def _spec_error(exc: SubscriptionError | BadQuery) -> BadRequest:
    if isinstance(exc, BadQuery):  # a saved search stored before its values were checked
        message = f"saved_search_id: the saved search is not valid any more ({exc.reason})"
        return BadRequest(message, fields=[{"field": "saved_search_id", "message": message}])
    field, _, _ = str(exc).partition(":")
    return BadRequest(str(exc), fields=[{"field": field, "message": str(exc)}])


def feed_urls(subscription_id: RowId, token: str) -> dict[str, str]:
    """The subscription's Atom and RSS feed URLs, with its token."""
    base = f"{get_settings().site_url.rstrip('/')}/api/v1/feeds/{subscription_id}"
    return {"atom": f"{base}.atom?token={token}", "rss": f"{base}.rss?token={token}"}


@router.post("/subscriptions", response_model=SubscriptionCreated, status_code=201)
def post_subscription(
    spec: SubscriptionSpec, session: DbSession, principal: SubscriptionsWrite
) -> SubscriptionCreated:
    """Create a subscription. The answer holds the volume estimate (with a warning when it
    is above the threshold), the feed token and the webhook signing secret: keep them, they
    are not shown again."""
    _check_spec(session, principal, spec)
    try:
        created = create_subscription(session, spec)
    except (SubscriptionError, BadQuery) as exc:
        raise _spec_error(exc) from exc
    audit(session, principal, "subscription.create", "subscription", created.row.id)
    return SubscriptionCreated(
        subscription=_out(session, principal, created.row),
        feed_token=created.feed_token,
        feeds=feed_urls(created.row.id, created.feed_token),
        signing_secret=created.row.signing_secret,
        volume=VolumeOut(**created.estimate.to_dict(spec.language)),
    )


@router.post("/subscriptions/estimate", response_model=VolumeOut)
def post_estimate(
    spec: SubscriptionSpec, session: DbSession, principal: SubscriptionsWrite
) -> VolumeOut:
    """The volume estimate for a subscription, without saving it."""
    _check_spec(session, principal, spec)
    try:
        estimate = estimate_volume(session, spec)
    except (SubscriptionError, BadQuery) as exc:
        raise _spec_error(exc) from exc
    return VolumeOut(**estimate.to_dict(spec.language))


@router.get("/subscriptions", response_model=SubscriptionPage)
def get_subscriptions(
    session: DbSession,
    principal: SubscriptionsRead,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[int | None, Query(ge=0, le=MAX_ID, description="`next_cursor`.")] = None,
) -> SubscriptionPage:
    """The caller's subscriptions (an admin's: every one, shared ones included), oldest
    first, with their delivery counts by status."""
    query = select(Subscription).order_by(Subscription.id).limit(limit + 1)
    visible = visible_enterprise_ids(principal)
    if visible is not None:
        query = query.where(Subscription.enterprise_id.in_(sorted(visible)))
    if cursor is not None:
        query = query.where(Subscription.id > cursor)
    rows = list(session.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    return SubscriptionPage(
        subscriptions=[_out(session, principal, row) for row in rows],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )


@router.get("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
def get_subscription(
    subscription_id: RowId, session: DbSession, principal: SubscriptionsRead
) -> SubscriptionOut:
    """One subscription, with its delivery counts by status."""
    return _out(session, principal, _get(session, principal, subscription_id))


class SubscriptionPatch(BaseModel):
    """What can change without re-validating channels: the name, pausing, the severity."""

    name: SubscriptionName | None = None
    active: bool | None = None
    min_severity: Severity | None = None


@router.patch("/subscriptions/{subscription_id}", response_model=SubscriptionOut)
def patch_subscription(
    subscription_id: RowId,
    patch: SubscriptionPatch,
    session: DbSession,
    principal: SubscriptionsWrite,
) -> SubscriptionOut:
    """Rename, pause (``active: false``: nothing is sent) or resume a subscription, or change
    its minimum severity. Pausing withdraws what waits to be sent (an address another active
    subscription names gets it from that one); on resuming, alerts raised while paused are
    not sent (they stay on the web UI and in the feed), only those raised from then on."""
    row = _get(session, principal, subscription_id)
    if patch.name is not None:
        row.name = patch.name.strip()
    if patch.active is not None:
        set_active(session, row, patch.active)
    if patch.min_severity is not None:
        row.min_severity = patch.min_severity.value
    session.flush()
    audit(session, principal, "subscription.change", "subscription", row.id,
          patch.model_dump(exclude_none=True, mode="json"))  # fmt: skip
    return _out(session, principal, row)


@router.delete("/subscriptions/{subscription_id}", status_code=204, response_class=Response)
def delete_subscription(
    subscription_id: RowId, session: DbSession, principal: SubscriptionsWrite
) -> Response:
    """Delete a subscription and its delivery records."""
    _get(session, principal, subscription_id)
    remove_subscription(session, subscription_id)
    audit(session, principal, "subscription.delete", "subscription", subscription_id)
    return Response(status_code=204)


@router.get("/subscriptions/{subscription_id}/deliveries", response_model=DeliveryPage)
def get_deliveries(
    subscription_id: RowId,
    session: DbSession,
    principal: SubscriptionsRead,
    status: Annotated[
        str | None, Query(pattern="^(pending|sending|sent|failed|withdrawn)$")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[int | None, Query(ge=0, le=MAX_ID, description="`next_cursor`.")] = None,
) -> DeliveryPage:
    """The subscription's deliveries, newest first (failed ones say why)."""
    _get(session, principal, subscription_id)
    query = select(Delivery).where(Delivery.subscription_id == subscription_id)
    if status:
        query = query.where(Delivery.status == status)
    if cursor is not None:
        query = query.where(Delivery.id < cursor)
    rows = list(session.scalars(query.order_by(Delivery.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return DeliveryPage(
        deliveries=[DeliveryOut.model_validate(_delivery(r)) for r in rows],
        next_cursor=str(rows[-1].id) if more and rows else None,
    )


def _delivery(row: Delivery) -> dict[str, Any]:
    return {c: getattr(row, c) for c in DeliveryOut.model_fields}
