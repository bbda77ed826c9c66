"""Search: the query model, one query builder, and backends chosen by URL.

Typical use::

    from search import SearchQuery, get_backend

    results = get_backend().search(SearchQuery(q="锂电池 337", jurisdictions=["US"]))
    for hit in results.hits:
        print(hit.title, hit.snippet)          # snippet is HTML: <mark>…</mark>, escaped
    more = get_backend().search(SearchQuery(q="锂电池 337", jurisdictions=["US"],
                                            cursor=results.next_cursor))

Errors (all from ``search.errors``)::

    SearchError
    ├── BadQuery (ValueError): show ``reason`` to the user (HTTP 422)
    │   └── InvalidCursor
    ├── SearchUnavailable: retry later (HTTP 503)
    ├── IndexingFailed: some documents were rejected (``failed_ids``)
    ├── ReindexFailed: the rebuilt index failed its checks; the live one is kept
    ├── SavedSearchNotFound (LookupError)
    └── SavedSearchExists (ValueError)

Saved searches (stored queries, ``search.saved``)::

    saved = get_saved_search(session, 7)
    results = run_saved_search(saved, since=date(2026, 1, 1), limit=50)
"""

from search._scan import Scan
from search.backend import SearchBackend, get_backend
from search.builder import build_engine_request, build_fts_query
from search.document import build_document
from search.errors import (
    BadQuery,
    IndexingFailed,
    InvalidCursor,
    ReindexFailed,
    SavedSearchExists,
    SavedSearchNotFound,
    SearchError,
    SearchUnavailable,
)
from search.outbox import drain_outbox, reindex_from_db
from search.query import SearchQuery
from search.results import SearchHit, SearchResults
from search.saved import get_saved_search, run_saved_search

__all__ = [
    "BadQuery",
    "IndexingFailed",
    "InvalidCursor",
    "ReindexFailed",
    "SavedSearchExists",
    "SavedSearchNotFound",
    "Scan",
    "SearchBackend",
    "SearchError",
    "SearchHit",
    "SearchQuery",
    "SearchResults",
    "SearchUnavailable",
    "build_document",
    "build_engine_request",
    "build_fts_query",
    "drain_outbox",
    "get_backend",
    "get_saved_search",
    "reindex_from_db",
    "run_saved_search",
]
