"""robots.txt that cannot be had: the whole site is off limits until it answers (RFC 9309).

Scrapy reads whatever a robots.txt request returns as rules: a 503 page holds none, and a
failed download leaves no parser, so either way every page may be fetched. RFC 9309
(section 2.3.1.4) says the opposite: a robots.txt unreachable through a server or network
error means complete disallow. This middleware, between the retries and Scrapy's robots.txt
middleware, answers such a robots.txt request with ``Disallow: /`` for the run, so the pages
are not fetched and the run fails with the reason (``unreachable_reason``). A 4xx (the site
has no robots.txt) still allows everything, as the RFC says.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spiders import Spider
from scrapy.statscollectors import StatsCollector

from core.logging_ import get_logger
from crawlers.errors import one_line

log = get_logger(__name__)

__all__ = ["UnreachableRobotsMiddleware", "unreachable_reason"]

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
UNREACHABLE_STAT = "iprwatch/robots_unreachable/{host}"
"""The stat that keeps, per host, why its robots.txt could not be had."""
UNREACHABLE_STATUSES = frozenset({429})
"""Answers besides 5xx that mean "come back later", not "no robots.txt" (as Google reads
429)."""


class UnreachableRobotsMiddleware:
    """A robots.txt answered by a server error or lost to a network error disallows all."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UnreachableRobotsMiddleware:
        """The middleware, recording in the crawler's stats."""
        return cls(crawler.stats)

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        """A robots.txt server error (after the retries) as ``Disallow: /``."""
        status = response.status
        if not _is_robots_request(request) or (status < 500 and status not in UNREACHABLE_STATUSES):
            return response
        return self._disallow_all(request, f"HTTP {status}")

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Response | None:
        """A robots.txt download that failed (after the retries) as ``Disallow: /``."""
        if not _is_robots_request(request) or isinstance(exception, IgnoreRequest):
            return None
        return self._disallow_all(
            request, f"{type(exception).__name__}: {one_line(str(exception))}"
        )

    def _disallow_all(self, request: Request, reason: str) -> Response:
        host = urlsplit(request.url).netloc
        self.stats.set_value(UNREACHABLE_STAT.format(host=host), reason)
        log.warning(
            "robots.txt unreachable; the site is not crawled", url=request.url, reason=reason
        )
        return TextResponse(request.url, status=200, body=DISALLOW_ALL, request=request)


def unreachable_reason(stats: StatsCollector, url: str) -> str | None:
    """Why the robots.txt of ``url``'s host could not be had this run (``None``: it could)."""
    value = stats.get_value(UNREACHABLE_STAT.format(host=urlsplit(url).netloc))
    return str(value) if value else None


def _is_robots_request(request: Request) -> bool:
    """Whether this is the request Scrapy's robots.txt middleware made for a host's rules."""
    return bool(request.meta.get("dont_obey_robotstxt")) and urlsplit(request.url).path == (
        "/robots.txt"
    )
