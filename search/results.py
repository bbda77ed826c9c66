"""What a search returns: hits with HTML-safe snippets, the total, facets and a cursor."""

from __future__ import annotations

import html

from pydantic import BaseModel, Field

SNIPPET_CHARS = 200
SNIPPET_FIELDS = ("summary", "body", "title")
FACET_NAMES = ("jurisdiction", "chain", "kind", "ip_type", "source", "month")


class SearchHit(BaseModel):
    """One matching item.

    Attributes:
        snippet: HTML: matched text wrapped in ``<mark>…</mark>``, everything else escaped.
        score: Relevance (backend-specific scale; higher is better); ``None`` in date order.
    """

    id: str
    title: str
    snippet: str
    published_at: str | None = None
    source: str
    kind: str
    jurisdictions: list[str] = Field(default_factory=list)
    chains: list[str] = Field(default_factory=list)
    url: str | None = None
    language: str = "en"
    score: float | None = None


class SearchResults(BaseModel):
    """One page of results.

    Attributes:
        total: How many items match the whole query (all pages).
        facets: For each of ``FACET_NAMES``, ``{value: count}`` over all matching items.
        next_cursor: Pass as ``SearchQuery.cursor`` for the next page; ``None`` on the last.
        ignored: Words of the text the search left out (``SearchQuery.ignored_words``: with
            ``translate``, fillers such as 发起), for the page to name.
    """

    hits: list[SearchHit] = Field(default_factory=list)
    total: int = 0
    facets: dict[str, dict[str, int]] = Field(default_factory=lambda: empty_facets())
    next_cursor: str | None = None
    ignored: list[str] = Field(default_factory=list)


def empty_facets() -> dict[str, dict[str, int]]:
    """A facets dict with every facet present and empty."""
    return {name: {} for name in FACET_NAMES}


def choose_snippet(highlights: dict[str, str], lead: str) -> str:
    """The snippet for a hit: the first highlighted field, else the escaped lead.

    Args:
        highlights: Highlighted HTML per field (already escaped, with ``<mark>``).
        lead: The item's opening text, plain.
    """
    for field in SNIPPET_FIELDS:
        if highlights.get(field):
            return highlights[field]
    text = " ".join(lead.split())
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rstrip() + "…"
    return html.escape(text, quote=False)
