"""Each subscription's RSS/Atom feed, opened by its secret token (a wrong token is a 404)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import DbSession
from api.errors import PUBLIC_ERROR_RESPONSES, NotFound
from api.routers._access import RowId
from core.models import Subscription
from warning.feeds import FeedFormat, render_feed
from warning.subscriptions import token_matches

router = APIRouter(tags=["feeds"], responses=PUBLIC_ERROR_RESPONSES)

Token = Annotated[str, Query(min_length=1, max_length=200, description="The feed token.")]
MEDIA = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


def _feed(session: DbSession, subscription_id: RowId, token: str, fmt: FeedFormat) -> Response:
    row = session.get(Subscription, subscription_id)
    if row is None or not token_matches(row, token):
        raise NotFound("no such feed")  # the same answer, so ids cannot be probed
    body = render_feed(session, row, fmt)
    return Response(body, media_type=f"{MEDIA[fmt]}; charset=utf-8")


@router.get("/feeds/{subscription_id}.atom", response_class=Response)
def atom_feed(subscription_id: RowId, token: Token, session: DbSession) -> Response:
    """The subscription's newest alerts as Atom."""
    return _feed(session, subscription_id, token, "atom")


@router.get("/feeds/{subscription_id}.rss", response_class=Response)
def rss_feed(subscription_id: RowId, token: Token, session: DbSession) -> Response:
    """The subscription's newest alerts as RSS 2.0."""
    return _feed(session, subscription_id, token, "rss")
