"""The generic RSS/Atom spider: defusedxml vets the XML, feedparser reads it.

A feed whose entries carry categories (RSS ``<category>``, Atom ``<category term>``) can
have them read as cues: a subclass sets ``category_cues``, a ``Lookup`` from category to
``Cue`` (the kind and IP types it implies). Unknown categories are counted, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from scrapy.http import Response

from core.types import ItemKind, ItemRecord
from crawlers.config import FeedOptions
from crawlers.context import Lookup, ParseContext
from crawlers.payloads import parse_feed
from crawlers.spiders.base import SourceSpider
from crawlers.text import html_to_text, single_line

KIND_PRECEDENCE: tuple[ItemKind, ...] = (
    ItemKind.RULE_CHANGE,
    ItemKind.ENFORCEMENT,
    ItemKind.DISPUTE,
    ItemKind.DECISION,
    ItemKind.REPORT,
    ItemKind.NEWS,
)
"""When an entry's categories imply several kinds, the most actionable one wins."""


@dataclass(frozen=True)
class Cue:
    """What one category says about an entry (``Cue()``: a known category saying nothing).

    Attributes:
        kind: The kind of item it implies, if any.
        ip_types: The IP rights it concerns.
    """

    kind: ItemKind | None = None
    ip_types: tuple[str, ...] = ()


class FeedSpider(SourceSpider):
    """A source published as an RSS or Atom feed (``spider: feed``).

    Attributes:
        category_cues: The table reading entry categories as cues (``None``: ignored).
    """

    category_cues: ClassVar[Lookup[Cue] | None] = None

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

    def refine_item(self, item: ItemRecord, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """The kind and IP types the entry's categories imply (see ``apply_cues``)."""
        if self.category_cues is None:
            return item
        return apply_cues(item, entry_categories(entry), self.category_cues, ctx)


def entry_categories(entry: Any) -> list[str]:
    """The category terms of a feedparser entry, as written."""
    terms = (single_line(tag.get("term") or "") for tag in entry.get("tags") or [])
    return [term for term in terms if term]


def apply_cues(
    item: ItemRecord, categories: list[str], cues: Lookup[Cue], ctx: ParseContext
) -> ItemRecord:
    """The item with the kind and IP types its categories imply.

    The kind is the most actionable one implied (``KIND_PRECEDENCE``) and the IP types are
    all those implied; where the categories imply none, the source's defaults stay.
    """
    found = [cue for term in categories if (cue := cues.get(term, ctx)) is not None]
    kinds = {cue.kind for cue in found if cue.kind is not None}
    kind = next((k for k in KIND_PRECEDENCE if k in kinds), item.kind)
    ip_types = list(dict.fromkeys(t for cue in found for t in cue.ip_types))
    return item.model_copy(update={"kind": kind, "ip_types": ip_types or item.ip_types})


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
