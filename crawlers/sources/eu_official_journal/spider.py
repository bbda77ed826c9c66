"""EU acts from the Official Journal, read from the Publications Office's Cellar notices.

A live crawl asks the Cellar for each watched act's *branch* notice (the act and its English
version in one XML document) with ``Accept: application/xml;notice=branch`` at
``https://publications.europa.eu/resource/celex/<CELEX>?language=eng``; the start URLs list
the watched acts. Object notices of the work alone or of one expression read too (the saved
fixtures are such): a work notice carries no title, so its item is titled by type and CELEX
number and the missing title is recorded. Finding newly published acts (the EUR-Lex RSS
feeds, or the Cellar SPARQL endpoint by EuroVoc subject) is not done here yet.

One notice is one item, keyed by the CELEX number (``raw_ref`` ``32018R0196``; case reference
``CELEX 32018R0196``) and linked to its EUR-Lex page. Its kind comes from the CELEX sector
and type letter by lookup (``3R`` regulation, ``3L`` directive, ``3D`` decision ...), its
date is the document date, and its EuroVoc subjects go into the summary; subjects naming an
IP right give the item's IP types.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scrapy.http import Request, Response

from core.types import ItemKind, ItemRecord
from crawlers.context import Lookup, ParseContext
from crawlers.errors import PayloadError
from crawlers.payloads import parse_xml
from crawlers.sources.eu_official_journal.notice import CELEX, Notice, read_notice
from crawlers.spiders.base import SourceSpider

NOTICE_HEADERS = {"Accept": "application/xml;notice=branch"}
EUR_LEX_URL = "https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:{celex}"


@dataclass(frozen=True)
class DocumentType:
    """What a CELEX sector and type letter say an act is."""

    label: str
    kind: ItemKind


DOCUMENT_TYPES: Lookup[DocumentType] = Lookup(
    "eu_celex_document_type",
    {
        "3R": DocumentType("Regulation", ItemKind.RULE_CHANGE),
        "3L": DocumentType("Directive", ItemKind.RULE_CHANGE),
        "3D": DocumentType("Decision", ItemKind.RULE_CHANGE),
        "3H": DocumentType("Recommendation", ItemKind.NEWS),
        "5PC": DocumentType("Commission proposal", ItemKind.RULE_CHANGE),
        "6CJ": DocumentType("Judgment of the Court of Justice", ItemKind.DECISION),
        "6CO": DocumentType("Order of the Court of Justice", ItemKind.DECISION),
        "6TJ": DocumentType("Judgment of the General Court", ItemKind.DECISION),
        "6TO": DocumentType("Order of the General Court", ItemKind.DECISION),
    },
)
IP_SUBJECTS: dict[str, tuple[str, ...]] = {
    "patent": ("patent",),
    "European patent": ("patent",),
    "trademark": ("trademark",),
    "EU trade mark": ("trademark",),
    "industrial design": ("design",),
    "copyright": ("copyright",),
    "geographical indication": ("geographical_indication",),
    "designation of origin": ("geographical_indication",),
    "plant variety": ("plant_variety",),
}
"""EuroVoc subjects naming an IP right, by their English labels. EuroVoc has thousands of
concepts and most acts concern no IP right, so other subjects are not counted as unmapped."""


class EuOfficialJournalSpider(SourceSpider):
    """One Cellar notice per watched act, read to one item."""

    def initial_requests(self) -> list[Request]:
        """The start requests, asking the Cellar for branch notices."""
        return [request.replace(headers=NOTICE_HEADERS) for request in super().initial_requests()]

    def decode(self, response: Response, ctx: ParseContext) -> Any:
        """The notice's root element (the XML vetted: no entities, no network)."""
        root = parse_xml(response.body, ctx.location)
        if root.tag != "NOTICE":
            raise PayloadError(ctx.location, f"XML root <{root.tag}> is not a Cellar NOTICE")
        return root

    def iter_entries(self, payload: Any, ctx: ParseContext) -> Iterable[Any]:
        """The notice's facts (none when the notice's layout is unknown)."""
        notice = read_notice(payload)
        return [notice] if notice is not None else []

    def make_item(self, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """The act as an item (see ``notice_to_item``)."""
        return notice_to_item(entry, ctx)


def notice_to_item(notice: Notice, ctx: ParseContext) -> ItemRecord:
    """An act's notice as an item.

    Raises:
        ValueError: When the notice names no CELEX number.
    """
    celex = CELEX.match(notice.celex or "")
    if celex is None:
        raise ValueError("the notice names no CELEX number")
    number = celex.group(0)
    document_type = DOCUMENT_TYPES.get(celex["sector"] + celex["type"], ctx)
    if notice.other_languages and notice.title is None:
        ctx.problem("item", f"{number}: no English version ({', '.join(notice.other_languages)})")
    title = notice.title or _stand_in_title(number, document_type, ctx)
    return ctx.new_item(
        number,
        title,
        url=EUR_LEX_URL.format(celex=number),
        summary=_summary(notice),
        published_at=ctx.date(notice.document_date, "date of document"),
        kind=document_type.kind if document_type else ctx.source.kind,
        ip_types=_ip_types(notice.subjects) or list(ctx.source.ip_types),
        case_refs=[f"CELEX {number}"],
    )


def _stand_in_title(number: str, document_type: DocumentType | None, ctx: ParseContext) -> str:
    ctx.problem("item", f"{number}: the notice gives no English title; titled by CELEX number")
    label = document_type.label if document_type else "EU act"
    return f"{label} CELEX {number}"


def _summary(notice: Notice) -> str:
    lines = []
    if notice.subjects:
        lines.append(f"EuroVoc subjects: {'; '.join(notice.subjects)}")
    if notice.directory:
        lines.append(f"Directory of EU legislation: {'; '.join(notice.directory)}")
    if notice.entry_into_force:
        lines.append(f"Entry into force: {notice.entry_into_force}")
    return "\n".join(lines)


def _ip_types(subjects: Iterable[str]) -> list[str]:
    found = (t for subject in subjects for t in IP_SUBJECTS.get(subject, ()))
    return list(dict.fromkeys(found))
