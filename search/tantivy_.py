"""The embedded backend: a tantivy index in a directory, with generations and a pointer.

tantivy (the Rust search library, through its Python bindings) counts facets from columnar
fast fields and ranks with BM25, in-process: no server. The layout and the concurrency rules
are in ``search._tantivy_store``; the schema and analyzers in ``search._tantivy_schema``; the
query translation in ``search._tantivy_query``.

- Writes (``index``, ``delete``) take the directory's write lock, open a writer on the live
  generation, commit and close it, so the API, Celery workers and the CLI can share the index
  across processes. An older version of a document never replaces a newer one.
- ``reindex`` fills a new generation directory, checks its count, then points ``CURRENT`` at
  it (an atomic rename) and removes the old directories: a search sees the old index or the
  new one, never a half-built one.
- Searches reopen the live generation when ``CURRENT`` changes, and reload when a commit
  rewrote its ``meta.json``.
- Cursor paging (``search._tantivy_paging``): relevance is (score desc, id asc), where the
  score is BM25 times a per-item factor within 0.025% of 1 that splits equal scores; date is
  (date desc, undated last, id asc); a page continues strictly after the cursor's key.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import tantivy

from core.logging_ import get_logger
from search import _tantivy_paging as paging
from search._scan import Scan, open_scan
from search._tantivy_paging import Ranked
from search._tantivy_query import StemPrefixes, build_query, matched_words, word_phrases
from search._tantivy_schema import (
    SET_FACET_FIELDS,
    SET_SEPARATOR,
    build_schema,
    set_field,
    stored_hit,
    to_tantivy,
)
from search._tantivy_store import (
    Generations,
    OpenReader,
    meta_stamp,
    new_generation_name,
    open_index,
    schema_is_current,
)
from search.builder import FACETS, Facet
from search.document import Document
from search.errors import IndexingFailed, ReindexFailed, SearchError, SearchUnavailable
from search.query import SearchQuery
from search.results import (
    SNIPPET_FIELDS,
    SearchHit,
    SearchResults,
    choose_snippet,
    empty_facets,
)
from search.snippets import highlight_field
from search.text import Clause, flatten

log = get_logger(__name__)

WRITER_HEAP = 64_000_000
# A rebuild commits once, so its index is as few segments as this budget allows (about
# 1.6 kB of writer memory per item: 200,000 items are one segment, 300,000 still one). A
# search pays per segment for every facet (each segment's buckets are looked up and merged):
# four segments of 50,000 cost 40% more facet time and 15% more ranking time than one.
# tantivy takes the memory as it needs it, up to the budget.
REINDEX_HEAP = 512_000_000
FACET_BUCKETS = 10_000
SET_BUCKETS = 65_536  # distinct value sets counted per multi-valued facet in the first pass
BACKGROUND_WORKERS = 8  # searches of one process whose facets are counted at once
_TOTAL = "_total"  # the aggregation counting the matches

Candidate = tuple[Any, tantivy.DocAddress]  # (order key from tantivy, address)
FacetCounts = dict[str, dict[str, int]]
_Counted = tuple[FacetCounts, int]  # facets and the number of matches


class TantivyBackend:
    """Search over a tantivy index directory (see the module docstring)."""

    name = "tantivy"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.generations = Generations(self.path)
        self._reader: OpenReader | None = None
        self._reader_lock = threading.Lock()

    # --- opening ------------------------------------------------------------------------------

    @contextmanager
    def _engine(self, operation: str) -> Iterator[None]:
        """tantivy's and the file system's errors as ours (logged in full)."""
        try:
            yield
        except SearchError:
            raise
        except _SourceFailed as exc:
            raise exc.original from exc.original.__cause__
        except (OSError, ValueError, RuntimeError) as exc:
            log.warning(
                "search.tantivy.error", operation=operation, path=str(self.path),
                error=str(exc)[:2000],
            )  # fmt: skip
            raise SearchUnavailable("the search index failed") from exc

    def _searcher(self) -> tuple[str, tantivy.Searcher]:
        """A searcher on the live generation's latest commit."""
        name, searcher, _ = self._view(newest=False)
        return name, searcher

    def _view(self, newest: bool) -> tuple[str, tantivy.Searcher, int | None]:
        """A searcher on the live generation's latest commit and, when ``newest`` is asked
        for, the latest ``published_ts`` it sees (else None). Readers reload only here
        (``reload_policy="Manual"``), so the two always describe the same commit.

        ``CURRENT`` is read again only when its ``stat`` changed (a switch replaces the file):
        a ``stat`` costs a search a tenth of opening and reading it. The stamp is taken before
        the read, so a switch between the two is seen by the next search."""
        with self._reader_lock:
            reader = self._reader
            pointer = self.generations.pointer_stamp()
            if reader is None or pointer is None or pointer != reader.pointer:
                name = self.generations.ensure_live()
                if reader is None or reader.name != name:
                    path = self.path / name
                    reader = OpenReader(name, open_index(path), str(path / "meta.json"))
                reader.pointer = pointer
            stamp = meta_stamp(reader.meta)
            if stamp != reader.meta_stamp:
                reader.index.reload()
                reader.meta_stamp = stamp
                reader.newest, reader.newest_read = None, False
            self._reader = reader
            searcher = reader.index.searcher()
            if newest and not reader.newest_read:
                reader.newest, reader.newest_read = paging.newest_ts(searcher), True
            return reader.name, searcher, reader.newest if newest else None

    def _live(self) -> str:
        name = self.generations.live()
        if name is None:
            raise SearchUnavailable("the search index has no live generation")
        return name

    # --- writing ------------------------------------------------------------------------------

    def index(self, docs: Iterable[Document]) -> None:
        """Add or replace documents (a document never replaces a newer version of itself).

        Raises:
            IndexingFailed: Some documents were malformed; the others were indexed.
            SearchUnavailable: The index cannot be opened or written.
        """
        converted, rejected = _convert(docs)
        with self._engine("index"):
            self.generations.ensure_live()
            with self.generations.write_lock():
                self._write_newest(converted)
        if rejected:
            raise IndexingFailed(rejected)

    def _write_newest(self, converted: list[tuple[str, int, Any]]) -> None:
        """Write documents unless the index holds newer versions (under the write lock)."""
        index = open_index(self.path / self._live())
        index.reload()
        newest = _newest_versions(converted)
        known = _known_versions(index.searcher(), list(newest))
        writer = index.writer(WRITER_HEAP, 1)
        for doc_id, (version, document) in newest.items():
            if known.get(doc_id, -1) > version:
                continue
            writer.delete_documents_by_term("id", doc_id)
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id (unknown ids are ignored)."""
        ids = list(ids)
        if not ids:
            return
        with self._engine("delete"):
            self.generations.ensure_live()
            with self.generations.write_lock():
                self._delete_ids(ids)

    def _delete_ids(self, ids: list[str]) -> None:
        """Delete by id (under the write lock)."""
        index = open_index(self.path / self._live())
        writer = index.writer(WRITER_HEAP, 1)
        for doc_id in ids:
            writer.delete_documents_by_term("id", str(doc_id))
        writer.commit()
        writer.wait_merging_threads()

    def reindex(self, docs: Iterable[Document]) -> int:
        """Build a new generation from ``docs``, check its count, then switch to it.

        Returns:
            The number of documents in the new index.

        Raises:
            ReindexFailed: Documents were malformed or the count did not match; the live
                index is unchanged.
        """
        with self._engine("reindex"), self.generations.reindex_lock():
            self.generations.ensure_live()  # the first generation, if there is none
            name = new_generation_name()
            try:
                expected = _fill(self.path / name, _guarded(docs))
                count = _count(self.path / name)
                if count != expected:
                    raise ReindexFailed(f"the new index holds {count} documents, not {expected}")
                with self.generations.write_lock():
                    self.generations.switch(name)
            except BaseException:
                self.generations.remove_all_but(self.generations.live() or "")
                raise
            dropped = self.generations.remove_all_but(name)
        log.info("search.tantivy.reindexed", generation=name, count=count, dropped=dropped)
        return count

    # --- reading ------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        """Run a query: one page of hits, the total and the facets."""
        with self._engine("search"):
            _, searcher, newest = self._view(newest=query.effective_sort() == "date")
            return _search_in(searcher, newest, query, facets=True)

    def scan(self, query: SearchQuery, cap: int) -> Scan:
        """Up to ``cap`` hits of ``query`` and their total, every page and the count from the
        same searcher (one commit)."""
        with self._engine("scan"):
            _, searcher, newest = self._view(newest=query.effective_sort() == "date")
            total = _count_in(searcher, query)
            run_page = functools.partial(self._scan_page, searcher, newest)
            return open_scan(run_page, query, cap, total)

    def _scan_page(
        self, searcher: tantivy.Searcher, newest: int | None, query: SearchQuery
    ) -> SearchResults:
        with self._engine("scan"):
            return _search_in(searcher, newest, query, facets=False)

    def count(self) -> int:
        """How many documents the live generation holds."""
        with self._engine("count"):
            _, searcher = self._searcher()
            return int(searcher.num_docs)

    def health(self) -> dict[str, Any]:
        """Whether the index opens and answers, its generation and size; never raises."""
        try:
            with self._engine("health"):
                name, searcher = self._searcher()
                count = int(searcher.num_docs)
        except SearchUnavailable:
            return {"backend": self.name, "ok": False, "error": "unavailable"}
        return {
            "backend": self.name, "ok": True, "path": str(self.path), "generation": name,
            "count": count,
        }  # fmt: skip

    def needs_rebuild(self) -> bool:
        """Whether no generation exists yet (a new or moved index), or the live one was built
        with an earlier schema: either way, rebuild from the database."""
        name = self.generations.live()
        return name is None or not schema_is_current(self.path / name)


class _Background:
    """Calls run on a few worker threads kept for the process's searches: tantivy releases
    the GIL while it searches, so a search's facet aggregation runs on one core while its
    page is ranked and its snippets cut on the other. Kept threads rather than one new
    thread per search: handing a call to a waiting thread costs the caller nothing, where
    starting a thread blocks it until the thread runs (about a millisecond on a busy
    machine). A forked child starts with no workers (``_after_fork``), so nothing stale from
    its parent survives a fork."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None

    def submit(self, call: Callable[..., _Counted], *args: Any) -> Future[_Counted]:
        """Start ``call(*args)``; its ``result()`` is its value or raises its exception."""
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(BACKGROUND_WORKERS, "tantivy-facets")
            return self._executor.submit(call, *args)

    def _after_fork(self) -> None:
        """In a forked child: the parent's workers do not exist here; start new ones."""
        self._lock = threading.Lock()
        self._executor = None


_BACKGROUND = _Background()
os.register_at_fork(after_in_child=_BACKGROUND._after_fork)


class _SourceFailed(Exception):
    """The documents' source (not the index) failed during a rebuild; re-raised as is."""

    def __init__(self, original: Exception) -> None:
        super().__init__(str(original))
        self.original = original


def _search_in(
    searcher: tantivy.Searcher, newest: int | None, query: SearchQuery, facets: bool
) -> SearchResults:
    """One page of ``query`` from ``searcher``; the facets (and, in date order, the total)
    only when ``facets`` is asked for."""
    tq = build_query(query)
    counting = (
        _BACKGROUND.submit(_facets, searcher, tq, not paging.counts_matches(query))
        if facets
        else None
    )
    page, counted = paging.page(searcher, tq, query, newest)
    marks = _Marks(flatten(query.clauses()))
    hits = [_hit(searcher, c, query, marks) for c in page[: query.limit]]
    found, total = counting.result() if counting else (empty_facets(), 0)
    total = counted if counted is not None else total
    next_cursor = None
    if len(page) > query.limit:
        next_cursor = query.next_cursor(paging.sort_values(query, page[query.limit - 1]))
    return SearchResults(
        hits=hits,
        total=total,
        facets=found,
        next_cursor=next_cursor,
        ignored=query.ignored_words(),
    )


def _count_in(searcher: tantivy.Searcher, query: SearchQuery) -> int:
    """How many of ``searcher``'s documents match ``query`` (a scan's pages in date order do
    not count them)."""
    result = searcher.search(build_query(query), limit=1, count=True)
    # ``SearchResult.count`` is set when counting, though tantivy's type stub omits it.
    return int(result.count)  # type: ignore[attr-defined]


def _guarded(docs: Iterable[Document]) -> Iterator[Document]:
    """``docs``, with the source's own errors told apart from the index's."""
    source = iter(docs)
    while True:
        try:
            doc = next(source)
        except StopIteration:
            return
        except Exception as exc:
            raise _SourceFailed(exc) from exc
        yield doc


# --- writing helpers --------------------------------------------------------------------------


def _convert(docs: Iterable[Document]) -> tuple[list[tuple[str, int, Any]], list[str]]:
    converted, rejected = [], []
    for doc in docs:
        try:
            converted.append(to_tantivy(doc))
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("search.tantivy.rejected", id=doc.get("id"), error=repr(exc)[:500])
            rejected.append(str(doc.get("id")))
    return converted, rejected


def _newest_versions(converted: list[tuple[str, int, Any]]) -> dict[str, tuple[int, Any]]:
    newest: dict[str, tuple[int, Any]] = {}
    for doc_id, version, document in converted:
        if doc_id not in newest or newest[doc_id][0] <= version:
            newest[doc_id] = (version, document)
    return newest


def _known_versions(searcher: tantivy.Searcher, ids: list[str]) -> dict[str, int]:
    """The indexed versions of these ids."""
    if not ids:
        return {}
    query = tantivy.Query.term_set_query(build_schema(), "id", ids)
    hits = searcher.search(query, limit=len(ids) * 2, count=False).hits
    addresses = [address for _, address in hits]
    versions = searcher.fast_field_values("version", addresses)
    known: dict[str, int] = {}
    for address, version in zip(addresses, versions, strict=True):
        doc_id = stored_hit(searcher.doc(address).get_first("stored"))["id"]
        known[doc_id] = max(known.get(doc_id, -1), int(version or 0))
    return known


def _fill(path: Path, docs: Iterable[Document]) -> int:
    """Write ``docs`` into a new index at ``path`` in one commit (few segments, see
    ``REINDEX_HEAP``); how many distinct ids it should hold."""
    index = open_index(path)
    writer = index.writer(REINDEX_HEAP, 1)
    versions: dict[str, int] = {}
    rejected: list[str] = []
    for doc in docs:
        converted, bad = _convert([doc])
        rejected += bad
        for doc_id, version, document in converted:
            if doc_id in versions:
                if versions[doc_id] > version:
                    continue
                writer.delete_documents_by_term("id", doc_id)
            versions[doc_id] = version
            writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()
    if rejected:
        raise ReindexFailed(f"{len(rejected)} documents were rejected")
    return len(versions)


def _count(path: Path) -> int:
    index = open_index(path)
    index.reload()
    return int(index.searcher().num_docs)


# --- reading helpers --------------------------------------------------------------------------


def _facets(
    searcher: tantivy.Searcher, tq: tantivy.Query, count_matches: bool
) -> tuple[FacetCounts, int]:
    """Every facet's counts over the query's matches in one aggregation request, and how many
    match when ``count_matches`` (else 0: the page's first search counts them).

    Multi-valued fields are counted from their value sets (``set_field``: a single-valued
    column, several times faster), unless there are more distinct sets than one request
    returns; then from the values themselves.
    """
    request = {f.name: _facet_terms(f) for f in FACETS}
    if count_matches:
        request[_TOTAL] = {"value_count": {"field": "published_ts"}}  # every document has one
    result = searcher.aggregate(tq, request)
    total = int(result.get(_TOTAL, {}).get("value") or 0)
    facets = empty_facets()
    for facet in FACETS:
        counted = result.get(facet.name, {})
        if facet.field in SET_FACET_FIELDS:
            counts = _set_counts(counted)
            if counts is None:
                exact = searcher.aggregate(tq, {facet.name: _terms(facet.field)})
                counts = _bucket_counts(exact.get(facet.name, {}))
        else:
            counts = _bucket_counts(counted)
        facets[facet.name] = facet.top(list(counts.items()))
    return facets, total


def _facet_terms(facet: Facet) -> dict[str, Any]:
    if facet.field in SET_FACET_FIELDS:
        return _terms(set_field(facet.field), SET_BUCKETS)
    return _terms(facet.field)


def _terms(column: str, size: int = FACET_BUCKETS) -> dict[str, Any]:
    return {"terms": {"field": column, "size": size, "segment_size": size}}


def _bucket_counts(counted: dict[str, Any]) -> dict[str, int]:
    return {str(b["key"]): int(b["doc_count"]) for b in counted.get("buckets", [])}


def _set_counts(counted: dict[str, Any]) -> dict[str, int] | None:
    """Counts per value from counts per value set; None if some sets were left out."""
    buckets = counted.get("buckets", [])
    if counted.get("sum_other_doc_count", 0) or len(buckets) >= SET_BUCKETS:
        return None
    counts: dict[str, int] = {}
    get = counts.get
    for bucket in buckets:  # keys are strings, counts integers (a text column's buckets)
        doc_count = bucket["doc_count"]
        for value in _set_values(bucket["key"]):
            counts[value] = get(value, 0) + doc_count
    return counts


@functools.lru_cache(maxsize=SET_BUCKETS)
def _set_values(key: str) -> tuple[str, ...]:
    """The values of one value set (split once: the same sets come back in every search)."""
    return tuple(key.split(SET_SEPARATOR))


def _hit(
    searcher: tantivy.Searcher, candidate: Ranked, query: SearchQuery, marks: _Marks
) -> SearchHit:
    stored = dict(candidate.load(searcher))
    texts = {name: stored.pop(name, "") or "" for name in ("title", "summary", "body")}
    stored["title"] = texts["title"]
    snippet = marks.snippet(texts, stored.pop("lead", None) or "")
    relevance = query.effective_sort() == "relevance"
    return SearchHit(**stored, snippet=snippet, score=float(candidate.key) if relevance else None)


class _Marks:
    """What a query marks in its hits' texts: its word clauses as terms, its Chinese clauses
    as written (read once per query, not per hit)."""

    def __init__(self, clauses: list[Clause]) -> None:
        self.phrases = word_phrases(clauses)
        self.cjk_terms = [c.text for c in clauses if c.cjk]
        self.prefixes = StemPrefixes(self.phrases)

    def snippet(self, texts: dict[str, str], lead: str) -> str:
        """The first field (in ``SNIPPET_FIELDS`` order) with a match, highlighted; else the
        lead (at once for a query without text, which marks nothing)."""
        if not self.phrases and not self.cjk_terms:
            return choose_snippet({}, lead)
        for name in SNIPPET_FIELDS:
            text = " ".join(texts[name].split())
            candidates = self.prefixes.candidates(text)
            if candidates is not None and not candidates:
                continue  # an ASCII text (no Chinese) with no word that may match
            words = matched_words(text, self.phrases, candidates)
            highlighted = highlight_field(
                text, words, self.cjk_terms, whole=name == "title", collapsed=True
            )
            if highlighted:
                return highlighted
        return choose_snippet({}, lead)
