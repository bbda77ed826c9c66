"""Dates and sentences: which date belongs to a signal."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_MONTHS = {
    "jan": 1,
    "january": 1,
    "feb": 2,
    "february": 2,
    "mar": 3,
    "march": 3,
    "apr": 4,
    "april": 4,
    "may": 5,
    "jun": 6,
    "june": 6,
    "jul": 7,
    "july": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "oct": 10,
    "october": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}
_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_DATE = re.compile(
    r"\b(?P<iy>\d{4})-(?P<im>\d{2})-(?P<id>\d{2})\b"
    r"|\b(?P<my>" + _MONTH + r")\.?\s+(?P<md>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<myr>\d{4})\b"
    r"|\b(?P<dd>\d{1,2})(?:st|nd|rd|th)?\s+(?P<dm>" + _MONTH + r")\.?,?\s+(?P<dy>\d{4})\b"
    r"|(?P<zy>\d{4})\s*年\s*(?P<zm>\d{1,2})\s*月\s*(?P<zd>\d{1,2})\s*[日号]"
    r"|\b(?P<sy>\d{4})/(?P<sm>\d{1,2})/(?P<sd>\d{1,2})\b"
    r"|\b(?P<um>\d{1,2})/(?P<ud>\d{1,2})/(?P<uy>\d{4})\b",
    re.I,
)
_YEAR = re.compile(r"(?:1(?<![0-9]1)9|2(?<![0-9]2)0)[0-9][0-9](?![0-9])")
"""A year 1900-2099 not inside a longer number (the digit before is checked after the first
digit, so that the regex engine can skip ahead to a 1 or a 2)."""
_BEFORE_YEAR = 24
_AFTER_YEAR = 10
_ABBREVIATIONS = frozenset(
    [
        "inc",
        "ltd",
        "co",
        "corp",
        "no",
        "nos",
        "inv",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mr",
        "ms",
        "mrs",
        "dr",
        "st",
        "fed",
        "cir",
        "cl",
        "ct",
        "pat",
        "app",
        "supp",
        "ill",
        "tex",
        "cal",
        "del",
        "va",
        "mass",
        "mich",
        "fla",
        "ga",
        "md",
        "pa",
        "wis",
        "minn",
        "colo",
        "ariz",
        "wash",
        "conn",
        "ind",
        "ky",
        "la",
        "mo",
        "okla",
        "tenn",
        "utah",
        "ore",
        "al",
        "etc",
        "vs",
        "v",
        "jr",
        "sr",
        "ltda",
        "pte",
        "bhd",
        "mfg",
        "int'l",
        "intl",
        "dept",
        "gov",
        "govt",
        "art",
        "sec",
        "reg",
        "vol",
        "pp",
        "cf",
        "approx",
        "ca",
        "bros",
        "llc",
        "l.p",
        "s.a",
        "n.v",
        "b.v",
        "u.s",
        "u.k",
        "p.r",
        "e.g",
        "i.e",
        "a.m",
        "p.m",
        "s.p.a",
        "k.k",
        "l.l.c",
    ]
)
_WORD_START = re.compile(r"(?<![\w.'’])[\w.'’]+$")
"""The word before a period. Searched in a slice: the look-behind lets the search skip the
positions inside the word at once, and at the slice's start it sees nothing."""


def is_abbreviation(text: str, period: int) -> bool:
    """Whether the period at ``text[period]`` ends an abbreviation ("Inc.", "U.S.", "No.",
    an initial), so that it ends neither a sentence nor a company name."""
    word = _WORD_START.search(text[max(0, period - 12) : period])
    if word is None:
        return False
    token = word.group(0).strip(".").lower()
    return len(token) == 1 or token in _ABBREVIATIONS


@dataclass(frozen=True, slots=True)
class FoundDate:
    """A date in the text and where it is."""

    value: date
    start: int
    end: int


def _parse(match: re.Match[str]) -> date | None:
    g = match.groupdict()
    if g["iy"]:
        parts = (g["iy"], g["im"], g["id"])
    elif g["my"]:
        parts = (g["myr"], str(_MONTHS[g["my"].lower().rstrip(".")]), g["md"])
    elif g["dm"]:
        parts = (g["dy"], str(_MONTHS[g["dm"].lower().rstrip(".")]), g["dd"])
    elif g["zy"]:
        parts = (g["zy"], g["zm"], g["zd"])
    elif g["sy"]:
        parts = (g["sy"], g["sm"], g["sd"])
    else:
        parts = (g["uy"], g["um"], g["ud"])
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    except ValueError:
        return None


def find_dates(text: str, start: int = 0, end: int | None = None) -> list[FoundDate]:
    """Every valid date in ``text[start:end]`` (ISO, "March 20, 2019", "20 March 2019",
    "2025年8月4日", "2024/03/20", and US "3/20/2019").

    Every form holds a four-digit year, so only the text around each year is searched.
    """
    found: dict[int, FoundDate] = {}
    end = len(text) if end is None else end
    for year in _YEAR.finditer(text, start, end):
        window = (max(start, year.start() - _BEFORE_YEAR), min(end, year.end() + _AFTER_YEAR))
        for match in _DATE.finditer(text, *window):
            if match.start() in found or not match.start() <= year.start() < match.end():
                continue
            value = _parse(match)
            if value is not None:
                found[match.start()] = FoundDate(value, match.start(), match.end())
    return sorted(found.values(), key=lambda d: d.start)


_STOPS = (". ", "! ", "? ", ".\n", "\n", "。", "！", "？", "；")
_FIRST_STOP = re.compile("|".join(re.escape(stop) for stop in _STOPS))
"""The leftmost stop in a range in one scan (the same position as the least ``find``)."""
_STOP_STARTS = re.compile(r"[.!?](?=[ \n])|[\n。！？；]")
"""Where each of ``_STOPS`` starts, overlapping ones too (".\n" and its "\n"); a two-character
stop counts only when it ends inside the range searched, as with ``rfind``."""
_STOP_CHUNK = 120
"""How many characters ``_stop_before`` reads back at a time."""


def _is_sentence_end(text: str, stop: int) -> bool:
    """Whether the stop character at ``stop`` ends a sentence: a period must not end an
    abbreviation and must be followed by a capital, a digit or a CJK character."""
    if text[stop] != ".":
        return True
    following = text[stop + 1 : stop + 4].lstrip(" \"'“‘([")
    if following and not (
        following[0].isupper() or following[0].isdigit() or "\u4e00" <= following[0] <= "\u9fff"
    ):
        return False
    return not is_abbreviation(text, stop)


def _stop_before(text: str, low: int, position: int) -> int:
    """The position just after the last sentence end in ``text[low:position]``, or ``low``.

    Stops are tried from the last one back, read ``_STOP_CHUNK`` characters at a time: the
    sentence start is usually near, and finding every stop up to ``low`` cost more than the
    rest of the signal stage. (No stop overlaps the one after it in a way
    that matters: a stop starting right before another would start with a space.)
    """
    high = position
    while high > low:
        chunk = max(low, high - _STOP_CHUNK)
        # past the first chunk, one more character lets a stop ending at ``high`` be seen
        limit = high if high == position else high + 1
        stops = [stop.start() for stop in _STOP_STARTS.finditer(text, chunk, limit)]
        for stop in reversed(stops):
            if stop < high and _is_sentence_end(text, stop):
                return stop + 1
        high = chunk
    return low


def _stop_after(text: str, position: int, high: int) -> int:
    """The position just after the first sentence end in ``text[position:high]``, or ``high``."""
    low = position
    while low < high:
        found = _FIRST_STOP.search(text, low, high)
        if found is None:
            return high
        stop = found.start()
        if _is_sentence_end(text, stop):
            return stop + 1
        low = stop + 1
    return high


class Sentences:
    """Sentence bounds around given positions (periods after abbreviations do not end one).

    Crawled text comes from HTML blocks, so a line break also ends a sentence (a title, a
    paragraph). Semicolons do not: 337 titles put the date after one ("...; May 23, 2024").
    Sentences longer than ``MAX_SENTENCE`` characters on either side are cut there.
    """

    MAX_SENTENCE = 600

    def __init__(self, text: str) -> None:
        self._text = text

    def bounds(self, position: int) -> tuple[int, int]:
        """The (start, end) of the sentence holding ``position``."""
        text = self._text
        start = _stop_before(text, max(0, position - self.MAX_SENTENCE), position)
        end = _stop_after(text, position, min(len(text), position + self.MAX_SENTENCE))
        return start, end


def nearest_date(
    dates: list[FoundDate], start: int, end: int, span: tuple[int, int]
) -> tuple[int, date] | None:
    """The date inside ``span`` closest to the text between ``start`` and ``end``, with its
    distance in characters."""
    best: tuple[int, date] | None = None
    for found in dates:
        if found.start < span[0] or found.end > span[1]:
            continue
        distance = abs(found.start - end if found.start >= end else start - found.end)
        if best is None or distance < best[0]:
            best = (distance, found.value)
    return best
