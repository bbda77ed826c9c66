"""The words a crawl problem is recorded in, read back so that a page can say them in its
own language.

A run's problems are recorded in English, one line each (``Problem.describe``:
``kind: location: message (xN)``; a failed run adds `` (and N more)``), and that line becomes
part of the source's health reason (``crawlers.runs.REASONS``). The machine fields — the
kind, the URL, the HTTP status, an exception's class name, a lookup table's name — stay as
they are everywhere; only the words around them are worded again, by the web UI from its
catalogue: ``health_kind_<kind>`` for the kind and ``health_msg_<name>`` for a message of a
form listed in :data:`MESSAGES`. A message of no listed form (a source's own words, a
library's) is shown as recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import get_args

from crawlers.outcome import ProblemKind

__all__ = ["MESSAGES", "DetailParts", "count_parts", "detail_parts", "message_parts"]

MESSAGES: dict[str, str] = {
    "http_status": "HTTP {status}",
    "robots": "Forbidden by robots.txt",  # Scrapy's RobotsTxtMiddleware
    "offsite": "Filtered offsite request to {domain}",  # Scrapy's OffsiteMiddleware
    "max_redirects": "max redirections reached",  # Scrapy's RedirectMiddleware
    "request_ignored": "request ignored",
    "body_over_cap": "body is {size} bytes, over the {limit}-byte cap",
    "body_passed_cap": "body passed the {limit}-byte cap after {size} bytes; download cancelled",
    "body_declares_over_cap": (
        "body declares {size} bytes, over the {limit}-byte cap; download cancelled"
    ),
    "json_nested": "not valid JSON: nested too deeply",
    "json_undecodable": "not valid JSON: undecodable bytes ({detail})",
    "json_invalid": "not valid JSON: {detail}",
    "xml_entity": "XML declares entity {name}: refused (entity expansion attack?)",
    "xml_dtd": "XML has a forbidden DTD",
    "xml_unsafe": "unsafe XML refused: {detail}",
    "xml_malformed": "not well-formed XML: {detail}",
    "xml_unreadable": "unreadable XML: {detail}",
    "not_a_feed": "well-formed XML but not an RSS or Atom feed",
    "not_html": "not an HTML page",
    "no_entries": "the response holds no entries",
    "page_limit": "stopped after {pages} pages; more remain",
    "next_page_loop": "next page {url} leads back to a page already read; stopped",
    "unmapped": "{lookup}: {value} not in the lookup table",
    "date_fallback": "{what}: {text} read by the fallback parser",
    "date_unreadable": "{what}: unreadable date {text}",
    "date_ambiguous": "{what}: ambiguous date {text}: day and month could be either",
    "invalid_item": "invalid item: {detail}",
    "item_failed": "item failed in a pipeline: {detail}",
    "item_dropped": "item dropped: {detail}",
    "ended_early": "crawl ended early: {reason}",
    "no_outcome": "no outcome",
}
"""The messages the crawlers (and Scrapy, for requests it refuses) write, by name, most
specific first: ``{...}`` holds what the message names (a status, a size, a parser's own
text), which is kept as it is."""

KINDS: tuple[str, ...] = get_args(ProblemKind)

_PLACEHOLDER = re.compile(r"\\\{(\w+)\\\}")
_LOCATION = r"(?:[A-Za-z][A-Za-z0-9+.\-]*://\S*|/\S*|…)"
"""Where a problem happened: a URL, an absolute path, or ``…`` for a path a public reason
leaves out (``crawlers.runs.replay_reason``)."""
_DETAIL = re.compile(
    rf"^(?P<kind>{'|'.join(KINDS)}): (?:(?P<location>{_LOCATION}): )?(?P<message>.*?)"
    r"(?: \(x(?P<count>\d+)\))?(?: \(and (?P<more>\d+) more\))?$",
    re.S,
)
_COUNT = re.compile(rf"^(?P<kind>{'|'.join(KINDS)}) (?P<count>\d+)$")


def _pattern(template: str) -> re.Pattern[str]:
    return re.compile("^" + _PLACEHOLDER.sub(r"(?P<\1>.*)", re.escape(template)) + "$", re.S)


_MESSAGE_PATTERNS = {name: _pattern(template) for name, template in MESSAGES.items()}


@dataclass(frozen=True)
class DetailParts:
    """One recorded problem line, read back.

    Attributes:
        kind: The problem's kind (``http``, ``robots`` ...), kept in English in the data.
        location: The URL or path, when the line names one.
        message: The message as recorded.
        count: How many times it happened (``(xN)``), when more than once.
        more: How many more fatal problems a failed run had (``(and N more)``).
    """

    kind: str
    location: str | None
    message: str
    count: str | None = None
    more: str | None = None


def detail_parts(detail: str) -> DetailParts | None:
    """A problem line (``Problem.describe``) read back; ``None`` when it is not one."""
    found = _DETAIL.match(detail)
    if found is None:
        return None
    return DetailParts(
        found["kind"], found["location"], found["message"], found["count"], found["more"]
    )


def message_parts(message: str) -> tuple[str, dict[str, str]] | None:
    """A message read back as its name in :data:`MESSAGES` and its values (``None``: a
    message of no listed form, shown as it was)."""
    for name, pattern in _MESSAGE_PATTERNS.items():
        found = pattern.match(message)
        if found:
            return name, found.groupdict()
    return None


def count_parts(counts: str) -> list[tuple[str, str]] | None:
    """The ``(kind, n)`` pairs of a warnings reason's counts (``date 2, unmapped 1``);
    ``None`` when any part is not one."""
    found = [_COUNT.match(part) for part in counts.split(", ")]
    if not all(found):
        return None
    return [(match["kind"], match["count"]) for match in found if match is not None]
