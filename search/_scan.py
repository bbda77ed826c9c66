"""Reading a whole result set page by page from one view of the index (exports).

A backend hands ``open_scan`` a function that runs one page of a query against a view it
holds still for the whole scan (one tantivy searcher, one SQLite read transaction, one
engine point in time). Paging through separate searches instead lets documents indexed
meanwhile shift every relevance score (BM25's statistics change), so the cursor's
``(score, id)`` no longer cuts the list where it did: rows repeat or go missing.

The scan's total is counted in that same view (``Scan.total``), never by a search of its own:
items stored between such a search and the view's opening made an export's announced total
disagree with its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from search.query import SearchQuery
from search.results import SearchHit, SearchResults

SCAN_PAGE = 100
"""Hits read per page of a scan (the query model's largest page)."""


@dataclass(frozen=True)
class Scan:
    """A result set read from one view of the index.

    Attributes:
        total: How many items match the query in that view (all of them, not only the
            ``cap`` the scan yields).
        hits: Up to ``cap`` of them, in the query's order, read lazily (a later page's error
            is raised while iterating).
    """

    total: int
    hits: Iterator[SearchHit]

    def __iter__(self) -> Iterator[SearchHit]:
        return self.hits

    def close(self) -> None:
        """Let go of the view now, whether or not every hit was read (a client that left an
        export early): the hits' generator ends, and with it the view (an engine's point in
        time is closed rather than left open until it expires). Closing twice is harmless."""
        close = getattr(self.hits, "close", None)
        if close is not None:
            close()


def empty_scan() -> Scan:
    """The scan of an index that does not exist yet."""
    return Scan(total=0, hits=iter(()))


def open_scan(
    run_page: Callable[[SearchQuery], SearchResults],
    query: SearchQuery,
    cap: int,
    total: int | None = None,
) -> Scan:
    """The scan of ``query`` through ``run_page``, its first page read now: a bad query or an
    unreachable view fails the call, before anything is sent. ``total`` is the view's count
    when the backend's pages do not carry it (else the first page's)."""
    page_query = query.model_copy(update={"limit": SCAN_PAGE, "cursor": None})
    first = run_page(page_query)
    counted = first.total if total is None else total
    return Scan(total=counted, hits=_hits_from(run_page, page_query, first, cap))


def _hits_from(
    run_page: Callable[[SearchQuery], SearchResults],
    page_query: SearchQuery,
    results: SearchResults,
    cap: int,
) -> Iterator[SearchHit]:
    sent = 0
    while True:
        yield from results.hits[: cap - sent]
        sent += len(results.hits)
        if sent >= cap or not results.next_cursor or not results.hits:
            return
        page_query = page_query.model_copy(update={"cursor": results.next_cursor})
        results = run_page(page_query)
