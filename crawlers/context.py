"""What parsing one response needs and reports: the source, and somewhere to put problems.

Parse functions are plain functions over a ``ParseContext``; the spider that calls them owns
the problem list and the counter of unmapped values, and turns them into crawl stats.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from core.types import ItemRecord, stable_item_id
from crawlers.config import SourceConfig
from crawlers.dates import DateParseError, parse_date
from crawlers.outcome import Problem, ProblemKind

T = TypeVar("T")


@dataclass
class ParseContext:
    """The source being parsed, the response's location, and the run's problem collectors.

    Attributes:
        source: The source configuration.
        location: The response URL, or the replay file path.
        url: The response URL (``file://`` during a replay).
        fetched_at: When the response was fetched.
        problems: Where problems go (shared with the spider).
        unmapped: Counts of ``(lookup name, value)`` missing from lookup tables.
    """

    source: SourceConfig
    location: str
    url: str = ""
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    problems: list[Problem] = field(default_factory=list)
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)

    def problem(self, kind: ProblemKind, message: str, *, fatal: bool = False) -> None:
        """Record a problem at this location."""
        self.problems.append(
            Problem(kind=kind, message=message, location=self.location, fatal=fatal)
        )

    def count_unmapped(self, lookup: str, value: object) -> None:
        """Count a value that a lookup table does not know."""
        self.unmapped[(lookup, str(value))] += 1

    def date(self, text: str | None, what: str, formats: Sequence[str] = ()) -> datetime | None:
        """Read a date strictly; record a problem (and return ``None``) when it cannot be read.

        Args:
            text: The date as published (``None`` or blank: no date, no problem).
            what: Which date this is, for the problem message.
            formats: Source-specific formats to try first.
        """
        if text is None or not str(text).strip():
            return None
        try:
            parsed = parse_date(str(text), formats=formats, languages=[self.source.language])
        except DateParseError as exc:
            self.problem("date", f"{what}: {exc}")
            return None
        if parsed.fallback:
            self.problem("date", f"{what}: {text!r} read by the fallback parser")
        return parsed.value

    def new_item(self, key: str, title: str, **fields: Any) -> ItemRecord:
        """An item of this source with the source's defaults filled in.

        The id is ``stable_item_id(source, key)`` and ``raw_ref`` is ``key``: the source's
        own identifier (document number, feed guid). ``fields`` override the defaults.
        """
        defaults: dict[str, Any] = {
            "id": stable_item_id(self.source.id, key),
            "source": self.source.id,
            "title": title,
            "language": self.source.language,
            "fetched_at": self.fetched_at,
            "jurisdictions": list(self.source.jurisdictions),
            "kind": self.source.kind,
            "ip_types": list(self.source.ip_types),
            "raw_ref": key,
        }
        return ItemRecord.model_validate({**defaults, **fields})


@dataclass(frozen=True)
class Lookup(Generic[T]):
    """An explicit table for a categorical value; a value not in it is counted, never guessed.

    Attributes:
        name: What the table maps (it names the counter of unmapped values).
        table: The known values.
    """

    name: str
    table: Mapping[str, T]

    def get(self, value: str | None, ctx: ParseContext) -> T | None:
        """The mapped value, or ``None`` after counting ``value`` as unmapped."""
        key = " ".join((value or "").split())
        if key in self.table:
            return self.table[key]
        ctx.count_unmapped(self.name, key or "(blank)")
        return None
