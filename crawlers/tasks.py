"""Celery tasks of the crawl stage: thin shells over ``crawlers.pipeline``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from celery import Task

from core.celery_app import app
from core.logging_ import get_logger
from crawlers.pipeline import run_and_store
from crawlers.site_lock import LockHolder, site_lock, source_site

log = get_logger(__name__)


SITE_BUSY_RETRY_SECONDS = 60
"""How long a crawl whose site another crawl holds waits before it is tried again."""
SITE_BUSY_RETRIES = 120
"""How many times it is put off (two hours at least) before it is given up."""


@app.task(name="crawlers.crawl_source", bind=True)  # type: ignore[untyped-decorator]
def crawl_source(self: Task, source_id: str, replay: str | None = None) -> dict[str, Any]:
    """Crawl a source in a child process, store its items, and send new versions to tagging.

    A live crawl holds its site's lock (``crawlers.site_lock``): while another crawl of the
    same site runs, this one is retried later instead (a replay reads no site and never waits).

    Returns:
        A summary: items seen, new, changed, and the ids sent to ``tagger.tag_items``.
    """
    if replay:
        return _crawl_and_send(source_id, replay)
    site = source_site(source_id)
    with site_lock(site, LockHolder.here(source_id, "schedule")) as lock:
        if lock.held:
            return _crawl_and_send(source_id, None)
    holder = lock.holder.source if lock.holder else None
    log.info("crawl put off: its site is being crawled", source=source_id, site=site, by=holder)
    raise self.retry(countdown=SITE_BUSY_RETRY_SECONDS, max_retries=SITE_BUSY_RETRIES)


def _crawl_and_send(source_id: str, replay: str | None) -> dict[str, Any]:
    outcome, result = run_and_store(source_id, Path(replay) if replay else None, in_subprocess=True)
    ids = list(dict.fromkeys(result.written_ids))
    if ids:
        app.send_task("tagger.tag_items", args=[ids])
    return {
        "source_id": source_id,
        "items_seen": len(outcome.items),
        "new": result.new,
        "changed": result.changed,
        "tagged": ids,
        "failed": outcome.failed,
    }


@app.on_after_finalize.connect  # type: ignore[untyped-decorator]
def schedule_sources(sender: Any, **_: Any) -> None:
    """Give beat one periodic ``crawl_source`` per source, on the schedule in its YAML."""
    from celery.schedules import crontab

    from crawlers.registry import load_sources

    for source_id, config in load_sources().items():
        sender.add_periodic_task(
            crontab(**config.crontab()), crawl_source.s(source_id), name=f"crawl {source_id}"
        )
