"""Recording crawl runs and judging source health from them.

A run's status is ``ok`` or ``failed``. A source is unhealthy after a failed run, or a run
that yielded fewer items than its ``expected.min_items``; the reason says which, in words a
person can act on. A healthy run that surfaced warnings (an unreadable date, an unmapped
value, a skipped entry) keeps the source healthy, and the reason names the first of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import CrawlRun, Item, Source, utcnow
from crawlers.config import SourceConfig
from crawlers.outcome import CrawlOutcome, Problem
from crawlers.store import StoreResult, upsert_source

WARNING_KINDS = frozenset({"item", "date", "unmapped", "empty", "payload"})
"""Problems worth a look on a healthy run (``limit`` is not: a page cap is by design). A
``payload`` problem here is a non-fatal one: an unusable next-page link, an unreadable
article page whose listing entry was kept."""


@dataclass(frozen=True)
class Health:
    """A source's health after a run, and why."""

    healthy: bool
    reason: str | None = None


def assess_health(
    config: SourceConfig, outcome: CrawlOutcome | None, failure: str | None
) -> Health:
    """Health after a run: failed, too few items, or healthy (noting too many items or
    the run's warnings).

    Args:
        config: The source.
        outcome: The crawl's outcome (``None`` when the crawl could not run).
        failure: Why the run failed, when it did.
    """
    if failure is not None:
        return Health(False, f"last run failed: {failure}")
    if outcome is None:
        return Health(False, "last run produced no outcome")
    count, expected = len(outcome.items), config.expected
    if count < expected.min_items:
        return Health(
            False, f"last run found {count} items; at least {expected.min_items} expected"
        )
    if count > expected.max_items:  # still healthy, but worth a look (runaway pagination?)
        return Health(True, f"last run found {count} items; at most {expected.max_items} expected")
    warnings = [p for p in outcome.problems if p.kind in WARNING_KINDS]
    return Health(True, describe_warnings(warnings) if warnings else None)


def describe_warnings(problems: Sequence[Problem]) -> str:
    """Warnings as one line: how many of each kind, and the first in full."""
    kinds: Counter[str] = Counter()
    for problem in problems:
        kinds[problem.kind] += problem.count
    total = sum(kinds.values())
    counts = ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())
    noun = "warning" if total == 1 else "warnings"
    return f"last run had {total} {noun} ({counts}); first: {problems[0].describe()}"


def record_run(
    session: Session,
    config: SourceConfig,
    outcome: CrawlOutcome | None,
    result: StoreResult | None,
    failure: str | None = None,
) -> CrawlRun:
    """Write the run's record and update the source's health (in the caller's transaction).

    Args:
        session: The open session.
        config: The source crawled.
        outcome: The crawl's outcome, if the crawl ran.
        result: What storing its items did (``None`` when nothing was stored).
        failure: Why the run failed; ``None`` lets the outcome decide.
    """
    failure = failure or (outcome.failure_reason() if outcome is not None else "no outcome")
    source = upsert_source(session, config)
    run = _run_row(config, outcome, result, failure)
    session.add(run)
    _update_health(session, source, assess_health(config, outcome, failure), run)
    session.flush()
    return run


def _run_row(
    config: SourceConfig,
    outcome: CrawlOutcome | None,
    result: StoreResult | None,
    failure: str | None,
) -> CrawlRun:
    now = utcnow()
    run = CrawlRun(
        source_id=config.id,
        started_at=outcome.started_at if outcome else now,
        finished_at=outcome.finished_at if outcome else now,
        status="failed" if failure else "ok",
        replay=bool(outcome and outcome.replay),
        items_seen=len(outcome.items) if outcome else 0,
        items_new=result.new if result else 0,
        items_changed=result.changed if result else 0,
        errors=[p.model_dump(mode="json") for p in outcome.problems] if outcome else [],
        http_statuses=dict(outcome.http_statuses) if outcome else {},
        reason=failure or (outcome.finish_reason if outcome else None),
    )
    return run


def _update_health(session: Session, source: Source, health: Health, run: CrawlRun) -> None:
    source.healthy = health.healthy
    source.health_reason = health.reason
    source.last_run_at = run.finished_at
    if health.healthy:
        source.last_success_at = run.finished_at
    session.flush()
    source.items_count = (
        session.scalar(select(func.count()).select_from(Item).where(Item.source_id == source.id))
        or 0
    )
