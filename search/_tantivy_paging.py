"""Cursor paging on tantivy: (score desc, id asc) or (date desc, undated last, id asc).

tantivy's collectors return the top ``n`` by one key: the score, or the ``published_ts``
integer fast field (undated items hold the smallest integer, so they come last). The score is
BM25 times a per-item factor just above 1 (``_tantivy_schema.TIE_FIELD``), which splits most
groups of equal BM25 scores, so that a page cut rarely falls inside a large one. Equal keys
are ordered by the ``id_key*`` fast fields (the id's first 48 bytes as numbers), read without
touching stored documents, and by the stored id only when those are equal too. A date cursor
first narrows the query to items dated no later than the cursor's. Equal keys at the cut of
a top-``n`` may be cut arbitrarily, so only keys before the last are complete, and ``n`` grows
until enough are. A first page in date order is looked for in one calendar month first, the
newest the query can match (``page``).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

import tantivy

from search._tantivy_query import in_month, not_after
from search._tantivy_schema import ID_KEY_FIELDS, TIE_FIELD, id_key, stored_hit
from search.builder import MISSING_TS, date_bounds
from search.query import CursorValue, SearchQuery

FIRST_FETCH = 2  # equal keys at the cut are few (see TIE_FIELD)
GROWTH = 16  # a large tie group at the cut is fetched whole in few searches


class Ranked:
    """A hit and its sort key: ``rank`` ascending, then ``tie`` (id key), then ``doc_id``.

    ``stored`` keeps the stored document once read (for the id), so that the hit is not
    read twice.
    """

    __slots__ = ("address", "doc_id", "key", "rank", "stored", "tie")

    def __init__(self, key: Any, address: tantivy.DocAddress, rank: Any) -> None:
        self.key, self.address, self.rank = key, address, rank
        self.tie: tuple[int, ...] = ()
        self.doc_id = ""
        self.stored: dict[str, Any] | None = None

    def sort_key(self) -> tuple[Any, tuple[int, ...], str]:
        """The full order (ids compared only where ranks and id keys are equal)."""
        return self.rank, self.tie, self.doc_id

    def load(self, searcher: tantivy.Searcher) -> dict[str, Any]:
        """The stored document (read once) and, from it, the id."""
        if self.stored is None:
            self.stored = stored_hit(searcher.doc(self.address).get_first("stored"))
            self.doc_id = str(self.stored["id"])
        return self.stored


def page(
    searcher: tantivy.Searcher, tq: tantivy.Query, query: SearchQuery, newest: int | None = None
) -> tuple[list[Ranked], int | None]:
    """The hits after the cursor, in order: up to ``limit + 1`` (one more tells a next page);
    and, in relevance order, how many items match the whole query, counted by the first
    search (nearly free beside ranking); None in date order (``counts_matches``).

    ``newest`` is the latest ``published_ts`` in the searcher's index: a first page in date
    order is looked for in the calendar month (UTC) of the newest item the query can match
    first (``_newest_month``), and in the whole index only when that month holds less than
    a page. Every item outside that month is older than every item in it, so its first
    ``limit + 1`` hits are the whole query's; a month's posting list is a few thousand items
    where ordering every match of a broad filter reads the dates of all of them.
    """
    need = query.limit + 1
    after = query.search_after()
    relevance = query.effective_sort() == "relevance"
    if not relevance and after is None:
        month = _newest_month(query, newest)
        if month is not None:
            chosen, _ = _collect(searcher, in_month(tq, month), need, None, False, False)
            if len(chosen) >= need:
                _load_ids(searcher, chosen[: query.limit])
                return chosen, None
    if not relevance and after is not None:
        tq = not_after(tq, int(after[0]))
    chosen, total = _collect(searcher, tq, need, after, relevance, counts_matches(query))
    _load_ids(searcher, chosen[: query.limit])  # the extra one only tells a next page
    return chosen, total


def _collect(
    searcher: tantivy.Searcher,
    tq: tantivy.Query,
    need: int,
    after: list[CursorValue] | None,
    relevance: bool,
    counting: bool,
) -> tuple[list[Ranked], int | None]:
    """The first ``need`` hits of ``tq`` after the cursor, in order (fewer if it has fewer),
    and their number when ``counting``."""
    fetch = need * FIRST_FETCH
    total: int | None = None
    while True:
        ranked, counted = _top(searcher, tq, fetch, relevance, counting and total is None)
        total = counted if total is None else total
        complete = len(ranked) < fetch
        selected = _after_cursor(searcher, ranked, complete, after, relevance, need)
        if complete or len(selected) >= need:
            return selected[:need], total
        fetch *= GROWTH


def counts_matches(query: SearchQuery) -> bool:
    """Whether ``page`` counts the query's matches: in relevance order (in date order, its
    searches may be narrowed to a month or to the items dated no later than a cursor's)."""
    return query.effective_sort() == "relevance"


def newest_ts(searcher: tantivy.Searcher) -> int | None:
    """The latest ``published_ts`` of the searcher's index (None when no item is dated)."""
    result = searcher.aggregate(
        tantivy.Query.all_query(), {"newest": {"max": {"field": "published_ts"}}}
    )
    value = result.get("newest", {}).get("value")
    return int(value) if value is not None and int(value) > MISSING_TS else None


def _newest_month(query: SearchQuery, newest: int | None) -> str | None:
    """The month ("YYYY-MM", UTC) of the newest item the query can match: the index's newest
    item, or the end of the query's date range if that is earlier (None when no item can)."""
    if newest is None:
        return None
    start, end = date_bounds(query)
    latest = newest if end is None else min(newest, end - 1)
    if start is not None and latest < start:
        return None
    return datetime.fromtimestamp(latest / 1000, UTC).strftime("%Y-%m")


def _top(
    searcher: tantivy.Searcher, tq: tantivy.Query, fetch: int, relevance: bool, count: bool
) -> tuple[list[Ranked], int | None]:
    if relevance:
        result = searcher.search(tq, limit=fetch, count=count, weight_by_field=TIE_FIELD)
    else:
        result = searcher.search(
            tq, limit=fetch, count=count, order_by_field="published_ts", order=tantivy.Order.Desc
        )
    ranked = [Ranked(k, a, -k) for k, a in result.hits]
    # ``SearchResult.count`` is set when counting, though tantivy's type stub omits it.
    return ranked, int(result.count) if count else None  # type: ignore[attr-defined]


def _after_cursor(
    searcher: tantivy.Searcher,
    ranked: list[Ranked],
    complete: bool,
    after: list[CursorValue] | None,
    relevance: bool,
    need: int,
) -> list[Ranked]:
    """Candidates strictly after the cursor, in order: the leading complete rank groups that
    hold ``need`` of them (all complete groups, if fewer)."""
    if not complete and ranked:
        cut = ranked[-1].rank
        ranked = [c for c in ranked if c.rank != cut]
    last: tuple[Any, tuple[int, ...], str] | None = None
    if after is not None:
        after_id = str(after[1])
        after_rank = -float(after[0]) if relevance else -int(after[0])
        last = (after_rank, id_key(after_id), after_id)
        ranked = [c for c in ranked if c.rank >= after_rank]
    ranked = _leading(ranked, need, last[0] if last is not None else None)
    _break_ties(searcher, ranked, last)
    ranked.sort(key=Ranked.sort_key)
    if last is not None:
        ranked = [c for c in ranked if c.sort_key() > last]
    return ranked


def _leading(ranked: list[Ranked], need: int, cursor_rank: Any) -> list[Ranked]:
    """The first rank groups of ``ranked`` (in rank order) up to the one that completes
    ``need`` candidates, not counting the cursor's group (some of it precedes the cursor):
    the groups after those cannot reach the page, so their ties are never broken."""
    counted = 0
    for index, candidate in enumerate(ranked):
        if counted >= need and candidate.rank != ranked[index - 1].rank:
            return ranked[:index]
        if candidate.rank != cursor_rank:
            counted += 1
    return ranked


def _break_ties(
    searcher: tantivy.Searcher,
    ranked: list[Ranked],
    last: tuple[Any, tuple[int, ...], str] | None,
) -> None:
    """Fill id keys where ranks are equal (or equal the cursor's), one column at a time and
    only while still equal, then stored ids where the whole id keys are equal too."""
    counts = Counter(c.rank for c in ranked)
    if last is not None:
        counts[last[0]] += 1
    tied = [c for c in ranked if counts[c.rank] > 1]
    for column, name in enumerate(ID_KEY_FIELDS):
        if not tied:
            return
        values = searcher.fast_field_values(name, [c.address for c in tied])
        for candidate, value in zip(tied, values, strict=True):
            candidate.tie += (int(value or 0),)
        keys = Counter((c.rank, c.tie) for c in tied)
        if last is not None:
            keys[(last[0], last[1][: column + 1])] += 1
        tied = [c for c in tied if keys[(c.rank, c.tie)] > 1]
    _load_ids(searcher, tied)


def _load_ids(searcher: tantivy.Searcher, candidates: list[Ranked]) -> None:
    for candidate in candidates:
        candidate.load(searcher)


def sort_values(query: SearchQuery, candidate: Ranked) -> list[CursorValue]:
    """The cursor values of a hit: ``[score, id]`` or ``[epoch ms, id]`` (as the SQLite
    backend writes them, undated as the smallest integer)."""
    if query.effective_sort() == "relevance":
        return [float(candidate.key), candidate.doc_id]
    return [int(candidate.key), candidate.doc_id]
