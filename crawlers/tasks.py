"""Celery tasks of the crawl stage: thin shells over ``crawlers.pipeline``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.celery_app import app
from crawlers.pipeline import run_and_store


@app.task(name="crawlers.crawl_source")  # type: ignore[untyped-decorator]
def crawl_source(source_id: str, replay: str | None = None) -> dict[str, Any]:
    """Crawl a source in a child process, store its items, and send new versions to tagging.

    Returns:
        A summary: items seen, new, changed, and the ids sent to ``tagger.tag_items``.
    """
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
