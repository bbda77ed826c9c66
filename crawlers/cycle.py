"""One crawl cycle: every source (or the ones named) crawled once, a few at a time.

Each source runs exactly as the Celery task ``crawlers.crawl_source`` runs it: Scrapy in a
child process (``run_and_store(..., in_subprocess=True)``), its items stored and its run and
health recorded. A source that fails (a timeout, an HTTP error, a hostile or oversized body,
a changed layout, a crawl that could not run at all) is recorded as unhealthy with its reason
and costs the others nothing: the cycle always runs to its end and reports every source.

Each source's crawl holds its site's lock (``crawlers.site_lock``), as the Celery task and
``iprwatch crawl`` do. A source whose site another crawl holds is not crawled at all and is
reported ``busy`` with that crawl's record; its health is left as it was, since this cycle
learnt nothing about it (it is busy, not unhealthy).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.db import session_scope
from core.logging_ import get_logger
from core.models import Source
from crawlers.errors import CrawlerError, SiteBusy, one_line
from crawlers.pipeline import run_and_store
from crawlers.registry import load_sources
from crawlers.runner import MIN_DOWNLOAD_DELAY
from crawlers.site_lock import LockHolder, holding_site, site_of

__all__ = ["CycleReport", "SourceRun", "crawl_cycle"]

log = get_logger(__name__)

DEFAULT_WORKERS = 2
"""Crawls at once: each is a child process, and politeness is per crawl and per domain; the
sources of one site take turns (``_by_host``)."""


@dataclass(frozen=True)
class SourceRun:
    """What one source's crawl in a cycle gave.

    Attributes:
        source_id: The source.
        healthy: Its health after the run (``None`` when nothing could be recorded).
        reason: Why it is unhealthy, or its run's warnings.
        items_seen: Items the crawl yielded.
        new: Items stored for the first time.
        changed: Items stored as a new version.
        seconds: How long the source took, child process included.
        busy: Whether another crawl held the source's site, so that it was not crawled
            (``healthy`` and ``reason`` are then as earlier runs left them).
        holder: When busy, the crawl that held the site (``None`` if its lock does not say).
    """

    source_id: str
    healthy: bool | None
    reason: str | None
    items_seen: int
    new: int
    changed: int
    seconds: float
    busy: bool = False
    holder: LockHolder | None = None


@dataclass(frozen=True)
class CycleReport:
    """Every source of a cycle, in the order asked, and how long the cycle took."""

    runs: list[SourceRun]
    seconds: float

    @property
    def unhealthy(self) -> dict[str, str | None]:
        """The sources left unhealthy, with their reasons (not the busy ones: they were not
        crawled, so the cycle has no word on their health)."""
        return {r.source_id: r.reason for r in self.runs if r.healthy is not True and not r.busy}

    @property
    def busy(self) -> dict[str, LockHolder | None]:
        """The sources not crawled because another crawl held their site, with its record."""
        return {r.source_id: r.holder for r in self.runs if r.busy}

    def run_of(self, source_id: str) -> SourceRun:
        """The run of one source.

        Raises:
            KeyError: When the source was not in the cycle.
        """
        for run in self.runs:
            if run.source_id == source_id:
                return run
        raise KeyError(source_id)


def crawl_cycle(
    source_ids: Iterable[str] | None = None,
    *,
    workers: int = DEFAULT_WORKERS,
    database_url: str | None = None,
    settings: Mapping[str, Any] | None = None,
) -> CycleReport:
    """Crawl each source once, ``workers`` at a time, and report every source's health.

    Args:
        source_ids: The sources (default: every source, by id).
        workers: How many crawls run at once (each in its own child process).
        database_url: The database (default: the configured one).
        settings: Scrapy setting overrides for every crawl (checked as for one crawl).

    Raises:
        UnknownSourceError: When a named source does not exist (before anything runs).
        ValueError: When ``workers`` is below 1 or an override is refused (likewise).
    """
    ids = _checked_ids(source_ids, workers, settings)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="crawl") as pool:
        crawled = pool.map(
            lambda group: _crawl_in_turn(group, database_url, settings), _by_host(ids)
        )
        by_id = {t.source_id: t for group in crawled for t in group}
    timed = [by_id[source_id] for source_id in ids]
    runs = _with_health(timed, database_url)
    report = CycleReport(runs=runs, seconds=time.monotonic() - started)
    log.info(
        "crawl cycle done",
        sources=len(runs),
        unhealthy=len(report.unhealthy),
        busy=len(report.busy),
        seconds=round(report.seconds, 1),
    )
    return report


@dataclass(frozen=True)
class _Timed:
    source_id: str
    items_seen: int
    new: int
    changed: int
    seconds: float
    busy: bool = False
    holder: LockHolder | None = None


def _checked_ids(
    source_ids: Iterable[str] | None, workers: int, settings: Mapping[str, Any] | None
) -> list[str]:
    from crawlers.registry import get_source
    from crawlers.runner import check_overrides

    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    check_overrides(settings or {})
    ids = list(dict.fromkeys(source_ids)) if source_ids is not None else list(load_sources())
    for source_id in ids:
        get_source(source_id)
    return ids


def _by_host(ids: Sequence[str]) -> list[list[str]]:
    """The sources grouped by the site they start at (host and port), in the order asked:
    Scrapy throttles each crawl per domain, but two crawls of one site at once would ask it
    twice as often (``wipo_lex`` and ``wipo_news`` both start at www.wipo.int)."""
    from crawlers.registry import get_source

    groups: dict[str, list[str]] = {}
    for source_id in ids:
        groups.setdefault(site_of(get_source(source_id).start_urls[0]), []).append(source_id)
    return list(groups.values())


def _crawl_in_turn(
    ids: Sequence[str], database_url: str | None, settings: Mapping[str, Any] | None
) -> list[_Timed]:
    """The sources of one site, one after another, a download delay apart (none after a
    source that was not crawled)."""
    timed: list[_Timed] = []
    for source_id in ids:
        if timed and not timed[-1].busy:
            time.sleep(MIN_DOWNLOAD_DELAY)
        timed.append(_crawl_one(source_id, database_url, settings))
    return timed


def _crawl_one(
    source_id: str, database_url: str | None, settings: Mapping[str, Any] | None
) -> _Timed:
    """One source's crawl, holding its site; a crawler error is already recorded on its
    health by then, a busy site on nothing."""
    started = time.monotonic()
    try:
        with holding_site(source_id, "cycle"):
            outcome, result = run_and_store(
                source_id, in_subprocess=True, database_url=database_url, settings=settings
            )
    except SiteBusy as exc:
        by = exc.holder.source if exc.holder else None
        log.info("crawl skipped: its site is being crawled", source=source_id, site=exc.site, by=by)
        return _Timed(source_id, 0, 0, 0, time.monotonic() - started, busy=True, holder=exc.holder)
    except CrawlerError as exc:
        log.warning("crawl failed", source=source_id, error=one_line(str(exc)))
        return _Timed(source_id, 0, 0, 0, time.monotonic() - started)
    seen = len(outcome.items)
    return _Timed(source_id, seen, result.new, result.changed, time.monotonic() - started)


def _with_health(timed: Sequence[_Timed], database_url: str | None) -> list[SourceRun]:
    ids = [t.source_id for t in timed]
    with session_scope(database_url) as session:
        rows = {s.id: s for s in session.scalars(select(Source).where(Source.id.in_(ids)))}
        health = {sid: (row.healthy, row.health_reason) for sid, row in rows.items()}
    return [
        SourceRun(
            source_id=t.source_id,
            healthy=health.get(t.source_id, (None, None))[0],
            reason=health.get(t.source_id, (None, "nothing recorded"))[1],
            items_seen=t.items_seen,
            new=t.new,
            changed=t.changed,
            seconds=t.seconds,
            busy=t.busy,
            holder=t.holder,
        )
        for t in timed
    ]
