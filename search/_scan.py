"""Reading a whole result set page by page from one view of the index (exports).

A backend hands ``scan_pages`` a function that runs one page of a query against a view it
holds still for the whole scan (one tantivy searcher, one SQLite read transaction, one
engine point in time). Paging through separate searches instead lets documents indexed
meanwhile shift every relevance score (BM25's statistics change), so the cursor's
``(score, id)`` no longer cuts the list where it did: rows repeat or go missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from search.query import SearchQuery
from search.results import SearchHit, SearchResults

SCAN_PAGE = 100
"""Hits read per page of a scan (the query model's largest page)."""


def scan_pages(
    run_page: Callable[[SearchQuery], SearchResults], query: SearchQuery, cap: int
) -> Iterator[SearchHit]:
    """Up to ``cap`` hits of ``query`` in its order, ``run_page`` called once per page (its
    ``limit`` and ``cursor`` are the scan's own)."""
    page_query = query.model_copy(update={"limit": SCAN_PAGE, "cursor": None})
    sent = 0
    while sent < cap:
        results = run_page(page_query)
        yield from results.hits[: cap - sent]
        sent += len(results.hits)
        if not results.next_cursor or not results.hits:
            return
        page_query = page_query.model_copy(update={"cursor": results.next_cursor})
