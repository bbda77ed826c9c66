"""A live crawl against a server the test runs: identity, robots.txt, pace and HTTP cache.

These check the crawler settings actually in force in a real Scrapy run, not a settings dict.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from core.settings import REPO_ROOT
from crawlers.registry import load_sources
from crawlers.runner import crawl_in_subprocess
from tests.crawlers.conftest import CAFC_FEED, FR_DOCUMENT
from tests.servers import serving

USER_AGENT = "IPRWatch-test/1.0 (+https://example.org/iprwatch; test crawler)"
ROBOTS = b"User-agent: *\nDisallow: /private/\n"
ETAG = '"feed-v1"'


@dataclass
class Seen:
    """One request the server received."""

    path: str
    user_agent: str | None
    if_none_match: str | None
    at: float = field(default_factory=time.monotonic)


class FeedServer(ThreadingHTTPServer):
    """Serves robots.txt and the real CAFC feed (with an ETag), recording every request."""

    seen: list[Seen]


class Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def do_GET(self) -> None:
        self.server.seen.append(
            Seen(self.path, self.headers.get("User-Agent"), self.headers.get("If-None-Match"))
        )
        if self.path == "/robots.txt":
            self._send(200, ROBOTS, "text/plain")
        elif self.path.rstrip("/").endswith("feed"):
            if self.headers.get("If-None-Match") == ETAG:
                self._send(304, b"", "application/rss+xml")
            else:
                self._send(200, CAFC_FEED.read_bytes(), "application/rss+xml")
        else:
            self._send(404, b"not here", "text/plain")

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("ETag", ETAG)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def server(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    monkeypatch.setenv("IPRWATCH_USER_AGENT", USER_AGENT)
    httpd = FeedServer(("127.0.0.1", 0), Handler)
    httpd.seen = []
    with serving(httpd):
        yield httpd


def url(server: FeedServer, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


def test_live_crawl_identifies_itself_obeys_robots_and_keeps_pace(server: FeedServer) -> None:
    outcome = crawl_in_subprocess("cafc_opinions", start_url=url(server, "/category/feed/"))
    assert [s.path for s in server.seen] == ["/robots.txt", "/category/feed/"]
    assert {s.user_agent for s in server.seen} == {USER_AGENT}
    assert server.seen[1].at - server.seen[0].at >= 0.9, "at most one request per second"
    assert len(outcome.items) == 100 and not outcome.failed
    assert outcome.http_statuses == {"200": 2}
    assert outcome.settings["USER_AGENT"] == USER_AGENT
    assert outcome.settings["ROBOTSTXT_OBEY"] is True
    assert outcome.settings["DOWNLOAD_DELAY"] == 1.0
    assert outcome.settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert outcome.settings["AUTOTHROTTLE_ENABLED"] is True
    assert outcome.settings["HTTPCACHE_POLICY"] == "crawlers.httpcache.RevalidatingPolicy"
    assert outcome.settings["HTTPCACHE_DIR"].startswith(str(Path.cwd()))
    assert outcome.settings["TELNETCONSOLE_ENABLED"] is False


def test_a_page_robots_txt_forbids_is_never_fetched(server: FeedServer) -> None:
    outcome = crawl_in_subprocess("cafc_opinions", start_url=url(server, "/private/feed/"))
    assert "/private/feed/" not in [s.path for s in server.seen]
    assert outcome.failed
    assert [p.kind for p in outcome.fatal_problems] == ["robots"]


def test_second_crawl_revalidates_with_a_conditional_get(server: FeedServer) -> None:
    crawl_in_subprocess("cafc_opinions", start_url=url(server, "/feed/"))
    again = crawl_in_subprocess("cafc_opinions", start_url=url(server, "/feed/"))
    feed_requests = [s for s in server.seen if s.path == "/feed/"]
    assert [s.if_none_match for s in feed_requests] == [None, ETAG]
    assert len(again.items) == 100, "a 304 answer replays the cached feed"


def test_scrapy_cli_lists_the_source_ids_from_the_repo_root() -> None:
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert listed.stdout.split() == sorted(load_sources())


def test_one_process_cannot_crawl_twice(data_dir: Path) -> None:
    script = (
        "from crawlers.runner import crawl\n"
        "from crawlers.errors import CrawlProcessError\n"
        f"crawl('cafc_opinions', {str(CAFC_FEED)!r})\n"
        "try:\n"
        f"    crawl('cafc_opinions', {str(CAFC_FEED)!r})\n"
        "except CrawlProcessError as exc:\n"
        "    print('refused:', exc)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert "refused: this process has already run a crawl" in done.stdout


def search_page(number: int, last: int, base: str) -> bytes:
    """A documents.json page in the API's shape, pointing at the next one."""
    doc = json.loads(FR_DOCUMENT.read_text(encoding="utf-8"))
    result = {key: doc[key] for key in ("title", "type", "abstract", "html_url", "agencies")}
    result.update(document_number=f"2024-0000{number}", publication_date="2024-12-31")
    next_url = f"{base}/api/v1/documents.json?page={number + 1}" if number < last else None
    page = {"count": last, "total_pages": last, "next_page_url": next_url, "results": [result]}
    return json.dumps(page).encode()


def test_json_api_follows_next_page_until_max_pages(data_dir: Path) -> None:
    class PagesHandler(BaseHTTPRequestHandler):
        server: FeedServer

        def do_GET(self) -> None:
            self.server.seen.append(Seen(self.path, None, None))
            if self.path == "/robots.txt":
                body = b"User-agent: *\nAllow: /\n"
            else:
                number = int(self.path.rsplit("=", 1)[-1])
                body = search_page(number, 4, f"http://127.0.0.1:{self.server.server_address[1]}")
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = FeedServer(("127.0.0.1", 0), PagesHandler)
    httpd.seen = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        outcome = crawl_in_subprocess(
            "federal_register", start_url=url(httpd, "/api/v1/documents.json?page=1")
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
    pages = [s.path.rsplit("=", 1)[-1] for s in httpd.seen if "page=" in s.path]
    assert pages == ["1", "2", "3"], "max_pages is 3 for federal_register"
    assert [i.raw_ref for i in outcome.items] == ["2024-00001", "2024-00002", "2024-00003"]
    assert [p.kind for p in outcome.problems if p.kind == "limit"] == ["limit"]
    assert not outcome.failed


def test_celery_task_is_registered_under_its_pipeline_name(data_dir: Path) -> None:
    from crawlers.tasks import crawl_source

    assert crawl_source.name == "crawlers.crawl_source"


class RobotsServer(FeedServer):
    """Serves the feed, and robots.txt as ``robots`` says: an HTTP status, or ``"drop"``
    (the connection closed without an answer)."""

    robots: int | str


class RobotsHandler(Handler):
    server: RobotsServer

    def do_GET(self) -> None:
        if self.path != "/robots.txt":
            super().do_GET()
            return
        self.server.seen.append(Seen(self.path, self.headers.get("User-Agent"), None))
        if self.server.robots == "drop":
            self.close_connection = True
        else:
            self._send(int(self.server.robots), b"<html>Service Unavailable</html>", "text/html")


@pytest.fixture
def robots_server(data_dir: Path) -> Iterator[RobotsServer]:
    httpd = RobotsServer(("127.0.0.1", 0), RobotsHandler)
    httpd.seen = []
    with serving(httpd):
        yield httpd


@pytest.mark.parametrize(
    ("robots", "reason"),
    [(503, "HTTP 503"), (500, "HTTP 500"), (429, "HTTP 429"), ("drop", "DownloadFailedError")],
)
def test_a_site_whose_robots_txt_cannot_be_had_is_not_crawled(
    robots_server: RobotsServer, robots: int | str, reason: str
) -> None:
    """RFC 9309: a robots.txt unreachable through a server or network error disallows all.
    Scrapy read the 503 page (or nothing) as no rules and fetched every page."""
    robots_server.robots = robots
    outcome = crawl_in_subprocess(
        "cafc_opinions", start_url=url(robots_server, "/feed/"), settings={"RETRY_TIMES": 1}
    )
    assert [s.path for s in robots_server.seen] == ["/robots.txt", "/robots.txt"], "one retry"
    assert outcome.failed and not outcome.items
    [problem] = outcome.fatal_problems
    assert problem.kind == "robots" and problem.location == url(robots_server, "/feed/")
    assert problem.message.startswith(f"robots.txt unreachable ({reason}")
    assert problem.message.endswith("no page is fetched until it answers")


def test_a_site_without_robots_txt_is_crawled(robots_server: RobotsServer) -> None:
    robots_server.robots = 404
    outcome = crawl_in_subprocess("cafc_opinions", start_url=url(robots_server, "/feed/"))
    assert [s.path for s in robots_server.seen] == ["/robots.txt", "/feed/"]
    assert len(outcome.items) == 100 and not outcome.failed
