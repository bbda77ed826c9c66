"""WIPO Lex latest additions: the listing spider plus each text's jurisdiction and IP types.

Each row reads ``Jurisdiction | Title | Type of text | Subject matter | Date added``. The
jurisdiction is a country name (ISO 3166 code through ``pycountry`` and the source's
aliases), a regional organisation, or WIPO for a treaty; subject matters map to IP types by
lookup. Names that neither knows are counted, and the item keeps the source's jurisdiction.
"""

from __future__ import annotations

from typing import Any

from core.types import ItemRecord
from crawlers.context import Lookup, ParseContext
from crawlers.spiders.countries import country_code
from crawlers.spiders.fields import text_at
from crawlers.spiders.listing import Entry, ListingSpider
from crawlers.text import single_line

REGIONAL: dict[str, str] = {
    "WIPO-Administered Treaties": "WIPO",
    "World Intellectual Property Organization (WIPO)": "WIPO",
    "European Union": "EU",
    "European Union (EU)": "EU",
    "European Patent Organisation": "EPO",
    "European Patent Organisation (EPO)": "EPO",
    "Unified Patent Court": "UPC",
}
"""Jurisdictions that are organisations, as WIPO Lex names them."""

SUBJECTS: Lookup[tuple[str, ...]] = Lookup(
    "wipolex_subject",
    {
        "Patents (Inventions)": ("patent",),
        "Utility Models": ("patent",),
        "Industrial Designs": ("design",),
        "Trademarks": ("trademark",),
        "Trade Names": ("trademark",),
        "Geographical Indications": ("geographical_indication",),
        "Copyright and Related Rights (Neighboring Rights)": ("copyright",),
        "Trade Secrets (Undisclosed Information)": ("trade_secret",),
        "Plant Variety Protection": ("plant_variety",),
        "Layout-Designs of Integrated Circuits": ("design",),
        "Enforcement of IP and Related Laws": (),
        "IP Regulatory Body": (),
        "Competition": (),
        "Other": (),
    },
)


class WipoLexSpider(ListingSpider):
    """WIPO Lex additions, each with its own jurisdiction and IP types."""

    def refine_item(self, item: ItemRecord, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """Jurisdiction, IP types, title and summary from the row's cells."""
        return refine_addition(item, entry, ctx)


def refine_addition(item: ItemRecord, entry: Entry, ctx: ParseContext) -> ItemRecord:
    """The item with the jurisdiction and subject matter its row states."""
    where = cell(entry, 1)
    text_type = cell(entry, 3)
    subjects = [part.strip() for part in cell(entry, 4).split(";") if part.strip()]
    ip_types = [ip for subject in subjects for ip in (SUBJECTS.get(subject, ctx) or ())]
    code = jurisdiction_code(where, ctx)
    return item.model_copy(
        update={
            "title": f"{where}: {item.title}" if where and code != "WIPO" else item.title,
            "summary": f"{text_type or 'Text'} added to WIPO Lex ({where or 'jurisdiction not stated'})."
            f" Subject matter: {'; '.join(subjects) or 'not stated'}.",
            "jurisdictions": [code] if code else list(ctx.source.jurisdictions),
            "ip_types": list(dict.fromkeys(ip_types)),
        }
    )


def cell(entry: Entry, column: int) -> str:
    """The text of a table cell (1-based) on one line."""
    return single_line(text_at(entry.row, f"xpath:./td[{column}]"))


def jurisdiction_code(name: str, ctx: ParseContext) -> str | None:
    """The code of a WIPO Lex jurisdiction: an organisation's, else a country's."""
    code = REGIONAL.get(name) or country_code(name)
    if code is None:
        ctx.count_unmapped("wipolex_jurisdiction", name or "(blank)")
    return code
