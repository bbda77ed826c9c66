"""The generic RSS/Atom spider: defusedxml vets the XML, feedparser reads it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scrapy.http import Response

from core.types import ItemRecord
from crawlers.config import FeedOptions
from crawlers.context import ParseContext
from crawlers.payloads import parse_feed
from crawlers.spiders.base import SourceSpider
from crawlers.text import html_to_text, single_line


class FeedSpider(SourceSpider):
    """A source published as an RSS or Atom feed (``spider: feed``)."""

    def decode(self, response: Response, ctx: ParseContext) -> Any:
        """The feed, after the XML passed the safety check."""
        return parse_feed(response.body, ctx.location)

    def iter_entries(self, payload: Any, ctx: ParseContext) -> Iterable[Any]:
        """The feed's entries."""
        entries: list[Any] = payload.entries
        return entries

    def make_item(self, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """An entry as an item (see ``feed_entry_to_item``)."""
        return feed_entry_to_item(entry, ctx, self.source.feed_options())


def feed_entry_to_item(entry: Any, ctx: ParseContext, options: FeedOptions) -> ItemRecord:
    """A feedparser entry as an item: title, link, summary and content as plain text.

    The upstream key is the entry's ``id`` (RSS guid, Atom id) or its ``link``, as the
    source's ``feed.key`` says, the other one standing in when it is missing.

    Raises:
        ValueError: When the entry has neither an id nor a link.
    """
    link = entry.get("link")
    first, second = (entry.get("id"), link) if options.key == "id" else (link, entry.get("id"))
    key = first or second
    if not key:
        raise ValueError("feed entry has neither an id nor a link")
    content = entry.get("content") or []
    return ctx.new_item(
        key,
        single_line(html_to_text(entry.get("title", ""))),
        url=link,
        summary=html_to_text(entry.get("summary", "")),
        body=html_to_text(content[0].get("value", "")) if content else "",
        published_at=ctx.date(entry.get("published") or entry.get("updated"), "published"),
    )
