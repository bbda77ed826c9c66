"""JPO "What's New": the listing spider plus the kind each entry's category label implies.

Each entry reads ``June 16, 2025 | Laws & Regulations | <title>``. The label maps to a kind
through a lookup table (rule changes for laws, fees and procedures; reports for statistics);
a label missing from the table is counted and the source's default kind stands in.
"""

from __future__ import annotations

from typing import Any

from core.types import ItemKind, ItemRecord
from crawlers.context import Lookup, ParseContext
from crawlers.spiders.fields import text_at
from crawlers.spiders.listing import Entry, ListingSpider
from crawlers.text import single_line

CATEGORY = "span.news_category"
CATEGORY_KINDS: Lookup[ItemKind] = Lookup(
    "jpo_category",
    {
        "Laws & Regulations": ItemKind.RULE_CHANGE,
        "Fees": ItemKind.RULE_CHANGE,
        "Procedures": ItemKind.RULE_CHANGE,
        "Examination": ItemKind.RULE_CHANGE,
        "Statistics": ItemKind.REPORT,
        "Reports": ItemKind.REPORT,
        "Events": ItemKind.NEWS,
        "International Cooperation": ItemKind.NEWS,
        "Press Releases": ItemKind.NEWS,
        "Notices": ItemKind.NEWS,
    },
)


class JpoNewsSpider(ListingSpider):
    """JPO English news, each item's kind read from its category label."""

    def refine_item(self, item: ItemRecord, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """The kind the entry's category implies."""
        return item.model_copy(update={"kind": category_kind(entry, ctx)})


def category_kind(entry: Entry, ctx: ParseContext) -> ItemKind:
    """The kind of the entry's category label (the source's default when unknown)."""
    label = single_line(text_at(entry.row, CATEGORY))
    return CATEGORY_KINDS.get(label, ctx) or ctx.source.kind
