"""Running a source's spider and collecting what it yields; no database here.

``crawl`` runs Scrapy in this process. Twisted's reactor runs once per process, so a process
that crawls repeatedly (a Celery worker, a test session) calls ``crawl_in_subprocess``,
which runs ``python -m crawlers.run`` and reads the same ``CrawlOutcome`` back as JSON.

Both take per-crawl setting overrides (a shorter timeout, a smaller body cap, fewer
retries), checked by ``check_overrides``: never faster than one request per second per
domain, never anonymous, never deaf to robots.txt.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from scrapy import signals
from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.http import Response
from scrapy.settings import Settings, default_settings
from scrapy.utils.reactor import (
    install_reactor,
    is_asyncio_reactor_installed,
    is_reactor_installed,
)
from twisted.python.failure import Failure

from core.settings import REPO_ROOT
from core.types import ItemRecord
from crawlers.errors import (
    CrawlerError,
    CrawlProcessError,
    ReplayError,
    SourceConfigError,
    UnknownSourceError,
    one_line,
)
from crawlers.outcome import CrawlOutcome, Problem
from crawlers.registry import get_source
from crawlers.replay import replay_files
from crawlers.settings import build_scrapy_settings
from crawlers.spiders.base import SourceSpider
from crawlers.spiders.catalog import spider_class

__all__ = [
    "CrawlOutcome",
    "CrawlProcessError",
    "OutcomeCollector",
    "ReplayError",
    "UnknownSourceError",
    "check_overrides",
    "crawl",
    "crawl_in_subprocess",
    "raise_for_replay",
]

SETTINGS_SNAPSHOT = (
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "DOWNLOAD_DELAY",
    "DOWNLOAD_DELAY_JITTER",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "AUTOTHROTTLE_ENABLED",
    "AUTOTHROTTLE_TARGET_CONCURRENCY",
    "HTTPCACHE_ENABLED",
    "HTTPCACHE_POLICY",
    "HTTPCACHE_DIR",
    "DOWNLOAD_MAXSIZE",
    "DOWNLOAD_WARNSIZE",
    "DOWNLOAD_TIMEOUT",
    "RETRY_ENABLED",
    "RETRY_HTTP_CODES",
    "TELNETCONSOLE_ENABLED",
    "REMOTE_CONTROL_ENABLED",
)
"""Crawler settings copied into each outcome, so a run shows the politeness it had."""

MIN_DOWNLOAD_DELAY = 1.0
MAX_CONCURRENT_PER_DOMAIN = 4
FIXED_SETTINGS: dict[str, Any] = {
    "ROBOTSTXT_OBEY": True,
    "TELNETCONSOLE_ENABLED": False,
    "REMOTE_CONTROL_ENABLED": False,
}
"""Settings an override may restate but never change."""
UNOVERRIDABLE = frozenset({"USER_AGENT", "BOT_NAME", "SPIDER_MODULES"})
"""Identity and spider discovery come from ``core.settings`` and the project only."""

MAXSIZE_WARNING = re.compile(
    r"(?P<verb>Expected to receive|Received) (?P<size>\d+) bytes which is larger than "
    r"download max size \((?P<limit>\d+)\) in request <\w+ (?P<url>\S+)>"
)
"""Scrapy's warning when it cancels a download over ``DOWNLOAD_MAXSIZE``."""

SUBPROCESS_TIMEOUT = 1800.0
SCRAPY_LOG_LEVEL = logging.WARNING
"""Scrapy's own INFO lines (middleware lists, stats dumps) are noise beside the outcome."""


def crawl(
    source_id: str,
    replay: Path | None = None,
    *,
    start_url: str | None = None,
    settings: Mapping[str, Any] | None = None,
) -> CrawlOutcome:
    """Crawl one source in this process (once per process: the reactor cannot restart).

    Args:
        source_id: The source to crawl.
        replay: A saved response, or a folder of them, to read instead of the network.
        start_url: A page to crawl live instead of the source's start URLs (to try a
            source's parser on another page, or on a test server).
        settings: Scrapy settings for this crawl only (see ``check_overrides``); they
            take precedence over the project's and the source's.

    Raises:
        UnknownSourceError: When no source has this id.
        ReplayError: When the replay path is unusable or a saved response is malformed;
            the error carries the outcome when the crawl ran.
        CrawlProcessError: When this process has already run a crawl.
        ValueError: When a setting override is refused (before anything runs).
    """
    get_source(source_id)
    overrides = check_overrides(settings or {})
    if replay is not None:
        replay = Path(replay)
        replay_files(replay)
    scrapy_settings = Settings(build_scrapy_settings())
    scrapy_settings.setdict(overrides, priority="cmdline")
    reactor = _fresh_reactor(scrapy_settings)
    logging.getLogger("scrapy").setLevel(SCRAPY_LOG_LEVEL)
    # Unlike CrawlerProcess, CrawlerRunner leaves logging to the application.
    runner = CrawlerRunner(scrapy_settings)
    crawler = runner.create_crawler(spider_class(source_id))
    collector = OutcomeCollector(source_id, replay)
    collector.connect(crawler)
    deferred = runner.crawl(
        crawler, replay=str(replay) if replay is not None else None, start_url=start_url
    )
    deferred.addErrback(collector.on_crawl_failure)
    deferred.addBoth(lambda _: reactor.stop())
    with collector.size_caps.listening():
        reactor.run(installSignalHandlers=threading.current_thread() is threading.main_thread())
    outcome = collector.outcome(crawler)
    raise_for_replay(outcome)
    return outcome


def crawl_in_subprocess(
    source_id: str,
    replay: Path | None = None,
    *,
    start_url: str | None = None,
    settings: Mapping[str, Any] | None = None,
    timeout: float = SUBPROCESS_TIMEOUT,
) -> CrawlOutcome:
    """Crawl one source in a child Python process; same arguments, result and errors as
    ``crawl``.

    Raises:
        UnknownSourceError: When no source has this id.
        ReplayError: As ``crawl``.
        CrawlProcessError: When the child dies, times out or answers nonsense.
        ValueError: When a setting override is refused (before the child starts).
    """
    overrides = check_overrides(settings or {})
    command = [sys.executable, "-m", "crawlers.run", source_id]
    if replay is not None:
        command += ["--replay", str(replay)]
    if start_url is not None:
        command += ["--start-url", start_url]
    if overrides:
        command += ["--settings", json.dumps(overrides)]
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=timeout, env=_child_env(), check=False
        )
    except subprocess.TimeoutExpired:
        raise CrawlProcessError(f"crawl of {source_id} took over {timeout:.0f} s") from None
    return read_child_answer(source_id, done.returncode, done.stdout, done.stderr)


def read_child_answer(
    source_id: str, returncode: int, stdout: bytes, stderr: bytes
) -> CrawlOutcome:
    """The outcome a child printed, or the error it reported, raised again here."""
    try:
        answer = json.loads(stdout)
    except ValueError:
        tail = one_line(stderr.decode("utf-8", "replace")[-600:])
        raise CrawlProcessError(
            f"crawl of {source_id} exited {returncode} without a result: {tail}"
        ) from None
    if "outcome" in answer:
        outcome = CrawlOutcome.model_validate(answer["outcome"])
        raise_for_replay(outcome)
        return outcome
    raise error_from_dict(answer.get("error") or {})


def check_overrides(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Per-crawl Scrapy setting overrides, checked against the politeness floor.

    Raises:
        ValueError: Naming the first override refused and why (an unknown name, identity,
            robots.txt, or a pace faster than one request per second per domain).
    """
    known = set(build_scrapy_settings()) | {n for n in dir(default_settings) if n.isupper()}
    checked: dict[str, Any] = {}
    for name, value in overrides.items():
        if name not in known:
            raise ValueError(f"{name!r} is not a Scrapy setting")
        if name in UNOVERRIDABLE:
            raise ValueError(f"{name} cannot be overridden per crawl")
        if name in FIXED_SETTINGS and value != FIXED_SETTINGS[name]:
            raise ValueError(f"{name} must stay {FIXED_SETTINGS[name]!r}")
        _check_pace(name, value)
        checked[name] = value
    return checked


def raise_for_replay(outcome: CrawlOutcome) -> None:
    """Raise ``ReplayError`` for the first fatal problem of a replay (a live run just fails).

    Raises:
        ReplayError: Naming the saved response and what was wrong with it.
    """
    if outcome.replay is None:
        return
    for problem in outcome.fatal_problems:
        raise ReplayError(problem.location or outcome.replay, problem.message, outcome)
    if outcome.finish_reason != "finished":
        raise ReplayError(outcome.replay, f"crawl ended early: {outcome.finish_reason}", outcome)


def error_to_dict(exc: CrawlerError) -> dict[str, Any]:
    """A crawler error as JSON, for the child process to report."""
    data: dict[str, Any] = {"type": type(exc).__name__, "message": str(exc)}
    if isinstance(exc, UnknownSourceError):
        data.update(source_id=exc.source_id, known=exc.known)
    if isinstance(exc, ReplayError):
        data.update(location=exc.location, reason=exc.reason)
    return data


def error_from_dict(data: dict[str, Any]) -> CrawlerError:
    """The crawler error a child reported, rebuilt with its type."""
    kind, message = data.get("type"), str(data.get("message", "no message"))
    if kind == "UnknownSourceError":
        return UnknownSourceError(data["source_id"], data["known"])
    if kind == "ReplayError":
        return ReplayError(data["location"], data["reason"])
    if kind == "SourceConfigError":
        return SourceConfigError(message)
    return CrawlProcessError(f"{kind}: {message}")


class SizeCapLog(logging.Handler):
    """Why Scrapy cancelled downloads over ``DOWNLOAD_MAXSIZE``, by URL, read from its log.

    A body that declares no length is cancelled mid-stream with an exception that carries no
    text; the size and the cap are only in Scrapy's warning.
    """

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reasons: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the reason of a size-cap warning."""
        match = MAXSIZE_WARNING.search(record.getMessage())
        if match is None:
            return
        size, limit = match["size"], match["limit"]
        if match["verb"] == "Received":
            reason = f"body passed the {limit}-byte cap after {size} bytes; download cancelled"
        else:
            reason = f"body declares {size} bytes, over the {limit}-byte cap; download cancelled"
        self.reasons[match["url"]] = reason

    @contextmanager
    def listening(self) -> Iterator[None]:
        """Listen to Scrapy's log for the duration of a crawl."""
        scrapy_logger = logging.getLogger("scrapy")
        scrapy_logger.addHandler(self)
        try:
            yield
        finally:
            scrapy_logger.removeHandler(self)

    def explain(self, problem: Problem) -> Problem:
        """A failed request's problem, as an oversized body when that is why it failed."""
        reason = self.reasons.get(problem.location or "")
        if reason is None or problem.kind != "network":
            return problem
        return Problem(kind="payload", message=reason, location=problem.location, fatal=True)


class OutcomeCollector:
    """Collects items and errors from a crawler's signals and builds the ``CrawlOutcome``."""

    def __init__(self, source_id: str, replay: Path | None) -> None:
        self.source_id = source_id
        self.replay = replay
        self.started_at = datetime.now(UTC)
        self.items: list[ItemRecord] = []
        self.problems: list[Problem] = []
        self.size_caps = SizeCapLog()

    def connect(self, crawler: Crawler) -> None:
        """Listen to the crawler's item and error signals."""
        crawler.signals.connect(self.on_item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.on_spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.on_item_error, signal=signals.item_error)
        crawler.signals.connect(self.on_item_dropped, signal=signals.item_dropped)

    def on_item_scraped(self, item: Any, response: Response, spider: Any) -> None:
        """Keep a scraped item (validated again: the spider's output is a contract)."""
        try:
            self.items.append(ItemRecord.model_validate(item))
        except ValidationError as exc:
            self._add("item", f"invalid item: {one_line(str(exc))}", response)

    def on_spider_error(self, failure: Failure, response: Response, spider: Any) -> None:
        """Record an exception raised by a spider callback (fatal)."""
        self._add("exception", _describe(failure), response, fatal=True)

    def on_item_error(self, item: Any, response: Response, spider: Any, failure: Failure) -> None:
        """Record an item that failed in a pipeline (the other items go on)."""
        self._add("item", f"item failed in a pipeline: {_describe(failure)}", response)

    def on_item_dropped(
        self, item: Any, response: Response, exception: BaseException, spider: Any
    ) -> None:
        """Record an item a pipeline dropped."""
        self._add("item", f"item dropped: {one_line(str(exception))}", response)

    def on_crawl_failure(self, failure: Failure) -> None:
        """Record a crawl that could not start or crashed outside any callback."""
        self.problems.append(Problem(kind="exception", message=_describe(failure), fatal=True))

    def outcome(self, crawler: Crawler) -> CrawlOutcome:
        """The outcome once the crawl has ended."""
        stats = _json_safe(crawler.stats.get_stats()) if crawler.crawling or crawler.spider else {}
        spider = crawler.spider
        spider_problems = spider.problems if isinstance(spider, SourceSpider) else []
        spider_problems = [self.size_caps.explain(p) for p in spider_problems]
        prefix = "downloader/response_status_count/"
        return CrawlOutcome(
            source_id=self.source_id,
            replay=str(self.replay) if self.replay is not None else None,
            started_at=self.started_at,
            finished_at=datetime.now(UTC),
            finish_reason=str(stats.get("finish_reason", "not started")),
            items=self.items,
            problems=[*spider_problems, *self.problems],
            http_statuses={
                k.removeprefix(prefix): v for k, v in stats.items() if k.startswith(prefix)
            },
            stats=stats,
            settings={key: _json_value(crawler.settings.get(key)) for key in SETTINGS_SNAPSHOT},
        )

    def _add(self, kind: Any, message: str, response: Response | None, fatal: bool = False) -> None:
        location = None
        if response is not None:
            location = response.meta.get("replay_file") or response.url
        self.problems.append(Problem(kind=kind, message=message, location=location, fatal=fatal))


def _check_pace(name: str, value: Any) -> None:
    if name == "DOWNLOAD_DELAY" and not _number_at_least(value, MIN_DOWNLOAD_DELAY):
        raise ValueError(f"DOWNLOAD_DELAY must be at least {MIN_DOWNLOAD_DELAY} s, not {value!r}")
    if name == "CONCURRENT_REQUESTS_PER_DOMAIN" and not (
        isinstance(value, int) and 1 <= value <= MAX_CONCURRENT_PER_DOMAIN
    ):
        raise ValueError(
            f"CONCURRENT_REQUESTS_PER_DOMAIN must be 1 to {MAX_CONCURRENT_PER_DOMAIN}, "
            f"not {value!r}"
        )


def _number_at_least(value: Any, floor: float) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= floor


def _describe(failure: Failure) -> str:
    return f"{type(failure.value).__name__}: {one_line(str(failure.value))}"


def _json_safe(stats: dict[str, Any]) -> dict[str, Any]:
    return {key: _json_value(value) for key, value in stats.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    return str(value)


def _fresh_reactor(settings: Settings) -> Any:
    """The asyncio reactor, installed now; refused if this process has already run one."""
    if not is_reactor_installed():
        install_reactor(settings["TWISTED_REACTOR"], settings["ASYNCIO_EVENT_LOOP"])
    from twisted.internet import reactor

    if getattr(reactor, "_startedBefore", False):
        raise CrawlProcessError(
            "this process has already run a crawl and Twisted's reactor cannot restart; "
            "use crawl_in_subprocess"
        )
    if not is_asyncio_reactor_installed():
        raise CrawlProcessError(
            f"a {type(reactor).__name__} is installed; Scrapy needs the asyncio reactor"
        )
    return reactor


def _child_env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(REPO_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env
