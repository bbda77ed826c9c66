"""The HTTP cache as a source of conditional GETs, never a stand-in for a source that is down
nor a guess that nothing changed.

Scrapy's RFC 2616 cache answers a stale request from its stored copy when the server replies
with a 5xx or the download fails (refused, reset, timed out), as a browser may. For a crawler
that is wrong: the run would re-read the old copy and record the source as healthy while it is
down. Here only a ``304 Not Modified`` revalidates the stored copy; a server error goes on to
the retries and, when they run out, fails the run with its status. The stored copy stays, so
the next run asks again with ``If-None-Match`` / ``If-Modified-Since``.

A copy is also taken as fresh (no request at all) only while the server said so
(``Cache-Control: max-age``, ``s-maxage`` or ``Expires``), never by RFC 2616's heuristic of a
tenth of the time since ``Last-Modified``: a feed unchanged for a month was not asked about
for three days, and what it published meanwhile reached nobody.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.extensions.httpcache import RFC2616Policy, parse_cachecontrol
from scrapy.http import Request, Response
from scrapy.spiders import Spider

__all__ = ["RevalidatingCacheMiddleware", "RevalidatingPolicy"]


class RevalidatingPolicy(RFC2616Policy):
    """RFC 2616 caching in which only a 304 answer makes the stored copy the response, and
    only the server's own freshness spares a request."""

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        """Whether the stored copy may be used unasked: only within a lifetime the server
        gave (otherwise every run asks, with a conditional GET)."""
        if _states_freshness(cachedresponse):
            return super().is_cached_response_fresh(cachedresponse, request)
        _ask_if_changed(request, cachedresponse)
        return False

    def is_cached_response_valid(
        self, cachedresponse: Response, response: Response, request: Request
    ) -> bool:
        """Whether the server confirmed the stored copy (a 5xx does not: the source is down)."""
        return response.status == 304


class RevalidatingCacheMiddleware(HttpCacheMiddleware):
    """The HTTP cache middleware, except that a failed download stays a failure."""

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | Response | None:
        """Let the error reach the retries and the run's record instead of the stored copy."""
        request.meta.pop("cached_response", None)
        return None


def _ask_if_changed(request: Request, cached: Response) -> None:
    """Make ``request`` conditional on the stored copy's validators (as RFC 2616 does for a
    stale copy)."""
    if b"Last-Modified" in cached.headers:
        request.headers[b"If-Modified-Since"] = cached.headers[b"Last-Modified"]
    if b"ETag" in cached.headers:
        request.headers[b"If-None-Match"] = cached.headers[b"ETag"]


def _states_freshness(response: Response) -> bool:
    """Whether a response gives its freshness lifetime itself (not left to a heuristic)."""
    control = parse_cachecontrol(response.headers.get(b"Cache-Control") or b"")
    return b"max-age" in control or b"s-maxage" in control or b"Expires" in response.headers
