"""Strict date reading: known formats first, ``dateparser`` only as a logged fallback.

A date that neither reads is an error for the caller to record; nothing is guessed silently.
Dates without a time zone are taken as UTC; dates without a time as midnight UTC.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from core.logging_ import get_logger

log = get_logger(__name__)

KNOWN_FORMATS: tuple[str, ...] = (
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 822 as RSS writes it
    "%a, %d %b %Y %H:%M:%S %Z",
    "%d %b %Y",
    "%d %B %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%b. %d, %Y",
    "%Y/%m/%d",
    "%Y年%m月%d日",
)
"""Unambiguous formats tried after ISO 8601 (day-first/month-first numerals are left out:
a source that writes ``03/04/2024`` passes its own format)."""

_NUMERIC_DATE = re.compile(r"^(?P<first>\d{1,2})[./-](?P<second>\d{1,2})[./-](?:\d{2}|\d{4})$")
"""``05.02.2024``: 5 February in Europe, 2 May in the U.S.; the fallback would pick one."""

_FALLBACK_SETTINGS: dict[str, Any] = {
    "STRICT_PARSING": True,
    "RETURN_AS_TIMEZONE_AWARE": True,
    "TO_TIMEZONE": "UTC",
}


class DateParseError(ValueError):
    """A date string that no known format nor the fallback parser could read."""


@dataclass(frozen=True)
class ParsedDate:
    """A date read from text, and whether only the fallback parser could read it."""

    value: datetime
    fallback: bool = False


def parse_date(
    text: str,
    formats: Sequence[str] = (),
    languages: Sequence[str] | None = None,
) -> ParsedDate:
    """Read a date: ISO 8601, then ``formats``, then ``KNOWN_FORMATS``, then RFC 2822.

    ``dateparser`` is the last resort; its use is logged as a warning and flagged on the
    result so the caller can surface it. It is not asked about all-numeric dates whose day
    and month could be swapped: those need the source's own format.

    Args:
        text: The date as the source wrote it.
        formats: Source-specific ``strptime`` formats, tried before the known ones.
        languages: Language codes for the fallback parser.

    Raises:
        DateParseError: When nothing reads the text.
    """
    cleaned = " ".join(text.split())
    if not cleaned:
        raise DateParseError("empty date")
    strict = _parse_strict(cleaned, formats)
    if strict is not None:
        return ParsedDate(_as_utc(strict))
    if _is_day_month_ambiguous(cleaned):
        raise DateParseError(f"ambiguous date {cleaned!r}: day and month could be either")
    fallback = _parse_fallback(cleaned, languages)
    if fallback is None:
        raise DateParseError(f"unreadable date {cleaned!r}")
    log.warning("date read by fallback parser", text=cleaned, value=fallback.isoformat())
    return ParsedDate(_as_utc(fallback), fallback=True)


def _parse_strict(text: str, formats: Sequence[str]) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in (*formats, *KNOWN_FORMATS):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


def _is_day_month_ambiguous(text: str) -> bool:
    match = _NUMERIC_DATE.match(text)
    if match is None:
        return False
    first, second = int(match["first"]), int(match["second"])
    return first != second and first <= 12 and second <= 12


def _parse_fallback(text: str, languages: Sequence[str] | None) -> datetime | None:
    import dateparser  # type: ignore[import-untyped,unused-ignore]  # slow; only when needed

    parsed: datetime | None = dateparser.parse(
        text, languages=list(languages) if languages else None, settings=_FALLBACK_SETTINGS
    )
    return parsed


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
