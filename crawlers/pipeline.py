"""Crawl a source, store its items, record the run and the source's health.

The one function the CLI and the Celery task both call. Storing and recording happen in one
transaction after the crawl. A replay that finds a malformed saved response stores no item
at all: only the failed run (and, for a source never crawled live, the health it implies) is
recorded, then ``ReplayError`` is raised again; items stored earlier stay as they were.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from core.db import session_scope
from core.logging_ import get_logger
from crawlers.config import SourceConfig
from crawlers.errors import CrawlProcessError, ReplayError
from crawlers.outcome import CrawlOutcome
from crawlers.registry import get_source
from crawlers.runs import record_run
from crawlers.store import StoreResult, store_items, upsert_source

log = get_logger(__name__)


def run_and_store(
    source_id: str,
    replay: Path | None = None,
    in_subprocess: bool = False,
    *,
    database_url: str | None = None,
    start_url: str | None = None,
    settings: Mapping[str, Any] | None = None,
) -> tuple[CrawlOutcome, StoreResult]:
    """Crawl one source and store what it yielded.

    Args:
        source_id: The source to crawl.
        replay: A saved response, or a folder of them, to read instead of the network.
        in_subprocess: Crawl in a child process (required where a crawl already ran in
            this process, e.g. a Celery worker).
        database_url: The database (default: the configured one).
        start_url: A page to crawl instead of the source's start URLs.
        settings: Scrapy setting overrides for this crawl (``crawlers.runner.crawl``).

    Returns:
        The crawl outcome and what storing did.

    Raises:
        UnknownSourceError: When no source has this id (nothing is recorded).
        ReplayError: When the replay is malformed (the failed run is recorded first).
        CrawlProcessError: When the crawl could not run (the failed run is recorded first).
        ValueError: When a setting override is refused (nothing is recorded).
    """
    config = get_source(source_id)
    try:
        outcome = _crawl(source_id, replay, in_subprocess, start_url, settings)
    except ReplayError as exc:
        _record_failure(config, exc.outcome, str(exc), database_url, replay)
        raise
    except CrawlProcessError as exc:
        _record_failure(config, None, str(exc), database_url, replay)
        raise
    with session_scope(database_url) as session:
        upsert_source(session, config)
        result = store_items(session, source_id, outcome.items)
        run = record_run(session, config, outcome, result)
        log.info(
            "crawl stored",
            source=source_id,
            status=run.status,
            items=len(outcome.items),
            new=result.new,
            changed=result.changed,
            problems=len(outcome.problems),
        )
    return outcome, result


def _crawl(
    source_id: str,
    replay: Path | None,
    in_subprocess: bool,
    start_url: str | None,
    settings: Mapping[str, Any] | None,
) -> CrawlOutcome:
    from crawlers import runner  # imports Scrapy; only needed once a crawl really runs

    crawl = runner.crawl_in_subprocess if in_subprocess else runner.crawl
    return crawl(source_id, replay, start_url=start_url, settings=settings)


def _record_failure(
    config: SourceConfig,
    outcome: CrawlOutcome | None,
    reason: str,
    database_url: str | None,
    replay: Path | None,
) -> None:
    with session_scope(database_url) as session:
        record_run(
            session, config, outcome, None, failure=reason, replay=str(replay) if replay else None
        )
    # info, not warning: the error is raised to the caller, which reports it (the CLI's error
    # line, the cycle's warning, Celery's task failure); a warning here said it twice.
    log.info("crawl failed; nothing stored", source=config.id, reason=reason)
