"""Scrapy settings for every source spider (``scrapy.cfg`` points here).

Politeness first: robots.txt obeyed (one that cannot be had disallows all, as RFC 9309 says:
see ``crawlers.robots``), an identifying User-Agent, at most one request per second per domain
(AutoThrottle may only slow down from there), conditional GETs through the RFC 2616 HTTP cache
(only a 304 answers from the stored copy: a source that is down fails its run, see
``crawlers.httpcache``). Per-source overrides come from ``politeness:`` in ``source.yml``;
per-crawl ones (a test's short timeout) from ``crawlers.runner.crawl(settings=...)``.
The values are read from ``core.settings`` when this module is imported;
``build_scrapy_settings()`` reads them afresh (the runner uses it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.settings import Settings, get_settings

RETRY_HTTP_CODES_5XX = [500, 502, 503, 504, 522, 524]


def build_scrapy_settings(core: Settings | None = None) -> dict[str, Any]:
    """The Scrapy settings, from the given (default: current) core settings."""
    core = core or get_settings()
    return {
        "BOT_NAME": "iprwatch",
        "SPIDER_MODULES": ["crawlers.spiders.catalog"],
        "USER_AGENT": core.user_agent,
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": 1.0,
        "DOWNLOAD_DELAY_JITTER": 0,  # a random ±50% would dip below 1 s
        "CONCURRENT_REQUESTS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": 1.0,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "HTTPCACHE_ENABLED": True,
        "HTTPCACHE_POLICY": "crawlers.httpcache.RevalidatingPolicy",
        "HTTPCACHE_DIR": str(_data_dir(core) / "httpcache"),
        # Count what the server answered (a 304, not the cached copy it revalidated; no
        # request at all for a fresh cached copy): the stats sit between cache and network.
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.stats.DownloaderStats": 950,
            "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
            "crawlers.httpcache.RevalidatingCacheMiddleware": 900,
            # After the retries (550), before Scrapy reads robots.txt: see crawlers.robots.
            "crawlers.robots.UnreachableRobotsMiddleware": 540,
        },
        "DOWNLOAD_MAXSIZE": core.max_body_bytes,
        "DOWNLOAD_WARNSIZE": core.max_body_bytes // 2,
        "DOWNLOAD_TIMEOUT": 30,
        "RETRY_ENABLED": True,
        "RETRY_TIMES": 3,
        "RETRY_HTTP_CODES": [*RETRY_HTTP_CODES_5XX, 408, 429],
        "TELNETCONSOLE_ENABLED": False,
        "REMOTE_CONTROL_ENABLED": False,  # an HTTP server that runs code sent to it: never
        "LOG_LEVEL": "INFO",
        "FEED_EXPORT_ENCODING": "utf-8",
    }


def _data_dir(core: Settings) -> Path:
    path = core.data_dir
    return path if path.is_absolute() else Path.cwd() / path


globals().update(build_scrapy_settings())
