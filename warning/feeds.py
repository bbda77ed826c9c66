"""Each subscription's RSS and Atom feed (feedgen): its newest alerts, most recent first."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Literal

from feedgen.feed import FeedGenerator
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.logging_ import get_logger
from core.models import AlertRow, Subscription, utcnow
from core.settings import get_settings
from search.errors import BadQuery, SavedSearchNotFound
from warning.delivery import SEVERITY_ORDER, AlertView, alert_link, alert_message
from warning.delivery_queue import aware
from warning.delivery_store import alert_views
from warning.subscriptions import saved_search_hits, severity_allowed

log = get_logger(__name__)

FeedFormat = Literal["atom", "rss"]
FEED_SIZE = 50


def feed_alerts(session: Session, sub: Subscription, limit: int = FEED_SIZE) -> list[AlertRow]:
    """The subscription's newest alerts (its filters; any age)."""
    severities = [s for s in SEVERITY_ORDER if severity_allowed(sub.min_severity, s)]
    query = select(AlertRow).where(AlertRow.severity.in_(severities))
    if sub.enterprise_id:
        query = query.where(AlertRow.enterprise_id == sub.enterprise_id)
    fetch = limit if sub.saved_search_id is None else limit * 4
    rows = list(session.scalars(query.order_by(AlertRow.id.desc()).limit(fetch)))
    if sub.saved_search_id is not None and rows:
        rows = _found_by_search(session, sub, rows)
    return rows[:limit]


def _found_by_search(session: Session, sub: Subscription, rows: list[AlertRow]) -> list[AlertRow]:
    """The alerts on items the subscription's saved search finds; none when that search is
    gone or no longer valid (its feed is then empty, as its deliveries stop: not a 500)."""
    assert sub.saved_search_id is not None
    oldest = min(aware(r.created_at) or utcnow() for r in rows)
    since = (oldest - timedelta(days=400)).date()
    try:
        hits = saved_search_hits(session, sub.saved_search_id, {r.item_id for r in rows}, since)
    except (BadQuery, SavedSearchNotFound) as exc:
        log.warning("feed_saved_search_invalid", subscription=sub.id, reason=str(exc))
        return []
    return [r for r in rows if r.item_id in hits]


def render_feed(session: Session, sub: Subscription, fmt: FeedFormat) -> bytes:
    """The feed document, in the subscription's language."""
    site = get_settings().site_url.rstrip("/")
    rows = feed_alerts(session, sub)
    views = {v.id: v for v in alert_views(session, [r.id for r in rows])}
    feed = FeedGenerator()
    feed.id(f"{site}/api/v1/feeds/{sub.id}")
    feed.title(f"IPRWatch · {sub.name}")
    feed.link(href=f"{site}/alerts?lang={sub.language}", rel="alternate")
    feed.description("海外知识产权风险预警" if sub.language == "zh" else "Overseas IP-risk alerts")
    feed.language("zh-CN" if sub.language == "zh" else "en")
    for row in reversed(rows):  # feedgen prepends: oldest first gives newest on top
        _add_entry(feed, views[row.id], row, sub.language, site, fmt)
    return bytes(feed.atom_str(pretty=True) if fmt == "atom" else feed.rss_str(pretty=True))


def _add_entry(
    feed: FeedGenerator, view: AlertView, row: AlertRow, lang: str, site: str, fmt: FeedFormat
) -> None:
    message = alert_message(view, lang, site)
    entry = feed.add_entry()
    entry.id(f"{site}/alerts/{row.id}")
    entry.title(message.title)
    entry.link(href=alert_link(site, row.id, lang))
    if fmt == "atom":  # Atom says its content is text; readers keep lines and "<...>"
        entry.content(message.body, type="text")
    else:  # RSS readers take a description for HTML: escaped, one line per line
        entry.description(html.escape(message.body).replace("\n", "<br/>\n"))
    entry.published(aware(row.created_at))
    entry.updated(aware(row.created_at))
