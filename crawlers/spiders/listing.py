"""The generic listing spider: listing pages → article links → article pages → items.

A source that publishes HTML pages (news releases, notices, decision tables) is declared in
YAML only (``spider: listing`` and ``listing:``, see ``crawlers.config.ListingOptions``):

- each listing page's ``entries`` are found by a selector; matching nothing fails the run
  with a readable reason (the site's layout has changed), as does an article page whose
  title selector matches nothing;
- with ``article:`` selectors each entry's link is fetched and read; without them the entry
  itself is the item (a table row of decisions). An entry linking to a document (a PDF
  notice) is always read from the listing;
- ``next_page`` is followed up to ``max_pages``.

Incremental: before a live crawl the spider reads which article URLs (and raw refs) of the
source are already stored, and does not request those pages again. A replay reads every
saved article (see ``crawlers.spiders.manifest`` for the replay folder).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from parsel import Selector
from scrapy.http import Request, Response

from core.logging_ import get_logger
from core.types import ItemRecord
from crawlers.checks import is_web_url
from crawlers.config import ListingOptions
from crawlers.context import ParseContext
from crawlers.errors import PayloadError, ReplayError, one_line
from crawlers.outcome import Problem
from crawlers.payloads import check_size
from crawlers.spiders.base import SourceSpider, next_page_loop, page_key
from crawlers.spiders.fields import (
    date_in,
    html_selector,
    link_at,
    nodes_at,
    read_fields,
    text_at,
)
from crawlers.spiders.manifest import ReplayManifest, load_manifest

log = get_logger(__name__)

DOCUMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".rtf", ".odt", ".hwp", ".zip")
"""Links to these are documents, not article pages: such an entry is read from the listing."""
KNOWN_SKIPPED_STAT = "iprwatch/listing/known_skipped"
EXCLUDED_STAT = "iprwatch/listing/excluded"


@dataclass(frozen=True)
class ListingPage:
    """A listing page and the URL it was read from (a replay's file stands for that URL)."""

    url: str
    selector: Selector


@dataclass(frozen=True)
class Entry:
    """One entry of a listing page, with its article page once fetched.

    Attributes:
        url: The absolute article URL the entry links to, if any.
        row: The entry on the listing page.
        page: The article page (``None`` until fetched, or when the entry is the item).
    """

    url: str | None
    row: Selector
    page: Selector | None = None


class ListingSpider(SourceSpider):
    """A source published as HTML listing pages (``spider: listing``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.known: frozenset[str] = frozenset()
        self.requested: set[str] = set()
        self.manifest: ReplayManifest | None = None

    @property
    def listing(self) -> ListingOptions:
        """The source's ``listing:`` options."""
        return self.source.listing_options()

    def initial_requests(self) -> list[Request]:
        """The start URLs; live, after learning which articles are stored already."""
        if self.replay_path is None:
            self.known = stored_refs(self.source.id)
            return [self.request(url) for url in self.start_urls]
        try:
            self.manifest = load_manifest(self.replay_path)
        except ReplayError as exc:
            self._fail(exc.location, exc.reason)
            return []
        missing = [url for url in self.start_urls if not self.replay_has(url)]
        if missing:
            self._fail(str(self.manifest.folder), f"manifest.json maps no file to {missing[0]}")
            return []
        return [self.request(url) for url in self.start_urls]

    def request(self, url: str, meta: dict[str, Any] | None = None) -> Request:
        """A listing page's request (see ``page_request``)."""
        return self.page_request(url, meta)

    def page_request(
        self,
        url: str,
        meta: dict[str, Any] | None = None,
        callback: Callable[..., Any] | None = None,
        priority: int = 0,
    ) -> Request:
        """A request for ``url``; during a replay, for the file the manifest maps it to.

        Raises:
            ReplayError: When replaying and the manifest maps no file to ``url`` (callers
                ask ``replay_has`` first: a replay never reaches the network).
        """
        meta = dict(meta or {})
        if self.manifest is not None:
            path = self.manifest.path_for(url)
            if path is None:
                raise ReplayError(str(self.manifest.folder), f"manifest.json maps no file to {url}")
            meta.update(replay_file=str(path), page_url=url)
            url = path.as_uri()
        return Request(
            url,
            callback=callback or self.parse,
            errback=self.on_request_error,
            meta=meta,
            priority=priority,
            dont_filter=True,
        )

    def replay_has(self, url: str) -> bool:
        """Whether the replay's manifest maps ``url`` to a saved page."""
        return self.manifest is not None and self.manifest.path_for(url) is not None

    def max_pages(self) -> int:
        """``listing.max_pages``."""
        return self.listing.max_pages

    # Hooks -------------------------------------------------------------------------------

    def decode(self, response: Response, ctx: ParseContext) -> ListingPage:
        """The listing page."""
        page = html_selector(response, ctx.location, ctx.source.language)
        return ListingPage(page_url(response), page)

    def iter_entries(self, payload: ListingPage, ctx: ParseContext) -> Iterable[Entry]:
        """The page's entries (those ``include`` keeps).

        Raises:
            PayloadError: When the entries selector matches nothing: the layout changed.
        """
        spec = self.listing.entries
        rows = nodes_at(payload.selector, spec)
        if not rows:
            raise PayloadError(
                ctx.location,
                f"listing selector {spec!r} matched nothing: has the page layout changed?",
            )
        entries = []
        for row in rows:
            if self.listing.include and not re.search(self.listing.include, row_text(row)):
                self.crawler.stats.inc_value(EXCLUDED_STAT)
                continue
            entries.append(Entry(link_at(row, self.listing.link, payload.url), row))
        return entries

    def entry_results(self, entry: Entry, ctx: ParseContext) -> Iterator[Any]:
        """The entry's item, or a request for its article page (unless stored already)."""
        if self.listing.article is None:
            yield from super().entry_results(entry, ctx)
            return
        url = entry.url
        if url is None or not is_web_url(url):
            ctx.problem("item", f"listing entry links to no web page ({url!r}); skipped")
            return
        if is_document(url):  # a notice published as a PDF: the listing entry is the item
            yield from super().entry_results(entry, ctx)
            return
        if url in self.requested:
            return
        self.requested.add(url)
        if url in self.known:
            self.crawler.stats.inc_value(KNOWN_SKIPPED_STAT)
            return
        if self.manifest is not None and not self.replay_has(url):
            ctx.problem("item", f"article {url} is not in the replay's manifest.json; skipped")
            return
        # Earlier entries first (a higher priority), so a replay keeps the listing's order.
        order = -len(self.requested)
        yield self.page_request(url, {"entry": entry}, self.parse_article, priority=order)

    def parse_article(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """An article page as the item of the entry that linked to it."""
        ctx = self.context_for(response)
        try:
            check_size(response.body, self.max_body_bytes(), ctx.location)
            page = html_selector(response, ctx.location, ctx.source.language)
            article = replace(response.meta["entry"], page=page)
            self.check_article(article, ctx)
        except PayloadError as exc:
            ctx.problem("payload", exc.reason, fatal=True)
            return
        yield from super().entry_results(article, ctx)

    def check_article(self, entry: Entry, ctx: ParseContext) -> None:
        """Refuse an article page whose title selector matches nothing (a changed layout).

        Raises:
            PayloadError: Naming the selector.
        """
        spec = self.listing.article.title if self.listing.article else None
        if spec is not None and entry.page is not None and not text_at(entry.page, spec):
            raise PayloadError(
                ctx.location,
                f"article title selector {spec!r} matched nothing: has the page layout changed?",
            )

    def make_item(self, entry: Entry, ctx: ParseContext) -> ItemRecord | None:
        """The entry as an item, its fields read by the YAML's selectors.

        Raises:
            ValueError: When the entry has no title.
        """
        fields = read_fields(entry.row, entry.page, self.listing)
        if not fields.title:
            raise ValueError("listing entry has no title")
        return ctx.new_item(
            self.entry_key(entry),
            fields.title,
            url=entry.url,
            summary=fields.summary,
            body=fields.body,
            published_at=self.published_at(fields.date, ctx),
        )

    def entry_key(self, entry: Entry) -> str:
        """The entry's upstream key (default: its article URL).

        Raises:
            ValueError: When the entry has no link.
        """
        if entry.url is None:
            raise ValueError("listing entry has no link")
        return entry.url

    def published_at(self, text: str, ctx: ParseContext) -> datetime | None:
        """The publication date in a field's text (a problem is recorded when unreadable)."""
        if not text:
            return None
        date = date_in(text, self.listing.date_pattern)
        if date is None:
            ctx.problem("date", f"published: no date matching the date pattern in {text!r}")
            return None
        return ctx.date(date, "published", self.listing.date_formats)

    def next_page_url(self, payload: ListingPage, ctx: ParseContext) -> str | None:
        """The URL ``listing.next_page`` finds (never the page itself: a link to it is
        recorded as a loop, as one to an earlier page is by ``follow_next_page``)."""
        spec = self.listing.next_page
        url = link_at(payload.selector, spec, payload.url) if spec else None
        if url and page_key(url) == page_key(payload.url):
            ctx.problem("payload", next_page_loop(url))
            return None
        return url if url and is_web_url(url) else None

    def _fail(self, location: str, reason: str) -> None:
        self.problems.append(Problem(kind="payload", message=reason, location=location, fatal=True))


def page_url(response: Response) -> str:
    """The URL a response answers (during a replay, the URL its saved file stands for)."""
    url: str = response.meta.get("page_url") or response.url
    return url


def is_document(url: str) -> bool:
    """Whether a link points at a document file (PDF, Word ...) rather than a web page."""
    return urlsplit(url).path.lower().endswith(DOCUMENT_SUFFIXES)


def row_text(row: Selector) -> str:
    """A listing entry's plain text on one line."""
    return " ".join(" ".join(row.xpath(".//text()").getall()).split())


def stored_refs(source_id: str) -> frozenset[str]:
    """The URLs and raw refs of a source's items already in the database.

    Empty before the first run (no table yet). An unreadable database is logged and read as
    empty: the crawl then fetches every article rather than none.
    """
    # Imported here: a crawl child that reads no listing need not load the ORM.
    from sqlalchemy import inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    from core.db import get_engine, session_scope
    from core.models import Item

    try:
        engine = get_engine()
        if not inspect(engine).has_table(Item.__tablename__):
            return frozenset()
        with session_scope() as session:
            query = select(Item.url, Item.raw_ref).where(Item.source_id == source_id)
            rows = session.execute(query).all()
    except SQLAlchemyError as exc:
        log.warning(
            "stored items unreadable; every article will be fetched",
            source=source_id,
            error=one_line(str(exc)),
        )
        return frozenset()
    return frozenset(value for row in rows for value in row if value)
