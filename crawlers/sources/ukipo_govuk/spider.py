"""GOV.UK Search API results of the Intellectual Property Office.

A page is ``{"results": [...], "total": N, "start": S, ...}``; each result has ``title``,
``description``, ``link`` (a GOV.UK path), ``public_timestamp``, ``format``,
``display_type`` and ``content_store_document_type``. The next page starts at
``start + len(results)`` and exists while that is below ``total``.

The kind comes from the content-store document type (``format`` when it is missing)
through a lookup: consultations, notices and guidance are rule changes, news stories and
press releases news, research and statistics reports. Forms, collections and similar
navigation pages are skipped on purpose; a type missing from the table is counted and the
source's default kind stands in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from core.types import ItemKind, ItemRecord
from crawlers.context import Lookup, ParseContext
from crawlers.spiders.fields import with_query_param
from crawlers.spiders.json_api import JsonApiSpider
from crawlers.text import normalize_text, plain_title

SITE = "https://www.gov.uk"


@dataclass(frozen=True)
class DocumentType:
    """What a GOV.UK document type means here (``kind=None``: not an item, skipped)."""

    kind: ItemKind | None


NEWS = DocumentType(ItemKind.NEWS)
RULE = DocumentType(ItemKind.RULE_CHANGE)
REPORT = DocumentType(ItemKind.REPORT)
SKIP = DocumentType(None)

DOCUMENT_TYPES: Lookup[DocumentType] = Lookup(
    "govuk_document_type",
    {
        "news_story": NEWS,
        "press_release": NEWS,
        "speech": NEWS,
        "world_news_story": NEWS,
        "news_article": NEWS,  # the format of news stories and press releases
        "open_consultation": RULE,
        "closed_consultation": RULE,
        "consultation_outcome": RULE,
        "consultation": RULE,  # the format of all three consultation types
        "government_response": RULE,
        "notice": RULE,  # practice notices (patents, trade marks, designs, tribunal)
        "guidance": RULE,
        "detailed_guide": RULE,
        "statutory_guidance": RULE,
        "policy_paper": RULE,
        "decision": DocumentType(ItemKind.DECISION),
        "corporate_report": REPORT,
        "research": REPORT,
        "independent_report": REPORT,
        "impact_assessment": REPORT,
        "official_statistics": REPORT,
        "national_statistics": REPORT,
        "statistical_data_set": REPORT,
        "transparency": REPORT,
        "form": SKIP,
        "foi_release": SKIP,
        "correspondence": SKIP,
        "document_collection": SKIP,
        "html_publication": SKIP,
        "promotional": SKIP,
        "organisation": SKIP,
        "finder": SKIP,
    },
)


class UkipoGovukSpider(JsonApiSpider):
    """The IPO's GOV.UK documents, newest first, paged by ``start``."""

    def make_item(self, entry: Any, ctx: ParseContext) -> ItemRecord | None:
        """A search result as an item (``None`` for a skipped document type)."""
        return search_result_to_item(entry, ctx)

    def next_page_url(self, payload: Any, ctx: ParseContext) -> str | None:
        """The same search from the first result this page did not hold."""
        return next_start_url(payload, ctx.url)


def search_result_to_item(entry: Any, ctx: ParseContext) -> ItemRecord | None:
    """A GOV.UK search result as an item, or ``None`` for a document type skipped on purpose.

    Raises:
        ValueError: When the result is not an object or lacks its link or title.
    """
    if not isinstance(entry, dict):
        raise ValueError(f"result is a {type(entry).__name__}, not an object")
    link, title = entry.get("link") or "", plain_title(entry.get("title") or "")
    if not link or not title:
        raise ValueError("result lacks link or title")
    type_name = entry.get("content_store_document_type") or entry.get("format")
    doc_type = DOCUMENT_TYPES.get(type_name, ctx)
    if doc_type is SKIP:
        return None
    return ctx.new_item(
        link,
        title,
        url=link if urlsplit(link).scheme else SITE + link,
        summary=normalize_text(entry.get("description") or ""),
        body=f"Document type: {entry['display_type']}" if entry.get("display_type") else "",
        published_at=ctx.date(entry.get("public_timestamp"), "public_timestamp"),
        kind=(doc_type.kind if doc_type else None) or ctx.source.kind,
    )


def next_start_url(payload: Any, url: str) -> str | None:
    """The URL of the next page, or ``None`` after the last one (or an empty page)."""
    if not isinstance(payload, dict):
        return None
    results, start, total = payload.get("results"), payload.get("start"), payload.get("total")
    if not results or not isinstance(start, int) or not isinstance(total, int):
        return None
    next_start = start + len(results)
    return with_query_param(url, "start", str(next_start)) if next_start < total else None
