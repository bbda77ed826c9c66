"""The Elasticsearch / OpenSearch backend: versioned indices behind an alias.

Mappings and analyzers are data (``search/mappings/items.json``); queries come from
``search.builder``. Searches and writes go through the alias (default ``iprwatch-items``).
``reindex`` builds ``<alias>-<timestamp>`` (merged into one segment when its searches are
not sliced, see ``EngineBackend._merge_if_unsliced``), checks its count, moves the alias in
one atomic call and deletes the indices it left. Engine errors are logged in full and raised as
``SearchUnavailable`` or ``BadQuery`` with a short reason.

Credentials beyond basic auth in the URL (an Elasticsearch API key, a CA bundle) come from
settings (``search.backend.get_backend``) as ``Credentials``.

URL options (query string): ``alias``, ``replicas`` (default 0), ``refresh`` (``true`` makes
every write visible at once: for tests, not for bulk loads).
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from core.logging_ import get_logger, redact
from search._engine_clients import Credentials, Flavour, connect, parse_engine_url
from search._scan import Scan, empty_scan, open_scan
from search.builder import build_engine_request
from search.document import Document
from search.errors import BadQuery, IndexingFailed, ReindexFailed, SearchUnavailable
from search.query import SearchQuery
from search.results import SearchHit, SearchResults, choose_snippet, empty_facets

log = get_logger(__name__)

MAPPING_FILE = Path(__file__).with_name("mappings") / "items.json"
DEFAULT_ALIAS = "iprwatch-items"
BULK_CHUNK = 500
PIT_KEEP_ALIVE = "2m"  # between two pages of an export; a slow client may take that long
MERGE_TIMEOUT = 600.0  # seconds a force merge of a new index may take (200,000 items: ~7 s)
_CONFLICT = 409


class IndexMissing(SearchUnavailable):
    """The alias or index does not exist (yet)."""


def load_index_body(replicas: int = 0) -> dict[str, Any]:
    """Settings and mappings for a new index, from ``mappings/items.json``."""
    body: dict[str, Any] = json.loads(MAPPING_FILE.read_text(encoding="utf-8"))
    body["settings"]["number_of_replicas"] = replicas
    return body


class EngineBackend:
    """Search over Elasticsearch or OpenSearch (see the module docstring)."""

    def __init__(self, url: str, credentials: Credentials | None = None) -> None:
        self.address = parse_engine_url(url)
        self.credentials = credentials or Credentials()
        options = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
        self.alias = options.get("alias", DEFAULT_ALIAS).lower()
        self.replicas = int(options.get("replicas", "0"))
        self.refresh = options.get("refresh", "false").lower() in ("1", "true", "yes")

    @cached_property
    def _engine(self) -> tuple[Flavour, Any]:
        return connect(self.address, self.credentials)

    @property
    def name(self) -> str:
        """``opensearch`` or ``elasticsearch`` (asks the server when the URL does not say)."""
        return self._engine[0].name

    @contextmanager
    def _calling(self, operation: str) -> Iterator[Any]:
        """The client, with the library's errors turned into ours (and logged)."""
        flavour, client = self._engine
        try:
            yield client
        except Exception as exc:
            problem = flavour.classify(exc)
            if problem is None:
                raise
            level = log.info if problem == "missing" else log.warning
            level(
                "search.engine.error", operation=operation, problem=problem,
                url=self.address.url, error=redact(str(exc))[:2000],
            )  # fmt: skip
            if problem == "missing":
                raise IndexMissing("the search index does not exist") from exc
            if problem == "rejected" and operation == "search":
                raise BadQuery("the search engine rejected the query") from exc
            raise SearchUnavailable("the search engine is unavailable") from exc

    # --- indices and the alias ----------------------------------------------------------------

    def _alias_indices(self) -> list[str]:
        try:
            with self._calling("get_alias") as client:
                return sorted(_plain(client.indices.get_alias(name=self.alias)))
        except IndexMissing:
            return []

    def _create_index(self, name: str) -> None:
        with self._calling("create_index") as client:
            self._create(client, name)

    def _create(self, client: Any, name: str) -> None:
        """Create index ``name`` with the engine's search settings (``Flavour.search_settings``);
        if the engine refuses those (a managed service may), without them."""
        flavour, _ = self._engine
        body = load_index_body(self.replicas)
        extra = flavour.search_settings(client)
        try:
            client.indices.create(index=name, body=_with_settings(body, extra))
        except Exception as exc:
            if (
                not extra
                or flavour.classify(exc) != "rejected"
                or client.indices.exists(index=name)
            ):
                raise
            log.warning(
                "search.engine.search_settings_refused", index=name, settings=sorted(extra),
                error=redact(str(exc))[:500],
            )  # fmt: skip
            client.indices.create(index=name, body=body)

    def _ensure_alias(self) -> None:
        """Create a first index behind the alias if there is none (safe to race)."""
        if self._alias_indices():
            return
        flavour, _ = self._engine
        first = f"{self.alias}-000000"
        with self._calling("ensure_alias") as client:
            try:
                self._create(client, first)
            except Exception as exc:  # another writer created it first: fine
                if flavour.classify(exc) != "rejected":
                    raise
            client.indices.put_alias(index=first, name=self.alias)

    # --- writing ------------------------------------------------------------------------------

    def index(self, docs: Iterable[Document]) -> None:
        """Add or replace documents (an older version never replaces a newer one).

        Raises:
            SearchUnavailable: The engine cannot be reached.
            IndexingFailed: Some documents were rejected; the rest were indexed.
        """
        self._ensure_alias()
        actions = (
            {
                "_op_type": "index", "_index": self.alias, "_id": doc["id"], "_source": doc,
                "version": doc["version"], "version_type": "external_gte",
            }
            for doc in docs
        )  # fmt: skip
        failed = self._bulk(actions, ok_statuses=(_CONFLICT,))
        self._refresh_if_asked(self.alias)
        if failed:
            raise IndexingFailed(failed)

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id (unknown ids are ignored)."""
        if not self._alias_indices():
            return
        actions = ({"_op_type": "delete", "_index": self.alias, "_id": i} for i in ids)
        failed = self._bulk(actions, ok_statuses=(404,))
        self._refresh_if_asked(self.alias)
        if failed:
            raise IndexingFailed(failed)

    def _bulk(self, actions: Iterable[dict[str, Any]], ok_statuses: tuple[int, ...]) -> list[str]:
        """Send actions in chunks; the ids the engine rejected (ignoring ``ok_statuses``)."""
        flavour, _ = self._engine
        failed: list[str] = []
        with self._calling("bulk") as client:
            for ok, result in flavour.streaming_bulk(
                client, actions, chunk_size=BULK_CHUNK, raise_on_error=False, max_retries=2
            ):
                outcome = next(iter(result.values()))
                if not ok and outcome.get("status") not in ok_statuses:
                    log.warning("search.engine.rejected", id=outcome.get("_id"),
                                error=str(outcome.get("error"))[:500])  # fmt: skip
                    failed.append(str(outcome.get("_id")))
        return failed

    def _refresh_if_asked(self, index: str) -> None:
        if self.refresh:
            with self._calling("refresh") as client:
                client.indices.refresh(index=index)

    def reindex(self, docs: Iterable[Document]) -> int:
        """Build a new index from ``docs``, check its count, move the alias, drop the old.

        Returns:
            The number of documents in the new index.

        Raises:
            ReindexFailed: Documents were rejected or the count did not match; the alias
                still points to the old index.
            SearchUnavailable: The engine failed; the alias was not moved.
        """
        new = f"{self.alias}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
        self._create_index(new)
        try:
            count = self._fill(new, docs)
            old = self._alias_indices()
            self._move_alias(new, old)
        except BaseException:
            self._delete_indices([new])
            raise
        self._delete_indices(old)
        log.info("search.engine.reindexed", index=new, count=count, dropped=old)
        return count

    def _fill(self, index: str, docs: Iterable[Document]) -> int:
        ids: set[str] = set()

        def actions() -> Iterator[dict[str, Any]]:
            for doc in docs:
                ids.add(doc["id"])
                yield {"_op_type": "index", "_index": index, "_id": doc["id"], "_source": doc}

        with self._calling("reindex_settings") as client:
            client.indices.put_settings(index=index, body={"index": {"refresh_interval": "-1"}})
        failed = self._bulk(actions(), ok_statuses=())
        self._merge_if_unsliced(index)  # the refresh below lets searches see the merged segment
        with self._calling("reindex_count") as client:
            client.indices.put_settings(index=index, body={"index": {"refresh_interval": "1s"}})
            client.indices.refresh(index=index)
            count = int(_plain(client.count(index=index))["count"])
        if failed or count != len(ids):
            raise ReindexFailed(
                f"the new index holds {count} documents, not {len(ids)} ({len(failed)} rejected)"
            )
        return count

    def _merge_if_unsliced(self, index: str) -> None:
        """Merge a new OpenSearch index into one segment when its searches do not slice it.

        Fewer segments, less work per search: one segment took about 8% less engine CPU per
        query than two at 200,000 items. But OpenSearch's concurrent segment search (see
        ``_engine_clients._concurrent_search``) slices by segment, so an index that is sliced
        keeps the segments the bulk load left; merging those down to the slice count is no
        better, as Lucene merges them unevenly (eight even segments became 175,000 + 25,000
        documents), leaving one slice most of the work. Elasticsearch slices by segment on its
        own, so it is never merged here. A merge that fails or times out is logged and the
        rebuild goes on: the index is complete and searchable either way.
        """
        flavour, _ = self._engine
        if flavour.name != "opensearch":
            return
        try:
            if _slice_count(self._index_settings(index)) >= 2:
                return
            with self._calling("force_merge") as client:
                # A timed-out request is retried by the client; the node merges one index at
                # a time, so a retry waits for the first merge and then finds one segment.
                client.indices.forcemerge(
                    index=index, max_num_segments=1, request_timeout=MERGE_TIMEOUT
                )
        except SearchUnavailable:
            log.warning("search.engine.merge_failed", index=index)

    def _index_settings(self, index: str) -> dict[str, Any]:
        """The index's own settings, flat (``index.search.concurrent.max_slice_count``...)."""
        with self._calling("get_settings") as client:
            found = _plain(client.indices.get_settings(index=index, flat_settings=True))
        return dict(found[index]["settings"])

    def _move_alias(self, new: str, old: list[str]) -> None:
        actions: list[dict[str, Any]] = [
            {"remove": {"index": index, "alias": self.alias}} for index in old
        ]
        actions.append({"add": {"index": new, "alias": self.alias}})
        with self._calling("move_alias") as client:
            client.indices.update_aliases(body={"actions": actions})

    def _delete_indices(self, names: list[str]) -> None:
        if not names:
            return
        try:
            with self._calling("delete_index") as client:
                client.indices.delete(index=",".join(names), ignore_unavailable=True)
        except SearchUnavailable:
            log.warning("search.engine.cleanup_failed", indices=names)

    # --- reading ------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResults:
        """Run a query: one page of hits, the total and the facets."""
        body = build_engine_request(query)
        try:
            with self._calling("search") as client:
                response = _plain(client.search(index=self.alias, body=body))
        except IndexMissing:
            return SearchResults(ignored=query.ignored_words())
        return _results(query, response)

    def scan(self, query: SearchQuery, cap: int) -> Scan:
        """Up to ``cap`` hits of ``query`` and their total, every page searched in one point in
        time (kept alive ``PIT_KEEP_ALIVE`` between pages, closed when the hits have been
        read or fail; one whose hits are never read expires by itself). The total is the
        first page's, counted in that point in time."""
        try:
            with self._calling("open_pit") as client:
                pit_id = self._engine[0].open_pit(client, self.alias, PIT_KEEP_ALIVE)
        except IndexMissing:
            return empty_scan()
        try:
            scan = open_scan(functools.partial(self._search_pit, pit_id), query, cap)
        except BaseException:
            self._close_pit(pit_id)
            raise
        return Scan(total=scan.total, hits=self._closing_pit(pit_id, scan.hits))

    def _closing_pit(self, pit_id: str, hits: Iterator[SearchHit]) -> Iterator[SearchHit]:
        try:
            yield from hits
        finally:
            self._close_pit(pit_id)

    def _close_pit(self, pit_id: str) -> None:
        # One that cannot be closed expires by itself after PIT_KEEP_ALIVE.
        with contextlib.suppress(SearchUnavailable), self._calling("close_pit") as client:
            self._engine[0].close_pit(client, pit_id)

    def _search_pit(self, pit_id: str, query: SearchQuery) -> SearchResults:
        body = build_engine_request(query)
        del body["aggs"]  # an export needs no facets
        body["pit"] = {"id": pit_id, "keep_alive": PIT_KEEP_ALIVE}
        with self._calling("search") as client:
            return _results(query, _plain(client.search(body=body)))

    def count(self) -> int:
        """How many documents the alias holds (0 before the first indexing)."""
        try:
            with self._calling("count") as client:
                return int(_plain(client.count(index=self.alias))["count"])
        except IndexMissing:
            return 0

    def health(self) -> dict[str, Any]:
        """Engine version, the indices behind the alias and the count; never raises."""
        try:
            with self._calling("info") as client:
                version = _plain(client.info())["version"]["number"]
            return {
                "backend": self.name, "ok": True, "url": redact(self.address.url),
                "version": version, "alias": self.alias, "indices": self._alias_indices(),
                "count": self.count(),
            }  # fmt: skip
        except SearchUnavailable:
            return {"backend": "engine", "ok": False, "error": "unavailable"}


def _slice_count(settings: dict[str, Any]) -> int:
    """How many slices searches split the index into (1: searched segment by segment)."""
    if settings.get("index.search.concurrent_segment_search.mode", "none") == "none":
        return 1
    return int(settings.get("index.search.concurrent.max_slice_count") or 1)


def _with_settings(body: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    """An index body with ``extra`` added to its settings."""
    return {**body, "settings": {**body["settings"], **extra}}


def _plain(response: Any) -> dict[str, Any]:
    """The JSON body of a response (Elasticsearch's client wraps it; OpenSearch's does not)."""
    body = getattr(response, "body", response)
    return dict(body)


def _results(query: SearchQuery, response: dict[str, Any]) -> SearchResults:
    raw_hits = response["hits"]["hits"]
    hits = [_hit(raw, query) for raw in raw_hits[: query.limit]]
    facets = empty_facets()
    for name, agg in response.get("aggregations", {}).items():
        facets[name] = {str(b["key"]): int(b["doc_count"]) for b in agg["buckets"]}
    next_cursor = None
    if len(raw_hits) > query.limit:
        next_cursor = query.next_cursor(list(raw_hits[query.limit - 1]["sort"]))
    total = int(response["hits"]["total"]["value"])
    return SearchResults(
        hits=hits,
        total=total,
        facets=facets,
        next_cursor=next_cursor,
        ignored=query.ignored_words(),
    )


def _hit(raw: dict[str, Any], query: SearchQuery) -> SearchHit:
    source = dict(raw["_source"])
    highlights = {field: fragments[0] for field, fragments in raw.get("highlight", {}).items()}
    snippet = choose_snippet(highlights, source.pop("lead", None) or "")
    score = raw.get("_score") if query.effective_sort() == "relevance" else None
    return SearchHit(**source, snippet=snippet, score=score)
