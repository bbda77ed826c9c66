"""The embedded backend: an SQLite FTS5 index in its own file, beside the records database.

Layout (one *generation* of tables is live; ``search_meta.generation`` names it, and a reindex
builds the next generation and switches in one transaction, as an alias would):

- ``fts_<g>``: FTS5 over title, summary and body (Chinese pre-segmented by
  ``tagger.segment.segment_for_index``) plus ``tags``, a column of digit tokens standing for
  keyword-filter values, so that filters run inside MATCH (4-10x faster than a join);
- ``docs_<g>``: the original texts (for snippets), dates, flags and the hit's display fields;
- ``terms_<g>``: one row per (document, field, value), for substring filters (and facets in
  indexes built before ``facets_<g>`` existed);
- ``facets_<g>``: one narrow row per document with its facet values as one string, counted in
  Python: one row read per hit, instead of a lookup per hit and facet.

Each call opens its own connection (WAL mode), so the backend is safe to share across threads
and processes.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from core.logging_ import get_logger
from search._scan import Scan, open_scan
from search._sqlite_store import (
    CODE_SEP,
    FIELD_SEP,
    Tables,
    create_tables,
    drop_tables,
    ensure_schema,
    live_tables,
    next_generation,
    remove,
    rollback,
    switch_generation,
    upsert_all,
)
from search.builder import (
    FACETS,
    MISSING_TS,
    FtsQuery,
    build_fts_query,
    fts_rank_expression,
)
from search.document import Document
from search.errors import BadQuery, IndexingFailed, ReindexFailed, SearchUnavailable
from search.query import CursorValue, SearchQuery
from search.results import (
    SNIPPET_FIELDS,
    SearchHit,
    SearchResults,
    choose_snippet,
    empty_facets,
)
from search.snippets import MARK_CLOSE, MARK_OPEN, highlight_field, marked_words

log = get_logger(__name__)

BATCH = 1000
FEW_HITS = 500


class SqliteBackend:
    """Search over an SQLite FTS5 file (see the module docstring)."""

    name = "sqlite"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    # --- connections ------------------------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA synchronous = NORMAL")
            return conn
        except (OSError, sqlite3.Error) as exc:
            log.warning("search.sqlite.unavailable", path=str(self.path), error=str(exc))
            raise SearchUnavailable("the search index cannot be opened") from exc

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[tuple[sqlite3.Connection, Tables]]:
        """A connection inside one transaction, and the live generation's tables."""
        conn = self._connect()
        try:
            ensure_schema(conn)
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield conn, live_tables(conn)
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            rollback(conn)
            raise _translate(exc, str(self.path)) from exc
        except BaseException:
            rollback(conn)
            raise
        finally:
            conn.close()

    # --- writing ----------------------------------------------------------------------------

    def index(self, docs: Iterable[Document]) -> None:
        """Add or replace documents (a document never replaces a newer version of itself).

        Raises:
            IndexingFailed: Some documents were malformed; the others were indexed.
        """
        with self._transaction(write=True) as (conn, tables):
            rejected = upsert_all(conn, tables, list(docs))
        if rejected:
            raise IndexingFailed(rejected)

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id (unknown ids are ignored)."""
        with self._transaction(write=True) as (conn, tables):
            for doc_id in ids:
                row = conn.execute(f"SELECT rowid FROM {tables.docs} WHERE id = ?", (doc_id,))
                found = row.fetchone()
                if found:
                    remove(conn, tables, found[0])

    def reindex(self, docs: Iterable[Document]) -> int:
        """Build a new generation from ``docs``, check its count, then switch to it.

        Returns:
            The number of documents in the new index.

        Raises:
            ReindexFailed: Documents were malformed or the count did not match; the live
                index is unchanged.
        """
        with self._transaction(write=True) as (conn, _):
            new = next_generation(conn)
            create_tables(conn, new)
        try:
            expected = self._fill(new, docs)
            return self._switch(new, expected)
        except BaseException:
            self._drop_generation(new)
            raise

    def _fill(self, tables: Tables, docs: Iterable[Document]) -> int:
        ids: set[str] = set()
        rejected: list[str] = []
        batch: list[Document] = []
        for doc in docs:
            ids.add(str(doc.get("id")))
            batch.append(doc)
            if len(batch) >= BATCH:
                rejected += self._write_batch(tables, batch)
                batch = []
        rejected += self._write_batch(tables, batch)
        if rejected:
            raise ReindexFailed(f"{len(rejected)} documents were rejected")
        return len(ids)

    def _write_batch(self, tables: Tables, batch: list[Document]) -> list[str]:
        if not batch:
            return []
        with self._transaction(write=True) as (conn, _):
            return upsert_all(conn, tables, batch)

    def _switch(self, new: Tables, expected: int) -> int:
        with self._transaction(write=True) as (conn, old):
            count = conn.execute(f"SELECT count(*) FROM {new.docs}").fetchone()[0]
            if count != expected:
                raise ReindexFailed(f"the new index holds {count} documents, not {expected}")
            switch_generation(conn, new)
            drop_tables(conn, old)
        log.info("search.sqlite.reindexed", generation=new.generation, count=count)
        return int(count)

    def _drop_generation(self, tables: Tables) -> None:
        try:
            with self._transaction(write=True) as (conn, live):
                if live.generation != tables.generation:
                    drop_tables(conn, tables)
        except SearchUnavailable:
            log.warning("search.sqlite.cleanup_failed", generation=tables.generation)

    # --- reading ----------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        """Run a query: one page of hits, the total and the facets."""
        plan = build_fts_query(query)
        with self._transaction(write=False) as (conn, tables):
            _collect_hits(conn, tables, plan)
            total = conn.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
            facets = _facets(conn, tables, total)
            page = _page_of_hits(conn, tables, query, plan)
        ignored = query.ignored_words()
        return page.model_copy(update={"total": total, "facets": facets, "ignored": ignored})

    def scan(self, query: SearchQuery, cap: int) -> Scan:
        """Up to ``cap`` hits of ``query`` and their total, all read in one read transaction.

        The hits are read before the first is returned, so that no writer waits on the
        transaction while a client downloads an export (at most ``cap`` hits are held).
        """
        with self._transaction(write=False) as (conn, tables):
            _collect_hits(conn, tables, build_fts_query(query))
            total = int(conn.execute("SELECT count(*) FROM temp.hits").fetchone()[0])
            run_page = functools.partial(_page_of_hits, conn, tables)
            hits = list(open_scan(run_page, query, cap, total))
        return Scan(total=total, hits=iter(hits))

    def count(self) -> int:
        """How many documents the live index holds."""
        with self._transaction(write=False) as (conn, tables):
            return int(conn.execute(f"SELECT count(*) FROM {tables.docs}").fetchone()[0])

    def health(self) -> dict[str, Any]:
        """Whether the index opens and answers, with its size; never raises."""
        try:
            with self._transaction(write=False) as (conn, tables):
                count = conn.execute(f"SELECT count(*) FROM {tables.docs}").fetchone()[0]
        except SearchUnavailable:
            return {"backend": self.name, "ok": False, "error": "unavailable"}
        return {
            "backend": self.name,
            "ok": True,
            "path": str(self.path),
            "generation": tables.generation,
            "count": count,
        }


def _translate(exc: sqlite3.Error, path: str) -> Exception:
    """An SQLite error as ours: FTS syntax is a bad query, anything else unavailability."""
    if "fts5" in str(exc).lower() and "syntax" in str(exc).lower():
        log.error("search.sqlite.fts_syntax", error=str(exc))
        return BadQuery("the query could not be read")
    log.warning("search.sqlite.error", path=path, error=str(exc))
    return SearchUnavailable("the search index failed")


# --- reading rows ---------------------------------------------------------------------------


def _collect_hits(conn: sqlite3.Connection, t: Tables, plan: FtsQuery) -> None:
    """Fill ``temp.hits`` with every match: (rowid, rank, ts, id)."""
    conn.execute(
        "CREATE TEMP TABLE hits (rowid INTEGER PRIMARY KEY, rank REAL NOT NULL,"
        " ts INTEGER NOT NULL, id TEXT NOT NULL)"
    )
    conditions = [c.replace("{terms}", t.terms).replace("{fts}", t.fts) for c in plan.conditions]
    select = f"SELECT d.rowid, {{rank}}, coalesce(d.published_ts, {MISSING_TS}), d.id"
    if plan.match:
        sql = (
            f"{select.format(rank=fts_rank_expression(t.fts))} FROM {t.fts}"
            f" JOIN {t.docs} d ON d.rowid = {t.fts}.rowid WHERE {t.fts} MATCH ?"
        )
        params: list[Any] = [plan.match, *plan.params]
        sql += "".join(f" AND {c}" for c in conditions)
    else:
        sql = f"{select.format(rank='0.0')} FROM {t.docs} d WHERE 1"
        sql += "".join(f" AND {c}" for c in conditions)
        params = list(plan.params)
    conn.execute(f"INSERT INTO temp.hits (rowid, rank, ts, id) {sql}", params)


def _facets(conn: sqlite3.Connection, t: Tables, total: int) -> dict[str, dict[str, int]]:
    """Counts per facet over the hits, top values first (months newest first)."""
    if not t.has_facets:
        return _facets_from_terms(conn, t, total)
    if total == 0:
        return empty_facets()
    rows = conn.execute(
        f"SELECT f.codes FROM temp.hits h CROSS JOIN {t.facets} f ON f.rowid = h.rowid"
    ).fetchall()
    joined = CODE_SEP.join(row[0] for row in rows if row[0])
    counted = Counter(joined.split(CODE_SEP)) if joined else Counter()
    per_facet: list[list[tuple[str, int]]] = [[] for _ in FACETS]
    for code, count in counted.items():
        index, value = code.split(FIELD_SEP, 1)
        per_facet[int(index)].append((value, count))
    facets = empty_facets()
    for facet, counts in zip(FACETS, per_facet, strict=True):
        facets[facet.name] = facet.top(counts)
    return facets


def _facets_from_terms(
    conn: sqlite3.Connection, t: Tables, total: int
) -> dict[str, dict[str, int]]:
    """Facets from the terms table (indexes built before ``facets_<g>``; reindex to speed up).

    Few hits: look up each hit's terms. Many: scan the field's terms in value order and
    keep those of hits (cheaper than a lookup per hit and a sort).
    """
    facets = empty_facets()
    for facet in FACETS:
        if total <= FEW_HITS:
            sql = (
                f"SELECT t.value, count(*) FROM temp.hits h CROSS JOIN {t.terms} t"
                " ON t.doc = h.rowid AND t.field = ? GROUP BY t.value"
            )
        else:
            sql = (
                f"SELECT t.value, count(*) FROM {t.terms} t WHERE t.field = ?"
                " AND t.doc IN (SELECT rowid FROM temp.hits) GROUP BY t.value"
            )
        facets[facet.name] = facet.top(conn.execute(sql, (facet.field,)).fetchall())
    return facets


def _page_of_hits(
    conn: sqlite3.Connection, t: Tables, query: SearchQuery, plan: FtsQuery | None = None
) -> SearchResults:
    """One page of ``query`` (its ``plan``, if built already) from ``temp.hits`` (filled by
    ``_collect_hits``), without the total and facets."""
    plan = plan or build_fts_query(query)
    rows = _page(conn, plan, query.limit + 1)
    hits = _hits(conn, t, plan, rows[: query.limit], query)
    next_cursor = None
    if len(rows) > query.limit:
        next_cursor = query.next_cursor(_sort_values(query, rows[query.limit - 1]))
    return SearchResults(hits=hits, next_cursor=next_cursor)


def _page(conn: sqlite3.Connection, plan: FtsQuery, size: int) -> list[tuple[Any, ...]]:
    where, params = ("", []) if plan.after is None else (f"WHERE {plan.after[0]}", plan.after[1])
    sql = f"SELECT h.rowid, h.rank, h.ts, h.id FROM temp.hits h {where} ORDER BY {plan.order_by}"
    return conn.execute(f"{sql} LIMIT ?", [*params, size]).fetchall()


def _hits(
    conn: sqlite3.Connection,
    t: Tables,
    plan: FtsQuery,
    rows: list[tuple[Any, ...]],
    query: SearchQuery,
) -> list[SearchHit]:
    if not rows:
        return []
    rowids = [row[0] for row in rows]
    marks = ", ".join("?" for _ in rowids)
    sql = f"SELECT rowid, title, summary, body, hit FROM {t.docs} WHERE rowid IN ({marks})"
    stored = {r[0]: r[1:] for r in conn.execute(sql, rowids)}
    marked = _marked_words(conn, t, plan, rowids)
    relevance = query.effective_sort() == "relevance"
    hits = []
    for rowid, rank, _, _ in rows:
        title, summary, body, hit_json = stored[rowid]
        hit = json.loads(hit_json)
        texts = {"title": title, "summary": summary, "body": body}
        words = {name: marked.get((rowid, name), set()) for name in texts}
        snippet = _snippet(texts, words, plan.cjk_terms, hit.pop("lead") or "")
        hits.append(SearchHit(**hit, snippet=snippet, score=-rank if relevance else None))
    return hits


def _snippet(
    texts: dict[str, str], words: dict[str, set[str]], cjk_terms: list[str], lead: str
) -> str:
    """The first field (in ``SNIPPET_FIELDS`` order) with a match, highlighted; else the lead."""
    for name in SNIPPET_FIELDS:
        highlighted = highlight_field(texts[name], words[name], cjk_terms, whole=name == "title")
        if highlighted:
            return highlighted
    return choose_snippet({}, lead)


def _marked_words(
    conn: sqlite3.Connection, t: Tables, plan: FtsQuery, rowids: list[int]
) -> dict[tuple[int, str], set[str]]:
    """The words FTS5 highlights in each field of each hit (stemming-aware)."""
    if not plan.text_match:
        return {}
    marks = ", ".join("?" for _ in rowids)
    columns = ", ".join(f"highlight({t.fts}, {i}, '{MARK_OPEN}', '{MARK_CLOSE}')" for i in range(3))
    rows = conn.execute(
        f"SELECT rowid, {columns} FROM {t.fts} WHERE {t.fts} MATCH ? AND rowid IN ({marks})",
        [plan.text_match, *rowids],
    )
    marked: dict[tuple[int, str], set[str]] = {}
    for rowid, *texts in rows:
        for name, text in zip(("title", "summary", "body"), texts, strict=True):
            marked[(rowid, name)] = marked_words(text)
    return marked


def _sort_values(query: SearchQuery, row: tuple[Any, ...]) -> list[CursorValue]:
    _, rank, ts, doc_id = row
    return [float(rank), doc_id] if query.effective_sort() == "relevance" else [int(ts), doc_id]
