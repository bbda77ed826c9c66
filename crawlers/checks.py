"""Checks every scraped item passes, as juriscraper checks each scrape.

An item without its required fields, or whose URL is not an ``http(s)`` URL (a
``javascript:`` or ``data:`` link in a hostile feed), is skipped (and recorded); an
implausible or missing publication date is recorded, and an implausible one is dropped rather
than kept wrong.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from w3lib.url import safe_url_string

from core.types import ItemRecord
from crawlers.context import ParseContext

REQUIRED_FIELDS: tuple[str, ...] = ("id", "title", "url")
EARLIEST_PLAUSIBLE = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=7)


def check_item(item: ItemRecord, ctx: ParseContext) -> ItemRecord | None:
    """The item if it passes the checks (its date cleared if implausible), else ``None``."""
    ref = item.raw_ref or item.id
    missing = [name for name in REQUIRED_FIELDS if not getattr(item, name)]
    if missing:
        ctx.problem("item", f"item {ref!r} lacks {', '.join(missing)}; skipped")
        return None
    if not is_web_url(item.url or ""):
        ctx.problem("item", f"item {ref!r}: url {item.url!r} is not an http(s) URL; skipped")
        return None
    if item.published_at is None:
        ctx.problem("date", f"item {ref!r} has no publication date")
        return item
    if not is_plausible_date(item.published_at, ctx.fetched_at):
        ctx.problem(
            "date",
            f"item {ref!r}: publication date {item.published_at.isoformat()} is implausible; "
            "dropped",
        )
        return item.model_copy(update={"published_at": None})
    return item


def is_web_url(url: str) -> bool:
    """Whether a link is an absolute ``http(s)`` URL that a request can be made for (not
    ``javascript:``, ``data:``, relative, or malformed such as an unclosed ``[``)."""
    try:
        written = urlsplit(url.strip())
        parts = urlsplit(safe_url_string(url))
        parts.port  # noqa: B018 (raises ValueError for a port that is not one)
    except ValueError:
        return False
    # the link as written must name a host itself: w3lib 2.6 makes "https:&x;//host/" into
    # "https://&x;//host/", whose host is "&x;"
    host = parts.hostname
    return (
        parts.scheme in ("http", "https")
        and bool(written.netloc)
        and host is not None
        and _HOST.fullmatch(host) is not None
    )


_HOST = re.compile(r"[\w.-]+|\[[0-9a-f:.]+\]|[0-9a-f:.]+", re.IGNORECASE)
"""A host name (letters of any script, digits, dots, hyphens), or an IP address."""


def is_plausible_date(value: datetime, now: datetime) -> bool:
    """Whether a publication date lies between 1970 and a week after ``now``."""
    return EARLIEST_PLAUSIBLE <= value <= now + FUTURE_SLACK
