"""What a crawl returns: items, problems and stats (JSON-safe, so it crosses process pipes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.types import ItemRecord

ProblemKind = Literal[
    "payload",  # a body is not what the source publishes (bad JSON/XML, bomb, wrong shape)
    "exception",  # a spider callback raised
    "http",  # a non-2xx answer after retries
    "network",  # DNS, connection, timeout after retries
    "robots",  # robots.txt forbids a URL
    "item",  # one entry could not become an item (it is skipped; the others go on)
    "date",  # a date could not be read, was implausible, or needed the fallback parser
    "unmapped",  # a categorical value missing from a lookup table (counted)
    "empty",  # a response held no entries
    "limit",  # a page limit stopped pagination
]

FATAL_KINDS: frozenset[str] = frozenset({"payload", "exception", "http", "network", "robots"})


class Problem(BaseModel):
    """One thing that went wrong (or looked wrong) during a crawl.

    Attributes:
        kind: What sort of problem; see ``ProblemKind``.
        message: One line saying what was wrong.
        location: The URL or replay file concerned.
        fatal: Whether it fails the run (fatal kinds) or is only surfaced.
        count: How many times it happened (unmapped values are counted, not repeated).
    """

    model_config = ConfigDict(frozen=True)

    kind: ProblemKind
    message: str
    location: str | None = None
    fatal: bool = False
    count: int = 1

    def describe(self) -> str:
        """The problem as one line."""
        where = f"{self.location}: " if self.location else ""
        times = f" (x{self.count})" if self.count > 1 else ""
        return f"{self.kind}: {where}{self.message}{times}"


class CrawlOutcome(BaseModel):
    """The result of one crawl of one source; touching no database.

    Attributes:
        source_id: The source crawled.
        replay: The replay path, when the crawl read saved responses.
        started_at: When the crawl started (UTC).
        finished_at: When it finished (UTC).
        finish_reason: Scrapy's finish reason (``finished`` when it ran to the end).
        items: The valid items, in the order they were scraped.
        problems: Everything that went wrong or was surfaced.
        http_statuses: Response counts by HTTP status (as strings, for JSON).
        stats: Scrapy's stats, JSON-safe.
        settings: The crawler settings that were in force for politeness and identity.
    """

    source_id: str
    replay: str | None = None
    started_at: datetime
    finished_at: datetime
    finish_reason: str = "finished"
    items: list[ItemRecord] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    http_statuses: dict[str, int] = Field(default_factory=dict)
    stats: dict[str, Any] = Field(default_factory=dict)
    settings: dict[str, Any] = Field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        """Every problem as one line (``kind: location: message``), fatal ones first."""
        ordered = sorted(self.problems, key=lambda p: not p.fatal)
        return [p.describe() for p in ordered]

    @property
    def fatal_problems(self) -> list[Problem]:
        """The problems that fail the run."""
        return [p for p in self.problems if p.fatal]

    @property
    def failed(self) -> bool:
        """Whether the run failed: a fatal problem, or Scrapy did not finish normally."""
        return bool(self.fatal_problems) or self.finish_reason != "finished"

    def failure_reason(self) -> str | None:
        """A one-line reason when the run failed, else ``None``."""
        fatal = self.fatal_problems
        if fatal:
            more = f" (and {len(fatal) - 1} more)" if len(fatal) > 1 else ""
            return fatal[0].describe() + more
        if self.finish_reason != "finished":
            return f"crawl ended early: {self.finish_reason}"
        return None
