"""CourtListener RECAP search (REST API v4): patent and trademark dockets as disputes.

Each search result is one docket: ``caseName``, ``docketNumber``, ``court_id``,
``court_citation_string``, ``dateFiled``, ``suitNature``, ``cause``, ``party``,
``attorney``, ``docket_id``, ``docket_absolute_url`` and the matching ``recap_documents``.

- Case references are ``<court citation> <docket number>`` (``N.D. Ill. 1:25-cv-06123``):
  the court's citation string as CourtListener gives it, then the PACER docket number as
  the court writes it.
- IP types come from the nature-of-suit code (``830 Patent`` and ``830 Property Rights:
  Patent`` are both 830) through a lookup; an unknown code is counted.
- Parties come from the ``X v. Y`` caption: plaintiff, then defendant.
- A Schedule A caption (``... Identified on Schedule "A"``) stays verbatim in the title and
  the summary says ``Schedule A defendants (sealed list)``, which the tagger and the
  warning rules can match on.
- The optional API token (``IPRWATCH_COURTLISTENER_TOKEN``) is sent as ``Authorization:
  Token ...`` to http(s) requests only; such requests bypass the HTTP cache, whose files
  would otherwise keep the header. A ``next`` URL on another host is refused, so the token
  never leaves the API's host.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Request

from core.settings import Settings
from core.types import ItemRecord, Party
from crawlers.context import Lookup, ParseContext
from crawlers.spiders.json_api import JsonApiSpider
from crawlers.text import normalize_text, plain_title, single_line

TOKEN_ENV = "IPRWATCH_COURTLISTENER_TOKEN"
SITE = "https://www.courtlistener.com"
SCHEDULE_A_NOTE = "Schedule A defendants (sealed list)"
SCHEDULE_A = re.compile(
    r"\bschedule\s*[\"“”']?\s*a\b|\bpartnerships,?\s+and\s+unincorporated\s+associations\b",
    re.IGNORECASE,
)
NATURE_CODE = re.compile(r"^\s*(?P<code>\d{3})\b")
VERSUS = re.compile(r"\s+vs?\.\s+")
IN_RE = re.compile(r"^in\s+re:?\s+(?P<name>.+)$", re.IGNORECASE)

NATURES_OF_SUIT: Lookup[tuple[str, ...]] = Lookup(
    "courtlistener_nature_of_suit",
    {
        "820": ("copyright",),
        "830": ("patent",),
        "835": ("patent",),  # Patent - Abbreviated New Drug Application (ANDA)
        "840": ("trademark",),
        "880": ("trade_secret",),  # Defend Trade Secrets Act of 2016
    },
)
"""Nature-of-suit codes (the number PACER puts before the label) → IP types."""

COURT_CITATIONS: Lookup[str] = Lookup(
    "courtlistener_court",
    {"ilnd": "N.D. Ill.", "txed": "E.D. Tex.", "txwd": "W.D. Tex.", "ded": "D. Del."},
)
"""Court ids → citation strings, for a result that lacks ``court_citation_string``."""


class CourtlistenerRecapSpider(JsonApiSpider):
    """RECAP dockets of the watched courts and natures of suit, newest filing first."""

    def request(self, url: str, meta: dict[str, Any] | None = None) -> Request:
        """The base request, with the API token when one is configured."""
        return with_token(super().request(url, meta), api_token())

    def make_item(self, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """A docket as a dispute item (see ``docket_to_item``)."""
        return docket_to_item(entry, ctx)

    def next_page_url(self, payload: Any, ctx: ParseContext) -> str | None:
        """The ``next`` cursor URL, refused when it points away from the page's host."""
        url = super().next_page_url(payload, ctx)
        if url and is_http(ctx.url) and urlsplit(url).netloc != urlsplit(ctx.url).netloc:
            ctx.problem("payload", f"next page {url!r} is on another host; not followed")
            return None
        return url


def api_token() -> str | None:
    """The CourtListener API token (``IPRWATCH_COURTLISTENER_TOKEN``), if set."""
    secret = Settings().courtlistener_token
    return secret.get_secret_value().strip() or None if secret else None


def with_token(request: Request, token: str | None) -> Request:
    """The request carrying ``Authorization: Token ...`` (http(s) only), kept out of the cache."""
    if token and is_http(request.url):
        request.headers["Authorization"] = f"Token {token}"
        request.meta["dont_cache"] = True
    return request


def is_http(url: str) -> bool:
    """Whether a URL is http(s) (not a replayed ``file://``)."""
    return urlsplit(url).scheme in ("http", "https")


def docket_to_item(entry: Any, ctx: ParseContext) -> ItemRecord:
    """A RECAP search result as a dispute item.

    Raises:
        ValueError: When the result is not an object or lacks its docket id, caption or number.
    """
    if not isinstance(entry, dict):
        raise ValueError(f"result is a {type(entry).__name__}, not an object")
    docket_id, caption = entry.get("docket_id"), plain_title(entry.get("caseName") or "")
    number = single_line(entry.get("docketNumber") or "")
    if not docket_id or not caption or not number:
        raise ValueError("result lacks docket_id, caseName or docketNumber")
    court = entry.get("court_citation_string") or COURT_CITATIONS.get(entry.get("court_id"), ctx)
    case_ref = f"{court} {number}" if court else number
    return ctx.new_item(
        str(docket_id),
        caption,
        url=SITE + (entry.get("docket_absolute_url") or f"/docket/{docket_id}/"),
        summary=docket_summary(entry, case_ref, caption),
        body=docket_body(entry),
        published_at=ctx.date(entry.get("dateFiled"), "dateFiled"),
        case_refs=[case_ref],
        parties=parties_from_caption(caption),
        ip_types=list(nature_of_suit_ip_types(entry.get("suitNature"), ctx)),
    )


def is_schedule_a(caption: str) -> bool:
    """Whether a caption names defendants listed on a (sealed) Schedule A."""
    return bool(SCHEDULE_A.search(caption))


def nature_of_suit_ip_types(nature: str | None, ctx: ParseContext) -> tuple[str, ...]:
    """The IP types of a nature of suit (``830 Patent`` → patent); unknown codes are counted."""
    match = NATURE_CODE.match(nature or "")
    return NATURES_OF_SUIT.get(match["code"] if match else nature, ctx) or ()


def parties_from_caption(caption: str) -> list[Party]:
    """Plaintiff and defendant of ``X v. Y``; ``In re X`` names one party, role unknown."""
    in_re = IN_RE.match(caption)
    if in_re:
        return [Party(name=in_re["name"].strip())]
    names = [name.strip() for name in VERSUS.split(caption, maxsplit=1)]
    if len(names) != 2 or not all(names):
        return [Party(name=caption)]
    return [Party(name=names[0], role="plaintiff"), Party(name=names[1], role="defendant")]


def docket_summary(entry: dict[str, Any], case_ref: str, caption: str) -> str:
    """One paragraph: docket, court, filing date, nature of suit, cause, Schedule A note."""
    court = f" ({entry['court']})" if entry.get("court") else ""
    parts = [f"{case_ref}{court}"]
    if entry.get("dateFiled"):
        parts.append(f"filed {entry['dateFiled']}")
    if entry.get("suitNature"):
        parts.append(f"nature of suit {entry['suitNature']}")
    if entry.get("cause"):
        parts.append(f"cause {entry['cause']}")
    summary = "; ".join(single_line(str(part)) for part in parts) + "."
    return f"{summary} {SCHEDULE_A_NOTE}." if is_schedule_a(caption) else summary


def docket_body(entry: dict[str, Any]) -> str:
    """The docket's facts and matching filings, one per line."""
    facts = [
        ("Judge", entry.get("assignedTo")),
        ("Terminated", entry.get("dateTerminated")),
        ("Jury demand", entry.get("juryDemand")),
        ("Parties", "; ".join(entry.get("party") or [])),
        ("Attorneys", "; ".join(entry.get("attorney") or [])),
        ("Firms", "; ".join(entry.get("firm") or [])),
    ]
    lines = [f"{label}: {single_line(str(value))}" for label, value in facts if value]
    filings = [line for doc in entry.get("recap_documents") or [] if (line := filing_line(doc))]
    if filings:
        lines += ["Filings:", *filings]
    return normalize_text("\n".join(lines))


def filing_line(doc: Any) -> str | None:
    """A matching docket entry as ``2025-06-02 #1 COMPLAINT ...`` (``None`` if it says nothing)."""
    if not isinstance(doc, dict):
        return None
    text = single_line(doc.get("description") or doc.get("short_description") or "")
    if not text:
        return None
    number = doc.get("document_number") or doc.get("entry_number")
    head = " ".join(str(p) for p in (doc.get("entry_date_filed"), number and f"#{number}") if p)
    return f"{head} {text}".strip()
