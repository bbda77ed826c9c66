"""FederalRegister.gov: API search pages and documents, and whole daily issues.

One parse path reads four shapes, told apart by their content:

- a ``documents.json`` search page (``results``, ``next_page_url`` followed up to
  ``json_api.max_pages``): what the live crawl reads;
- a single document (``document_number`` at the top level);
- a daily issue's table of contents JSON (``agencies`` → ``document_categories`` →
  ``documents``); its entries carry no date, so the issue date is read from the URL or
  replay file name (``..._2016-02-29.json``);
- GPO's bulk XML of a daily issue (root ``FEDREG``), with each document's full text.

A whole issue lists every agency: only ``options.issue_agencies`` are kept. The item key is
the FR document number, so a document has one id whichever shape it came in. Kinds come
from a lookup of the FR document type; an ITC notice about a Section 337 investigation
becomes a dispute. Case references are ITC investigation numbers as written
(``337-TA-944``, ranges such as ``731-TA-1291-1297``) and Section 337 complaint dockets as ``USITC DN 3123``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, cast
from xml.etree.ElementTree import Element

from pydantic import BaseModel, ConfigDict
from scrapy.http import Response

from core.types import ItemKind, ItemRecord
from crawlers.context import Lookup, ParseContext
from crawlers.errors import PayloadError
from crawlers.payloads import parse_xml
from crawlers.sources.federal_register.gpo import gpo_entries
from crawlers.sources.federal_register.issue import IssueEntry, normalize_slug
from crawlers.spiders.json_api import JsonApiSpider
from crawlers.text import html_to_text, normalize_text, plain_title

DOCUMENT_URL = "https://www.federalregister.gov/d/{number}"
ITC = "international-trade-commission"

INVESTIGATION_NUMBER = re.compile(r"\b(?P<ref>\d{3}-TA-\d{1,5}(?:-\d{1,5})?)\b")
COMPLAINT_DOCKET = re.compile(r"\b(?:DN|Docket No\.)\s*(?P<number>\d{4})\b")
MENTIONS_337 = re.compile(r"\b(?:section\s+337|337-TA-\d+)\b", re.IGNORECASE)
CERTAIN_PRODUCTS = re.compile(r"(?:^|:\s*)Certain\s")
# Trade-remedy notices (AD/CVD, safeguards) also name "Certain ..." products; they say so,
# or name the products "From <Country>". Those are not Section 337 disputes.
TRADE_REMEDY = re.compile(
    r"(?i:anti-?dumping|countervailing|\b(?:701|731|201)-TA-|five-year review|safeguard)"
    r"|\b[Ff]rom\s+(?:the\s+)?[A-Z]",
)
SECTION_337_OPENING = re.compile(
    r"(?i:^complaints?:|receipt\s+of\s+(?:a\s+)?complaint|institution\s+of\s+(?:an?\s+)?investigation)"
)
"""A 337 notice that opens a case (a complaint received, an investigation instituted)."""
SECTION_337_OUTCOME = re.compile(
    r"(?i:determination|exclusion\s+order|cease[\s-]+and[\s-]+desist|terminat|rescission|"
    r"modification|ruling|issuance\s+of)"
)
"""A 337 notice that reports what the Commission or a judge decided in a case."""
ISSUE_DATE = re.compile(r"(?P<y>\d{4})[-/](?P<m>\d{2})[-/](?P<d>\d{2})")

DOCUMENT_TYPES: Lookup[ItemKind] = Lookup(
    "fr_document_type",
    {
        "Rule": ItemKind.RULE_CHANGE,
        "Proposed Rule": ItemKind.RULE_CHANGE,
        "Presidential Document": ItemKind.RULE_CHANGE,
        "Notice": ItemKind.NEWS,
    },
)
AGENCY_IP_TYPES: Lookup[tuple[str, ...]] = Lookup(
    "fr_agency",
    {
        "international-trade-commission": (),
        "patent-and-trademark-office": ("patent", "trademark"),
        "u-s-customs-and-border-protection": (),
        "commerce-department": (),  # the PTO's parent
        "homeland-security-department": (),  # CBP's parent
        "treasury-department": (),  # co-signs some CBP rules
    },
)


class FederalRegisterOptions(BaseModel):
    """``options:`` of the source: which agencies to keep from a whole daily issue."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issue_agencies: list[str]


class FederalRegisterSpider(JsonApiSpider):
    """FederalRegister.gov documents of the IP-relevant agencies."""

    options_model = FederalRegisterOptions

    def decode(self, response: Response, ctx: ParseContext) -> Any:
        """JSON from the API, or a GPO bulk XML issue (vetted by defusedxml)."""
        if response.body.lstrip()[:1] == b"<":
            return parse_xml(response.body, ctx.location)
        return super().decode(response, ctx)

    def iter_entries(self, payload: Any, ctx: ParseContext) -> Iterable[Any]:
        """API documents, or a whole issue's entries of the kept agencies."""
        options = cast(FederalRegisterOptions, self.options)
        return fr_entries(payload, ctx, {normalize_slug(a) for a in options.issue_agencies})

    def make_item(self, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """An API document or an issue entry as an item."""
        if isinstance(entry, IssueEntry):
            return issue_entry_to_item(entry, ctx)
        return document_to_item(entry, ctx)

    def next_page_url(self, payload: Any, ctx: ParseContext) -> str | None:
        """The next search page (only JSON search pages have one)."""
        return super().next_page_url(payload, ctx) if isinstance(payload, dict) else None


def fr_entries(payload: Any, ctx: ParseContext, keep: set[str]) -> list[Any]:
    """The entries of any of the four shapes.

    Raises:
        PayloadError: When the payload is none of them.
    """
    if isinstance(payload, Element):
        if payload.tag != "FEDREG":
            raise PayloadError(ctx.location, f"XML root <{payload.tag}> is not a GPO FEDREG issue")
        return gpo_entries(payload, keep)
    if isinstance(payload, dict):
        if isinstance(payload.get("results"), list):
            return list(payload["results"])
        if payload.get("count") == 0 and "results" not in payload:
            return []  # the API leaves ``results`` out of an empty search
        if isinstance(payload.get("document_number"), str):
            return [payload]
        if _is_table_of_contents(payload):
            return toc_entries(payload, _issue_date(ctx.url), keep)
    keys = ", ".join(sorted(payload)[:8]) if isinstance(payload, dict) else type(payload).__name__
    raise PayloadError(
        ctx.location,
        f"not a documents.json page, a document or a daily issue ({keys})",
    )


def toc_entries(toc: dict[str, Any], issue_date: str | None, keep: set[str]) -> list[IssueEntry]:
    """The table-of-contents entries of the kept agencies, one per document number."""
    entries: dict[str, IssueEntry] = {}
    for agency in toc["agencies"]:
        slug = normalize_slug(agency.get("slug") or agency.get("name") or "")
        if slug not in keep:
            continue
        name = agency.get("name") or slug
        for category in agency.get("document_categories") or []:
            for doc in category.get("documents") or []:
                title = toc_title(doc.get("subject_1") or "", doc.get("subject_2") or "")
                for number in doc.get("document_numbers") or []:
                    entries.setdefault(
                        number,
                        IssueEntry(
                            number, title, category.get("type") or "", [slug], [name], issue_date
                        ),
                    )
    return list(entries.values())


def toc_title(subject_1: str, subject_2: str) -> str:
    """A TOC heading and subheading as one title (``Complaints: Certain Nanopores ...``)."""
    subject_1, subject_2 = plain_title(subject_1), plain_title(subject_2)
    if not subject_2:
        return subject_1
    return f"{subject_1} {subject_2}" if subject_1.endswith(":") else f"{subject_1}: {subject_2}"


def issue_entry_to_item(entry: IssueEntry, ctx: ParseContext) -> ItemRecord:
    """A daily-issue entry as an item."""
    if entry.issue_date is None:
        ctx.problem("date", f"no issue date in {ctx.url!r} for document {entry.number}")
    facts = f"Type: {entry.doc_type}\nAgencies: {'; '.join(entry.agency_names)}"
    body = "\n\n".join(part for part in (facts, entry.full_text) if part)
    # The full text cites other investigations as precedent: references come from the
    # heading, the docket line and the summary only.
    text = "\n".join((entry.title, entry.docket, entry.summary))
    return ctx.new_item(
        entry.number,
        entry.title,
        url=DOCUMENT_URL.format(number=entry.number),
        summary=entry.summary,
        body=body,
        published_at=ctx.date(entry.issue_date, "issue date", formats=(entry.date_format,)),
        kind=document_kind(entry.doc_type, entry.agency_slugs, entry.title, text, ctx),
        case_refs=case_refs(text, entry.agency_slugs),
        ip_types=agency_ip_types(entry.agency_slugs, ctx),
    )


def document_to_item(doc: Any, ctx: ParseContext) -> ItemRecord:
    """A search result or single document as an item.

    Raises:
        ValueError: When the document lacks its number or title.
    """
    if not isinstance(doc, dict) or not doc.get("document_number") or not doc.get("title"):
        raise ValueError("document lacks document_number or title")
    number, title = str(doc["document_number"]), plain_title(str(doc["title"]))
    agencies = [a for a in doc.get("agencies") or [] if isinstance(a, dict)]
    slugs = [normalize_slug(a.get("slug") or a.get("raw_name") or "") for a in agencies]
    summary = normalize_text(doc.get("abstract") or "")
    body = document_body(doc, [a.get("name") or a.get("raw_name") or "" for a in agencies])
    text = "\n".join((title, summary, body))
    return ctx.new_item(
        number,
        title,
        url=doc.get("html_url") or DOCUMENT_URL.format(number=number),
        summary=summary,
        body=body,
        published_at=ctx.date(doc.get("publication_date"), "publication_date"),
        kind=document_kind(doc.get("type") or "", slugs, title, text, ctx),
        case_refs=case_refs(text, slugs),
        ip_types=agency_ip_types(slugs, ctx),
    )


def document_body(doc: dict[str, Any], agency_names: list[str]) -> str:
    """The readable facts of an API document, one per line (type, action, agencies ...)."""
    lines = [
        ("Type", doc.get("type")),
        ("Action", doc.get("action")),
        ("Agencies", "; ".join(n for n in agency_names if n)),
        ("Dates", doc.get("dates")),
        ("Docket IDs", ", ".join(doc.get("docket_ids") or [])),
        ("Topics", "; ".join(doc.get("topics") or [])),
        ("Citation", doc.get("citation")),
        ("Excerpts", html_to_text(doc.get("excerpts") or "")),
    ]
    return "\n".join(f"{label}: {normalize_text(str(v))}" for label, v in lines if v)


def document_kind(
    doc_type: str, agency_slugs: list[str], title: str, text: str, ctx: ParseContext
) -> ItemKind:
    """The item kind: the type lookup, with ITC Section 337 notices as disputes or decisions
    (``section_337_kind``).

    An unmapped type is counted and the source's default kind stands in.
    """
    kind = DOCUMENT_TYPES.get(doc_type, ctx) or ctx.source.kind
    if kind is ItemKind.NEWS and ITC in agency_slugs and is_section_337(title, text):
        return section_337_kind(title)
    return kind


def section_337_kind(title: str) -> ItemKind:
    """The kind of an ITC Section 337 notice, by its title, as the tagger's labelling rules
    have it (``tagger/eval/README.md``): a complaint received or an investigation instituted
    is a dispute; a determination, an order, a termination or a ruling in an investigation is
    a decision; anything else about the case stays a dispute."""
    if SECTION_337_OPENING.search(title):
        return ItemKind.DISPUTE
    if SECTION_337_OUTCOME.search(title):
        return ItemKind.DECISION
    return ItemKind.DISPUTE


def is_section_337(title: str, text: str) -> bool:
    """Whether an ITC notice concerns a Section 337 investigation or complaint."""
    if MENTIONS_337.search(text):
        return True
    return bool(CERTAIN_PRODUCTS.search(title)) and not TRADE_REMEDY.search(text)


def case_refs(text: str, agency_slugs: list[str]) -> list[str]:
    """ITC investigation numbers, and 337 complaint dockets of ITC documents, in order."""
    refs = [m["ref"] for m in INVESTIGATION_NUMBER.finditer(text)]
    if ITC in agency_slugs:
        refs += [f"USITC DN {m['number']}" for m in COMPLAINT_DOCKET.finditer(text)]
    return list(dict.fromkeys(refs))


def agency_ip_types(agency_slugs: list[str], ctx: ParseContext) -> list[str]:
    """The IP types the agencies imply (an agency missing from the table is counted)."""
    found: list[str] = []
    for slug in agency_slugs:
        found += AGENCY_IP_TYPES.get(slug, ctx) or ()
    return list(dict.fromkeys(found))


def _is_table_of_contents(payload: dict[str, Any]) -> bool:
    agencies = payload.get("agencies")
    return isinstance(agencies, list) and all(
        isinstance(a, dict) and "document_categories" in a for a in agencies
    )


def _issue_date(url: str) -> str | None:
    match = ISSUE_DATE.search(url.rsplit("/", 1)[-1]) or ISSUE_DATE.search(url)
    return f"{match['y']}-{match['m']}-{match['d']}" if match else None
