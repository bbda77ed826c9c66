"""The base spider: replay, size cap, per-entry isolation, item checks and problem records.

A spider for a source fills in named hooks, each small and each given a ``ParseContext``:

- ``decode(response, ctx)``: the body as data (raise ``PayloadError`` when it is not);
- ``iter_entries(payload, ctx)``: the entries in it (``PayloadError`` for a wrong shape);
- ``make_item(entry, ctx)``: one entry as an ``ItemRecord`` (``None`` to skip it);
- ``refine_item(item, entry, ctx)``: source-specific additions to a generic item;
- ``next_page_url(payload, ctx)``: the next page, followed up to ``max_pages``;
- ``entry_results(entry, ctx)``: what one entry gives (default: its checked item; the
  listing spider yields a request for the entry's article page instead).

Everything else is shared: a bad entry is recorded and skipped while the others go on, and
a replay reads saved files through exactly the same hooks as a live crawl.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from pydantic import BaseModel, ConfigDict
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from core.settings import get_settings
from core.types import ItemRecord
from crawlers.checks import check_item, is_web_url
from crawlers.config import SourceConfig
from crawlers.context import ParseContext
from crawlers.errors import PayloadError, one_line
from crawlers.outcome import Problem, ProblemKind
from crawlers.payloads import check_size
from crawlers.replay import replay_files
from crawlers.robots import unreachable_reason

REPLAY_SETTINGS: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "HTTPCACHE_ENABLED": False,
    "RETRY_ENABLED": False,
    "CONCURRENT_REQUESTS": 1,
}
"""Settings a replay overrides: saved files need no politeness, cache or retries, and are
read one at a time so a replay that follows links yields its items in a stable order."""


ROBOTS_FORBIDDEN = "Forbidden by robots.txt"
"""Scrapy's reason for a request robots.txt disallows (other ignored requests say theirs)."""


class NoOptions(BaseModel):
    """Options of a spider that takes none (any key in ``options:`` is an error)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class SourceSpider(scrapy.Spider):
    """Base of every source spider; subclasses fill in the hooks.

    Attributes:
        source: The source this spider class was generated for.
        options_model: The pydantic model of the source's ``options:`` (custom spiders).
        replay_path: The saved response(s) to read instead of the network, if any
            (``-a replay=PATH``; ``-a start_url=URL`` crawls one other page live).
        problems: What went wrong, for the runner to collect.
        unmapped: Counts of categorical values missing from lookup tables.
    """

    source: ClassVar[SourceConfig]
    options_model: ClassVar[type[BaseModel]] = NoOptions

    def __init__(
        self, replay: str | None = None, start_url: str | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.replay_path: Path | None = Path(replay) if replay else None
        if start_url:  # one page crawled live in place of the YAML's start URLs
            self.start_urls = [start_url]
        self.options: BaseModel = self.options_model.model_validate(self.source.options)
        self.problems: list[Problem] = []
        self.unmapped: Counter[tuple[str, str]] = Counter()
        self.pages_followed = 0
        self.pages_read: set[str] = {page_key(url) for url in self.start_urls}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        """Create the spider; a replay switches off politeness delays, cache and retries."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.replay_path is not None:
            crawler.settings.setdict(REPLAY_SETTINGS, priority="cmdline")
        return spider

    async def start(self) -> AsyncIterator[Any]:
        """The start URLs, or the replay files as ``file://`` requests."""
        for request in self.initial_requests():
            yield request

    def initial_requests(self) -> list[Request]:
        """The first requests of a run."""
        if self.replay_path is None:
            return [self.request(url) for url in self.start_urls]
        return [
            self.request(path.as_uri(), meta={"replay_file": str(path)})
            for path in replay_files(self.replay_path)
        ]

    def request(self, url: str, meta: dict[str, Any] | None = None) -> Request:
        """A request parsed by ``parse``, its failures recorded by ``on_request_error``."""
        return Request(
            url,
            callback=self.parse,
            errback=self.on_request_error,
            meta=meta or {},
            dont_filter=True,
        )

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """Decode a response, yield its checked items, then follow its next page."""
        ctx = self.context_for(response)
        try:
            check_size(response.body, self.max_body_bytes(), ctx.location)
            payload = self.decode(response, ctx)
            entries = list(self.iter_entries(payload, ctx))
        except PayloadError as exc:
            ctx.problem("payload", exc.reason, fatal=True)
            return
        if not entries:
            ctx.problem("empty", "the response holds no entries")
        for entry in entries:
            yield from self.isolated_results(entry, ctx)
        yield from self.follow_next_page(payload, ctx)

    def isolated_results(self, entry: Any, ctx: ParseContext) -> list[Any]:
        """What one entry gives; an entry that breaks is recorded and skipped, because one
        bad entry must not lose the others (nor the next page)."""
        try:
            return list(self.entry_results(entry, ctx))
        except Exception as exc:
            ctx.problem("item", f"entry skipped: {type(exc).__name__}: {one_line(str(exc))}")
            return []

    def entry_results(self, entry: Any, ctx: ParseContext) -> Iterator[Any]:
        """What one entry of a page gives: its checked item, if it makes one."""
        item = self.build_item(entry, ctx)
        if item is not None:
            yield item.model_dump(mode="json")

    def build_item(self, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """One entry as a checked item; a failure is recorded and the entry skipped."""
        try:
            item = self.make_item(entry, ctx)
            if item is not None:
                item = self.refine_item(item, entry, ctx)
        except Exception as exc:  # one bad entry must not lose the others
            ctx.problem("item", f"entry skipped: {type(exc).__name__}: {one_line(str(exc))}")
            return None
        return check_item(item, ctx) if item is not None else None

    def follow_next_page(self, payload: Any, ctx: ParseContext) -> Iterator[Request]:
        """The next page's request, unless past ``max_pages``, replaying without it, or
        leading back to a page this run has read (a site whose "next" link loops: recorded
        as a non-fatal ``payload`` problem, an unusable next-page link, which the source's
        health and the sources page show)."""
        url = self.next_page_url(payload, ctx)
        if not url:
            return
        if not is_web_url(url):
            ctx.problem("payload", f"next page link {url[:200]!r} is not an http(s) URL")
            return
        self.pages_read.add(page_key(ctx.url))
        if page_key(url) in self.pages_read:
            ctx.problem("payload", next_page_loop(url))
            return
        if self.replay_path is not None and not self.replay_has(url):
            self.crawler.stats.inc_value("iprwatch/replay_skipped_requests")
            return
        if self.pages_followed + 1 >= self.max_pages():
            ctx.problem("limit", f"stopped after {self.max_pages()} pages; more remain")
            return
        self.pages_followed += 1
        self.pages_read.add(page_key(url))
        yield self.request(url)

    def context_for(self, response: Response) -> ParseContext:
        """The parse context of a response (its location is the replay file, if any)."""
        location = response.meta.get("replay_file") or response.url
        return ParseContext(
            source=self.source,
            location=location,
            url=response.url,
            problems=self.problems,
            unmapped=self.unmapped,
        )

    def on_request_error(self, failure: Failure) -> None:
        """Record a request that failed after retries (HTTP error, robots.txt, network)."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else None
        error = failure.value
        if isinstance(error, HttpError):
            kind, message = "http", f"HTTP {error.response.status}"
        elif isinstance(error, IgnoreRequest):
            kind, message = self.ignored(url or "", error)
        else:
            kind, message = "network", f"{type(error).__name__}: {one_line(str(error))}"
        self.problems.append(Problem(kind=kind, message=message, location=url, fatal=True))

    def ignored(self, url: str, error: IgnoreRequest) -> tuple[ProblemKind, str]:
        """The kind and message of a request Scrapy refused to make or to finish: robots.txt
        (saying so when it could not be had), else a download guard (a body that passed the
        size cap once decompressed)."""
        message = one_line(str(error)) or "request ignored"
        if message != ROBOTS_FORBIDDEN:
            return "payload", message
        reason = unreachable_reason(self.crawler.stats, url) if url else None
        if reason is None:
            return "robots", message
        return "robots", f"robots.txt unreachable ({reason}): no page is fetched until it answers"

    def closed(self, reason: str) -> None:
        """Turn the unmapped-value counts into problems and stats when the spider closes."""
        stats = self.crawler.stats
        for (lookup, value), count in sorted(self.unmapped.items()):
            self.problems.append(
                Problem(
                    kind="unmapped",
                    message=f"{lookup}: {value!r} not in the lookup table",
                    count=count,
                )
            )
            stats.inc_value(f"iprwatch/unmapped/{lookup}/{value}", count)
        for problem in self.problems:
            stats.inc_value(f"iprwatch/problems/{problem.kind}", problem.count)

    def replay_has(self, url: str) -> bool:
        """Whether the replay holds the response of ``url`` (default: it holds none, so a
        replay reads only its files and follows no page)."""
        return False

    def max_body_bytes(self) -> int:
        """The body size cap (the crawler's ``DOWNLOAD_MAXSIZE``)."""
        return self.crawler.settings.getint("DOWNLOAD_MAXSIZE") or get_settings().max_body_bytes

    def max_pages(self) -> int:
        """How many pages one run may read (1: no pagination)."""
        return 1

    # Hooks -------------------------------------------------------------------------------

    def decode(self, response: Response, ctx: ParseContext) -> Any:
        """The body as data. Raise ``PayloadError`` when it is not what the source publishes."""
        raise NotImplementedError

    def iter_entries(self, payload: Any, ctx: ParseContext) -> Iterable[Any]:
        """The entries of a decoded page. Raise ``PayloadError`` for a wrong shape."""
        raise NotImplementedError

    def make_item(self, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """One entry as an item, or ``None`` to skip it on purpose."""
        raise NotImplementedError

    def refine_item(self, item: ItemRecord, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """Source-specific additions to a generic item (default: none)."""
        return item

    def next_page_url(self, payload: Any, ctx: ParseContext) -> str | None:
        """The URL of the next page, if any (default: none)."""
        return None


def page_key(url: str) -> str:
    """A page URL as compared to tell pages apart: canonical (query arguments sorted, the
    fragment dropped, escapes normalised), so ``?b=2&a=1`` and ``?a=1&b=2#top`` are one."""
    return canonicalize_url(url)


def next_page_loop(url: str) -> str:
    """The problem message of a "next" link back to a page already read."""
    return f"next page {url[:200]!r} leads back to a page already read; stopped"
