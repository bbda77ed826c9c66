"""A document as a whole daily issue lists it (issue TOC JSON or GPO bulk XML).

Both shapes give the same facts (number, heading, type, agencies, issue date; GPO also the
summary and full text), so both become ``IssueEntry`` and one function makes the item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

NON_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
AGENCY_ALIASES = {
    "united-states-patent-and-trademark-office": "patent-and-trademark-office",
    "u-s-patent-and-trademark-office": "patent-and-trademark-office",
    "united-states-international-trade-commission": "international-trade-commission",
    "u-s-international-trade-commission": "international-trade-commission",
    "customs-and-border-protection-bureau": "u-s-customs-and-border-protection",
    "department-of-commerce": "commerce-department",
    "department-of-homeland-security": "homeland-security-department",
    "department-of-the-treasury": "treasury-department",
}
"""Agency names as GPO XML and older issues print them → the API's slugs."""


@dataclass(frozen=True)
class IssueEntry:
    """One document of a daily issue.

    Attributes:
        number: The FR document number (``2016-04272``).
        title: The heading as the issue prints it.
        doc_type: ``Rule``, ``Proposed Rule``, ``Notice`` ...
        agency_slugs: Normalised agency slugs (see ``normalize_slug``).
        agency_names: The agencies as named.
        issue_date: The issue date as written, if known.
        docket: The docket line (``[Investigation No. 337-TA-944]``; GPO XML only).
        date_format: The ``strptime`` format of ``issue_date``.
        summary: The summary (GPO XML only).
        full_text: The full text (GPO XML only).
    """

    number: str
    title: str
    doc_type: str
    agency_slugs: list[str] = field(default_factory=list)
    agency_names: list[str] = field(default_factory=list)
    issue_date: str | None = None
    docket: str = ""
    date_format: str = "%Y-%m-%d"
    summary: str = ""
    full_text: str = ""


def normalize_slug(slug: str) -> str:
    """An agency slug or name as the API's slug.

    ``u.s.-customs-and-border-protection`` and ``U.S. Customs and Border Protection`` both
    give ``u-s-customs-and-border-protection``; known other names go through
    ``AGENCY_ALIASES``.
    """
    plain = NON_ALPHANUMERIC.sub("-", slug.lower()).strip("-")
    return AGENCY_ALIASES.get(plain, plain)
