"""USPTO PTAB API v2: AIA trial proceedings, board decisions and the papers of a proceeding.

Every endpoint answers ``{"aggregationData": {...}, "results": [...],
"recordTotalQuantity": N}``; a result is told apart by its fields:

- a decision (``/decisions``) has ``decisionTypeCategory`` and ``documentIdentifier``;
- a paper (``/documents``) has ``documentIdentifier`` and ``documentTypeName``;
- a proceeding (``/proceedings``) has neither, only ``proceedingNumber`` and its status.

Each names the proceeding, the petitioner, the patent owner (``respondent...``) and the
challenged patent; dates are written ``MM-DD-YYYY``. Kinds come from lookups: a
proceeding's status (pending or instituted → dispute; decided or terminated → decision), a
decision's type, a paper's type (final written decisions kept as decisions, petitions as
disputes; briefs, orders and exhibits left out, and an unknown type counted and left out).
Case references are proceeding numbers as PTAB writes them (``IPR2022-00037``); ex parte
appeal numbers (``2003000712``) become ``Appeal 2003-000712``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from core.types import ItemKind, ItemRecord, Party
from crawlers.context import Lookup, ParseContext
from crawlers.spiders.fields import with_query_param
from crawlers.spiders.json_api import JsonApiSpider
from crawlers.text import normalize_text, plain_title, single_line

API = "https://developer.uspto.gov/ptab-api"
PTAB_DATE = "%m-%d-%Y"
APPEAL_NUMBER = re.compile(r"^(?P<year>\d{4})(?P<serial>\d{6})$")

SUBPROCEEDINGS: Lookup[str] = Lookup(
    "ptab_subproceeding_type",
    {
        "IPR": "Inter partes review",
        "PGR": "Post-grant review",
        "CBM": "Covered business method review",
        "DER": "Derivation proceeding",
        "REGULAR": "Ex parte appeal",
        "REEXAM": "Ex parte appeal in a reexamination",
        "REISSUE": "Ex parte appeal in a reissue",
    },
)
PROCEEDING_STATUSES: Lookup[ItemKind] = Lookup(
    "ptab_proceeding_status",
    {
        "Pending": ItemKind.DISPUTE,
        "Trial Instituted": ItemKind.DISPUTE,
        "Institution Denied": ItemKind.DECISION,
        "Pending Director Review": ItemKind.DECISION,
        "FWD Entered": ItemKind.DECISION,
        "Final Written Decision": ItemKind.DECISION,
        "Final Written Decision - Appealed": ItemKind.DECISION,
        "Decision": ItemKind.DECISION,  # ex parte appeals
        "Terminated-Denied": ItemKind.DECISION,
        "Terminated-Settled": ItemKind.DECISION,
        "Terminated-Dismissed": ItemKind.DECISION,
        "Terminated-Other": ItemKind.DECISION,
        "Terminated": ItemKind.DECISION,
    },
)
"""Proceeding statuses as the API's ``proceedingStatusCategory`` facet reports them, mapped as
the tagger's labelling rules have it (``tagger/eval/README.md``): a pending or instituted
trial is a dispute; a decision on institution, a final written decision and a termination
order (settled, dismissed or otherwise) are decisions."""

DECISION_TYPES: Lookup[ItemKind] = Lookup("ptab_decision_type", {"Decision": ItemKind.DECISION})


@dataclass(frozen=True)
class PaperType:
    """What a PTAB paper is here (``kind=None``: a brief, order or exhibit, left out)."""

    kind: ItemKind | None


LEFT_OUT = PaperType(None)
PAPER_TYPES: Lookup[PaperType] = Lookup(
    "ptab_document_type",
    {
        "Final Written Decision": PaperType(ItemKind.DECISION),
        "Petition": PaperType(ItemKind.DISPUTE),
        "Notice": LEFT_OUT,
        "Order": LEFT_OUT,
        "Other": LEFT_OUT,
        "EXHIBIT": LEFT_OUT,
        "Pet Reply to PO Resp": LEFT_OUT,
    },
)
"""Paper types by the head of ``documentTypeName`` (``Final Written Decision:  original``)."""


class UsptoPtabSpider(JsonApiSpider):
    """PTAB proceedings, decisions and papers, paged by ``recordStartNumber``."""

    def make_item(self, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """A proceeding, decision or paper as an item (see ``ptab_entry_to_item``)."""
        return ptab_entry_to_item(entry, ctx)

    def next_page_url(self, payload: Any, ctx: ParseContext) -> str | None:
        """The same query from the first record this page did not hold."""
        return next_record_url(payload, ctx.url)


def ptab_entry_to_item(entry: Any, ctx: ParseContext) -> ItemRecord | None:
    """A PTAB API result as an item (``None`` for a paper type left out on purpose).

    Raises:
        ValueError: When the result is not an object or names no proceeding.
    """
    if not isinstance(entry, dict) or not entry.get("proceedingNumber"):
        raise ValueError("result is not an object with a proceedingNumber")
    if "decisionTypeCategory" in entry:
        return decision_to_item(entry, ctx)
    if "documentIdentifier" in entry:
        return paper_to_item(entry, ctx)
    return proceeding_to_item(entry, ctx)


def proceeding_to_item(entry: dict[str, Any], ctx: ParseContext) -> ItemRecord:
    """A proceeding: its status decides the kind; it is dated by its latest event."""
    number = entry["proceedingNumber"]
    status = single_line(entry.get("proceedingStatusCategory") or "")
    filed = "accordedFilingDate" if entry.get("accordedFilingDate") else "proceedingFilingDate"
    dates = {
        "filed": ptab_date(entry, filed, ctx),
        "institution decision": ptab_date(entry, "institutionDecisionDate", ctx),
        "decision": ptab_date(entry, "decisionDate", ctx),
    }
    events = "; ".join(f"{label} {day:%Y-%m-%d}" for label, day in dates.items() if day)
    summary = joined(
        f"{proceeding_label(entry, ctx)} {case_ref(number)}.",
        parties_sentence(entry),
        patent_sentence(entry, ctx),
        f"Status: {status}." if status else "",
        f"Dates: {events}." if events else "",
    )
    return ctx.new_item(
        number,
        f"{case_ref(number)}: {caption_with_patent(entry)}" + (f", {status}" if status else ""),
        url=f"{API}/proceedings?proceedingNumber={number}",
        summary=summary,
        body=counsel_lines(entry),
        published_at=max((day for day in dates.values() if day), default=None),
        kind=PROCEEDING_STATUSES.get(status, ctx) or ctx.source.kind,
        case_refs=[case_ref(number)],
        parties=ptab_parties(entry),
    )


def decision_to_item(entry: dict[str, Any], ctx: ParseContext) -> ItemRecord:
    """A board decision, with its rulings and the start of its OCR text."""
    number, identifier = entry["proceedingNumber"], document_identifier(entry)
    decision_type = single_line(entry.get("decisionTypeCategory") or "")
    subtype = single_line(entry.get("subdecisionTypeCategory") or "")
    what = ", ".join(part for part in (decision_type, subtype) if part) or "Decision"
    rulings = "; ".join(ruling for ruling in entry.get("boardRulings") or [] if ruling)
    body = joined(
        f"Document: {entry['documentName']}" if entry.get("documentName") else "",
        f"Board rulings: {rulings}" if rulings else "",
        normalize_text(entry.get("ocrSearchText") or ""),
        sep="\n",
    )
    return ctx.new_item(
        identifier,
        f"{case_ref(number)}: {what} ({caption_with_patent(entry)})",
        url=f"{API}/documents/{identifier}/download",
        summary=paper_summary(entry, what, ctx),
        body=body,
        published_at=ptab_date(entry, "decisionDate", ctx),
        kind=DECISION_TYPES.get(decision_type, ctx) or ctx.source.kind,
        case_refs=[case_ref(number)],
        parties=ptab_parties(entry),
    )


def paper_to_item(entry: dict[str, Any], ctx: ParseContext) -> ItemRecord | None:
    """A paper of a proceeding: final written decisions and petitions kept, the rest left out."""
    type_name = single_line(entry.get("documentTypeName") or "")
    paper_type = PAPER_TYPES.get(type_name.split(":", 1)[0].strip(), ctx)
    if paper_type is None or paper_type.kind is None:
        return None
    number, identifier = entry["proceedingNumber"], document_identifier(entry)
    what = plain_title(entry.get("documentTitleText") or type_name)
    filed_by = single_line(entry.get("filingPartyCategory") or "").lower()
    body = joined(
        f"Document: {entry['documentName']}" if entry.get("documentName") else "",
        f"Paper {entry['documentNumber']}" if entry.get("documentNumber") else "",
        f"Filed by: {filed_by}" if filed_by else "",
        f"Type: {type_name}" if type_name else "",
        sep="\n",
    )
    return ctx.new_item(
        identifier,
        f"{case_ref(number)}: {what} ({caption_with_patent(entry)})",
        url=f"{API}/documents/{identifier}/download",
        summary=paper_summary(entry, what, ctx),
        body=body,
        published_at=ptab_date(entry, "documentFilingDate", ctx),
        kind=paper_type.kind,
        case_refs=[case_ref(number)],
        parties=ptab_parties(entry),
    )


def document_identifier(entry: dict[str, Any]) -> str:
    """The paper's document identifier.

    Raises:
        ValueError: When the result has none.
    """
    identifier = entry.get("documentIdentifier")
    if not identifier:
        raise ValueError(f"{entry['proceedingNumber']}: paper lacks documentIdentifier")
    return str(identifier)


def case_ref(number: str) -> str:
    """A proceeding number as PTAB writes it (``IPR2022-00037``; ``Appeal 2003-000712``)."""
    appeal = APPEAL_NUMBER.match(number)
    return f"Appeal {appeal['year']}-{appeal['serial']}" if appeal else number


def proceeding_label(entry: dict[str, Any], ctx: ParseContext) -> str:
    """``Inter partes review`` and so on (the raw code when the lookup lacks it)."""
    code = entry.get("subproceedingTypeCategory")
    label = SUBPROCEEDINGS.get(code, ctx)
    return label or single_line(code or entry.get("proceedingTypeCategory") or "Proceeding")


def ptab_parties(entry: dict[str, Any]) -> list[Party]:
    """Petitioner, patent owner (and appellant, in ex parte appeals), with their roles."""
    owner = entry.get("respondentPatentOwnerName") or entry.get("respondentPartyName")
    named = (
        (entry.get("petitionerPartyName"), "petitioner"),
        (owner, "patent owner"),
        (entry.get("appellantPartyName"), "appellant"),
    )
    return [Party(name=plain_title(name), role=role) for name, role in named if name]


def caption_with_patent(entry: dict[str, Any]) -> str:
    """``Apple Inc. v. LoganTree LP, U.S. Patent No. 6,059,576``."""
    names = " v. ".join(party.name for party in ptab_parties(entry))
    return joined(names, patent_label(entry) or "", sep=", ")


def patent_label(entry: dict[str, Any]) -> str | None:
    """``U.S. Patent No. 6,059,576`` (reissue and other numbers as written)."""
    number = entry.get("respondentPatentNumber") or entry.get("appellantPatentNumber")
    text = single_line(str(number or ""))
    if not text:
        return None
    return f"U.S. Patent No. {int(text):,}" if text.isdigit() else f"U.S. Patent No. {text}"


def parties_sentence(entry: dict[str, Any]) -> str:
    """``Petitioner: Apple Inc. Patent owner: LoganTree LP.``"""
    return joined(
        *(sentence(f"{p.role.capitalize()}: {p.name}") for p in ptab_parties(entry) if p.role)
    )


def patent_sentence(entry: dict[str, Any], ctx: ParseContext) -> str:
    """The challenged patent with its application number and grant date."""
    patent = patent_label(entry)
    if patent is None:
        return ""
    application = entry.get("respondentApplicationNumberText")
    granted = ptab_date(entry, "respondentGrantDate", ctx)
    details = joined(
        f"application {application}" if application else "",
        f"granted {granted:%Y-%m-%d}" if granted else "",
        sep=", ",
    )
    return f"{patent} ({details})." if details else f"{patent}."


def paper_summary(entry: dict[str, Any], what: str, ctx: ParseContext) -> str:
    """What the paper is, in which proceeding, between whom, on which patent."""
    return joined(
        f"{what} in {proceeding_label(entry, ctx)} {case_ref(entry['proceedingNumber'])}.",
        parties_sentence(entry),
        patent_sentence(entry, ctx),
    )


def counsel_lines(entry: dict[str, Any]) -> str:
    """Counsel, inventor, technology center and art unit, one per line."""
    facts = (
        ("Petitioner counsel", entry.get("petitionerCounselName")),
        ("Patent owner counsel", entry.get("respondentCounselName")),
        ("Inventor", entry.get("respondentInventorName")),
        ("Technology center", entry.get("respondentTechnologyCenterNumber")),
        ("Art unit", entry.get("respondentGroupArtUnitNumber")),
    )
    return "\n".join(f"{label}: {single_line(str(value))}" for label, value in facts if value)


def ptab_date(entry: dict[str, Any], field: str, ctx: ParseContext) -> datetime | None:
    """A ``MM-DD-YYYY`` date of the result (a problem is recorded when unreadable)."""
    return ctx.date(entry.get(field), field, formats=(PTAB_DATE,))


def sentence(text: str) -> str:
    """The text ending in one full stop (``Apple Inc.`` stays as it is)."""
    return text if text.endswith(".") else f"{text}."


def joined(*parts: str, sep: str = " ") -> str:
    """The non-empty parts, joined."""
    return sep.join(part for part in parts if part)


def next_record_url(payload: Any, url: str) -> str | None:
    """The URL of the next page, or ``None`` after the last one (or an empty page)."""
    if not isinstance(payload, dict):
        return None
    results, total = payload.get("results"), payload.get("recordTotalQuantity")
    if not results or not isinstance(total, int):
        return None
    start = dict(parse_qsl(urlsplit(url).query)).get("recordStartNumber", "0")
    next_start = (int(start) if start.isdigit() else 0) + len(results)
    if next_start >= total:
        return None
    return with_query_param(url, "recordStartNumber", str(next_start))
