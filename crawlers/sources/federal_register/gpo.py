"""GPO's bulk XML of a whole Federal Register issue (root ``FEDREG``), read to issue entries.

Each rule, proposed rule and notice carries its agency (and sub-agency), subject, docket
line, summary and full text, and ends with ``[FR Doc. 2016-08650 Filed ...]``, which gives
the document number. The issue date is the root's ``DATE`` (``Friday, April 15, 2016``).
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from crawlers.sources.federal_register.issue import IssueEntry, normalize_slug
from crawlers.text import normalize_text, single_line

DOCUMENT_TYPES = {"RULE": "Rule", "PRORULE": "Proposed Rule", "NOTICE": "Notice"}
ISSUE_DATE_FORMAT = "%A, %B %d, %Y"
FR_DOC = re.compile(r"FR\s+Doc\.?\s*(?P<number>[0-9A-Z]+-[0-9]+)")
BLOCK_TAGS = frozenset({"HD", "P", "FP", "LI", "DEPDOC", "DATED", "NAME", "TITLE"})
SMALL_WORDS = frozenset({"of", "the", "and", "for", "on", "in", "to"})
SKIPPED_SECTIONS = frozenset({"AGENCY", "SUBAGY", "SUBJECT", "FRDOC", "BILCOD", "GPOTABLE"})


def gpo_entries(root: Element, keep: set[str]) -> list[IssueEntry]:
    """The documents of the kept agencies (normalised slugs), in issue order.

    A document without an ``FR Doc.`` line has no number and is left out.
    """
    issue_date = element_text(root.find("DATE"))
    entries: dict[str, IssueEntry] = {}
    for element in root.iter():
        doc_type = DOCUMENT_TYPES.get(element.tag)
        if doc_type is None:
            continue
        entry = gpo_entry(element, doc_type, issue_date)
        if entry is not None and keep & set(entry.agency_slugs):
            entries.setdefault(entry.number, entry)
    return list(entries.values())


def gpo_entry(element: Element, doc_type: str, issue_date: str | None) -> IssueEntry | None:
    """One document element as an issue entry (``None`` when it has no FR Doc. number)."""
    number = FR_DOC.search(element_text(element.find("FRDOC")) or "")
    title = element_text(element.find(".//SUBJECT"))
    if number is None or not title:
        return None
    names = [
        name
        for name in (
            element_text(element.find(".//AGENCY")),
            element_text(element.find(".//SUBAGY")),
        )
        if name
    ]
    return IssueEntry(
        number=number["number"],
        title=title,
        doc_type=doc_type,
        agency_slugs=[normalize_slug(name) for name in names],
        agency_names=[_title_case(name) for name in names],
        issue_date=issue_date,
        docket=element_text(element.find(".//DEPDOC")) or "",
        date_format=ISSUE_DATE_FORMAT,
        summary=blocks_text(element.find(".//SUM"), skip_headings=True),
        full_text=blocks_text(element),
    )


def blocks_text(element: Element | None, skip_headings: bool = False) -> str:
    """The text of the block elements under ``element``, one per line, in order."""
    if element is None:
        return ""
    lines: list[str] = []
    _collect_blocks(element, lines, skip_headings)
    return normalize_text("\n".join(lines))


def _collect_blocks(element: Element, lines: list[str], skip_headings: bool) -> None:
    for child in element:
        if child.tag in SKIPPED_SECTIONS or (skip_headings and child.tag == "HD"):
            continue
        if child.tag in BLOCK_TAGS:
            lines.append(element_text(child) or "")
        else:
            _collect_blocks(child, lines, skip_headings)


def element_text(element: Element | None) -> str | None:
    """All the text inside an element, on one line (``None`` for no element)."""
    if element is None:
        return None
    return single_line("".join(element.itertext()))


def _title_case(name: str) -> str:
    if not name.isupper():
        return name
    words = name.title().split()
    return " ".join(w.lower() if i and w.lower() in SMALL_WORDS else w for i, w in enumerate(words))
