"""Celery shells around the tagging functions."""

from __future__ import annotations

from core.celery_app import app
from core.db import session_scope
from core.logging_ import get_logger
from tagger.store import retag_all, tag_stored_items

__all__ = ["retag_items", "tag_items", "tag_stored_items"]

log = get_logger(__name__)


def _queue_downstream(ids: list[str]) -> None:
    app.send_task("search.index_items", args=[ids])
    app.send_task("warning.evaluate_items", args=[ids])


# Retries come from ``core.celery_app.PipelineTask`` (backoff up to a minute, 30 attempts):
# five quick jittered retries could all fall inside a database restart and drop the batch.
@app.task(name="tagger.tag_items", acks_late=True)  # type: ignore[untyped-decorator]
def tag_items(ids: list[str]) -> int:
    """Tag these items, store their tags, then queue indexing and rule evaluation."""
    with session_scope() as session:
        tagged = tag_stored_items(session, ids)
    log.info("items tagged", requested=len(ids), tagged=tagged)
    _queue_downstream(ids)
    return tagged


@app.task(name="tagger.retag_items", acks_late=True)  # type: ignore[untyped-decorator]
def retag_items() -> int:
    """Re-tag every item tagged with an older taxonomy version (after a taxonomy change)."""
    with session_scope() as session:
        return retag_all(session, on_batch=_queue_downstream)
