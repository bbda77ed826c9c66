"""The pipeline after a crawl, run in-process (the CLI) with the same plain functions as the
Celery tasks: tag, index, evaluate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AlertRow, CrawlRun, Item, OutboxEntry


@dataclass(frozen=True)
class PipelineSummary:
    """What one pass of the pipeline did."""

    tagged: int
    indexed: int
    alerts: list[AlertRow]


def process_items(
    session: Session, ids: Iterable[str], as_of: date | None = None
) -> PipelineSummary:
    """Tag, index and evaluate the given stored items."""
    from search.backend import get_backend
    from search.outbox import drain_outbox
    from tagger.tasks import tag_stored_items
    from warning.store import evaluate_stored_items

    ids = list(ids)
    tagged = tag_stored_items(session, ids)
    session.flush()
    indexed = drain_outbox(session, get_backend())
    alerts = evaluate_stored_items(session, ids, as_of)
    return PipelineSummary(tagged=tagged, indexed=indexed, alerts=alerts)


@dataclass(frozen=True)
class PipelineState:
    """How far the stored data has got through the pipeline."""

    running_crawls: int
    items: int
    untagged: int
    unindexed: int
    unevaluated: int

    @property
    def settled(self) -> bool:
        """Whether nothing is left to do."""
        return not (self.running_crawls or self.untagged or self.unindexed or self.unevaluated)


def pipeline_state(session: Session) -> PipelineState:
    """Counts of work still pending at each stage."""

    def count(query: object) -> int:
        return int(session.scalar(query) or 0)  # type: ignore[call-overload]

    return PipelineState(
        running_crawls=count(select(func.count()).where(CrawlRun.status == "running")),
        items=count(select(func.count()).select_from(Item)),
        untagged=count(select(func.count()).where(Item.tags.is_(None))),
        unindexed=count(select(func.count()).where(OutboxEntry.indexed_at.is_(None))),
        unevaluated=count(
            select(func.count()).where(
                (Item.evaluated_version.is_(None)) | (Item.evaluated_version < Item.version)
            )
        ),
    )
