"""Report periods: a year (``2025``), a quarter (``2025-Q3``) or a month (``2025-07``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_QUARTER = re.compile(r"^(?P<year>\d{4})-Q(?P<q>[1-4])$", re.IGNORECASE)
_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])$")
_YEAR = re.compile(r"^(?P<year>\d{4})$")
YEARS = range(1990, 2101)
"""The years a period may fall in (the ``--as-of`` range); the month arithmetic of the
previous period and the charts overflows at the ends of ``date``."""


class PeriodError(ValueError):
    """A period that is not ``YYYY``, ``YYYY-Qn`` or ``YYYY-MM``."""


@dataclass(frozen=True)
class Period:
    """A half-open date range ``[start, end)`` with its label."""

    label: str
    start: date
    end: date

    @property
    def months(self) -> int:
        """How many calendar months the period spans."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        start = _add_months(self.start, -self.months)
        return Period(_label(start, self.months), start, self.start)

    def month_labels(self) -> list[str]:
        """``YYYY-MM`` for every month in the period, in order."""
        return [
            f"{d.year}-{d.month:02d}"
            for d in (_add_months(self.start, i) for i in range(self.months))
        ]


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _label(start: date, months: int) -> str:
    if months == 12 and start.month == 1:
        return str(start.year)
    if months == 3 and start.month % 3 == 1:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def parse_period(text: str) -> Period:
    """The period a label names; raises :class:`PeriodError` with the accepted forms."""
    text = text.strip()
    match = _QUARTER.match(text) or _MONTH.match(text) or _YEAR.match(text)
    if match and int(match["year"]) not in YEARS:
        raise PeriodError(
            f"period {text!r} is out of range; give one from {YEARS[0]} to {YEARS[-1]}"
        )
    if match := _QUARTER.match(text):
        start = date(int(match["year"]), 3 * int(match["q"]) - 2, 1)
        return Period(f"{start.year}-Q{match['q']}", start, _add_months(start, 3))
    if match := _MONTH.match(text):
        start = date(int(match["year"]), int(match["month"]), 1)
        return Period(text, start, _add_months(start, 1))
    if match := _YEAR.match(text):
        start = date(int(match["year"]), 1, 1)
        return Period(text, start, _add_months(start, 12))
    raise PeriodError(f"invalid period {text!r}; use YYYY, YYYY-Qn (e.g. 2025-Q3) or YYYY-MM")


def last_full_month(as_of: date) -> Period:
    """The calendar month before the one containing ``as_of`` (the monthly briefing)."""
    start = _add_months(date(as_of.year, as_of.month, 1), -1)
    return Period(f"{start.year}-{start.month:02d}", start, _add_months(start, 1))
