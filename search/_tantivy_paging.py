"""Cursor paging on tantivy: (score desc, id asc) or (date desc, undated last, id asc).

tantivy's collectors return the top ``n`` by one key. Date order uses the ``date_key`` fast
field, which ends in the id, so it has no ties; a cursor first narrows the query to items
dated no later than the cursor's. Relevance ties are ordered by the ``id_key*`` fast fields
(the id's first 48 bytes as numbers), read without touching stored documents, and by the
stored id only when those are equal too. Equal keys at the cut of a top-``n`` may be cut
arbitrarily, so only keys before the last are complete, and ``n`` grows until enough are.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import tantivy

from search._tantivy_query import not_after
from search._tantivy_schema import ID_KEY_FIELDS, date_key, id_key, stored_hit
from search.query import CursorValue, SearchQuery

FIRST_FETCH = 4
GROWTH = 16  # a large tie group at the cut is fetched whole in few searches
MISSING = 2**64 - 1


class Ranked:
    """A hit and its sort key: ``rank`` ascending, then ``tie`` (id key), then ``doc_id``."""

    __slots__ = ("address", "doc_id", "key", "rank", "tie")

    def __init__(self, key: Any, address: tantivy.DocAddress, rank: Any) -> None:
        self.key, self.address, self.rank = key, address, rank
        self.tie: tuple[int, ...] = ()
        self.doc_id = rank[16:] if isinstance(rank, str) else ""

    def sort_key(self) -> tuple[Any, tuple[int, ...], str]:
        """The full order (ids compared only where ranks and id keys are equal)."""
        return self.rank, self.tie, self.doc_id


def page(
    searcher: tantivy.Searcher, tq: tantivy.Query, query: SearchQuery
) -> tuple[list[Ranked], int]:
    """The hits after the cursor, in order: up to ``limit + 1`` (one more tells a next page),
    and the number of matches of the whole query."""
    need = query.limit + 1
    after = query.search_after()
    relevance = query.effective_sort() == "relevance"
    total = _total(searcher.search(tq, limit=1, count=True)) if after is not None else None
    if not relevance and after is not None:
        tq = not_after(tq, int(after[0]))
    fetch = need * FIRST_FETCH
    while True:
        ranked, result = _top(searcher, tq, fetch, relevance, count=total is None)
        total = _total(result) if total is None else total
        complete = len(ranked) < fetch or len(ranked) >= total
        selected = _after_cursor(searcher, ranked, complete, after, relevance)
        if complete or len(selected) >= need:
            chosen = selected[:need]
            _load_ids(searcher, [c for c in chosen if not c.doc_id])
            return chosen, int(total)
        fetch = min(fetch * GROWTH, total)


def _top(
    searcher: tantivy.Searcher, tq: tantivy.Query, fetch: int, relevance: bool, count: bool
) -> tuple[list[Ranked], tantivy.SearchResult]:
    if relevance:
        result = searcher.search(tq, limit=fetch, count=count)
        return [Ranked(s, a, -float(s)) for s, a in result.hits], result
    result = searcher.search(
        tq, limit=fetch, count=count, order_by_field="date_key", order=tantivy.Order.Asc
    )
    return [Ranked(k, a, k) for k, a in result.hits], result


def _total(result: tantivy.SearchResult) -> int:
    return int(result.count)  # type: ignore[attr-defined]


def _after_cursor(
    searcher: tantivy.Searcher,
    ranked: list[Ranked],
    complete: bool,
    after: list[CursorValue] | None,
    relevance: bool,
) -> list[Ranked]:
    """Candidates strictly after the cursor, in order; only complete rank groups."""
    if not complete and ranked:
        cut = ranked[-1].rank
        ranked = [c for c in ranked if c.rank != cut]
    last: tuple[Any, tuple[int, ...], str] | None = None
    if after is not None:
        after_id = str(after[1])
        if relevance:
            last = (-float(after[0]), id_key(after_id), after_id)
        else:
            last = (date_key(int(after[0]), after_id), (), after_id)
        ranked = [c for c in ranked if c.rank >= last[0]]
    if relevance:
        _break_ties(searcher, ranked, last)
    ranked.sort(key=Ranked.sort_key)
    if last is not None:
        ranked = [c for c in ranked if c.sort_key() > last]
    return ranked


def _break_ties(
    searcher: tantivy.Searcher,
    ranked: list[Ranked],
    last: tuple[Any, tuple[int, ...], str] | None,
) -> None:
    """Fill id keys where ranks are equal (or equal the cursor's), and stored ids where the
    id keys are equal too."""
    counts = Counter(c.rank for c in ranked)
    tied = [c for c in ranked if counts[c.rank] > 1 or (last is not None and c.rank == last[0])]
    if not tied:
        return
    addresses = [c.address for c in tied]
    columns = [searcher.fast_field_values(name, addresses) for name in ID_KEY_FIELDS]
    for index, candidate in enumerate(tied):
        candidate.tie = tuple(int(column[index] or 0) for column in columns)
    keys = Counter((c.rank, c.tie) for c in tied)
    if last is not None:
        keys[(last[0], last[1])] += 1
    _load_ids(searcher, [c for c in tied if keys[(c.rank, c.tie)] > 1])


def _load_ids(searcher: tantivy.Searcher, candidates: list[Ranked]) -> None:
    for candidate in candidates:
        candidate.doc_id = str(
            stored_hit(searcher.doc(candidate.address).get_first("stored"))["id"]
        )


def sort_values(query: SearchQuery, candidate: Ranked) -> list[CursorValue]:
    """The cursor values of a hit: ``[score, id]`` or ``[epoch ms, id]`` (as the SQLite
    backend writes them, undated as the smallest integer)."""
    if query.effective_sort() == "relevance":
        return [float(candidate.key), candidate.doc_id]
    inverted = int(str(candidate.rank)[:16], 16)
    ts = 2**63 - 1 - inverted if inverted != MISSING else -(2**63)
    return [ts, candidate.doc_id]
