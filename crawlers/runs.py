"""Recording crawl runs and judging source health from them.

A run's status is ``ok`` or ``failed``. A source is unhealthy after a failed run, or a run
that yielded fewer items than its ``expected.min_items``; the reason says which, in words a
person can act on. A healthy run that surfaced warnings (an unreadable date, an unmapped
value, a skipped entry) keeps the source healthy, and the reason names the first of them.

A replay (saved responses instead of the network) is recorded as a run like any other, but
it speaks for the live source only while the source has no live run: once one exists, a
replay leaves the source's health, reason and times as the live runs left them (a replay of
the wrong file says nothing about the live site). Where a replay does set the health, its
reason says it was a replay and names no local path: ``/sources`` is public; the run's own
record keeps the full reason for the operator.
"""

from __future__ import annotations

import re
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

REASONS: dict[str, str] = {
    "failed": "last run failed: {detail}",
    "no_outcome": "last run produced no outcome",
    "too_few": "last run found {count} items; at least {expected} expected",
    "too_many": "last run found {count} items; at most {expected} expected",
    "warning": "last run had 1 warning ({counts}); first: {detail}",
    "warnings": "last run had {total} warnings ({counts}); first: {detail}",
    "replay": "replayed from a saved response",
    "replay_then": "replayed from a saved response; {reason}",
}
"""The health reasons, by name: written in English here, the web UI words them from its
catalogue (``health_<name>``) by reading them back with :func:`reason_parts`."""

REPLAY_REASON = REASONS["replay"]
"""How the public health reason names a replay (never by its local path)."""

_PLACEHOLDER = re.compile(r"\\\{(\w+)\\\}")


def _reason_pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + _PLACEHOLDER.sub(r"(?P<\1>.*)", re.escape(template)) + "$", re.S)


_REASON_PATTERNS = {name: _reason_pattern(template) for name, template in REASONS.items()}


def reason_parts(reason: str) -> tuple[str, dict[str, str]] | None:
    """A health reason read back as its name and values (``None``: not one of ``REASONS``,
    e.g. written by an older version), so a page can word it in its own language."""
    for name, pattern in _REASON_PATTERNS.items():
        found = pattern.match(reason)
        if found:
            return name, found.groupdict()
    return None


_LOCAL_PATH = re.compile(r"(?:file://)?(?<![\w.])/[^\s:,;()]+")
"""An absolute local path or ``file://`` URL in a reason (``application/json`` is not one)."""


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
        return Health(False, REASONS["failed"].format(detail=failure))
    if outcome is None:
        return Health(False, REASONS["no_outcome"])
    count, expected = len(outcome.items), config.expected
    if count < expected.min_items:
        return Health(False, REASONS["too_few"].format(count=count, expected=expected.min_items))
    if count > expected.max_items:  # still healthy, but worth a look (runaway pagination?)
        return Health(True, REASONS["too_many"].format(count=count, expected=expected.max_items))
    warnings = [p for p in outcome.problems if p.kind in WARNING_KINDS]
    return Health(True, describe_warnings(warnings) if warnings else None)


def describe_warnings(problems: Sequence[Problem]) -> str:
    """Warnings as one line: how many of each kind, and the first in full."""
    kinds: Counter[str] = Counter()
    for problem in problems:
        kinds[problem.kind] += problem.count
    total = sum(kinds.values())
    counts = ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())
    template = REASONS["warning" if total == 1 else "warnings"]
    return template.format(total=total, counts=counts, detail=problems[0].describe())


def record_run(
    session: Session,
    config: SourceConfig,
    outcome: CrawlOutcome | None,
    result: StoreResult | None,
    failure: str | None = None,
    replay: str | None = None,
) -> CrawlRun:
    """Write the run's record and update the source's health (in the caller's transaction).

    Args:
        session: The open session.
        config: The source crawled.
        outcome: The crawl's outcome, if the crawl ran.
        result: What storing its items did (``None`` when nothing was stored).
        failure: Why the run failed; ``None`` lets the outcome decide.
        replay: The replay path, when the run read saved responses (a replay that failed
            before crawling has no outcome to say so).
    """
    failure = failure or (outcome.failure_reason() if outcome is not None else "no outcome")
    replay = replay or (outcome.replay if outcome is not None else None)
    source = upsert_source(session, config)
    run = _run_row(config, outcome, result, failure)
    run.replay = replay is not None
    if replay is not None and _has_live_run(session, config.id):
        session.add(run)
        _count_items(session, source)
        return run
    health = assess_health(config, outcome, failure)
    if replay is not None:
        health = Health(health.healthy, replay_reason(health.reason, replay))
    session.add(run)
    _update_health(session, source, health, run)
    session.flush()
    return run


def replay_reason(reason: str | None, replay: str) -> str:
    """A replay's health reason for the public sources page: said to be a replay, with the
    replay path (and any other local path) left out."""
    if not reason:
        return REPLAY_REASON
    public = _LOCAL_PATH.sub("…", reason).replace(replay, "…")
    return REASONS["replay_then"].format(reason=public)


def _has_live_run(session: Session, source_id: str) -> bool:
    live = select(CrawlRun.id).where(CrawlRun.source_id == source_id, CrawlRun.replay.is_(False))
    return session.scalar(live.limit(1)) is not None


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
    _count_items(session, source)


def _count_items(session: Session, source: Source) -> None:
    session.flush()
    source.items_count = (
        session.scalar(select(func.count()).select_from(Item).where(Item.source_id == source.id))
        or 0
    )
