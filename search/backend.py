"""One search interface; the backend is chosen by URL.

- ``tantivy:///path/dir`` (``tantivy:`` alone: ``<data dir>/search-index``): the embedded
  tantivy index, the default;
- ``sqlite:///path/search.db``: the embedded SQLite FTS5 index (its own file);
- ``opensearch+http(s)://host:9200`` or ``elasticsearch+http(s)://…``: that engine;
- ``http(s)://host:9200``: Elasticsearch or OpenSearch, asked once which it is.

Engine URLs take options in the query string (``?alias=…&replicas=1``, see
``search.opensearch_``). Without a URL, ``core.settings`` decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from core.settings import get_settings
from search._scan import Scan
from search.document import Document
from search.query import SearchQuery
from search.results import SearchResults

DEFAULT_TANTIVY_DIR = "search-index"


@runtime_checkable
class SearchBackend(Protocol):
    """What every backend does. Errors are ``search.errors`` classes only."""

    @property
    def name(self) -> str:
        """``tantivy``, ``sqlite``, ``opensearch`` or ``elasticsearch``."""
        ...

    def index(self, docs: Iterable[Document]) -> None:
        """Add or replace documents; an older version never replaces a newer one."""
        ...

    def delete(self, ids: Iterable[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        ...

    def search(self, query: SearchQuery) -> SearchResults:
        """One page of hits, the total and the facets."""
        ...

    def scan(self, query: SearchQuery, cap: int) -> Scan:
        """Up to ``cap`` hits of ``query`` in its order and how many match in all, all read
        from one view of the index (``search._scan``): documents indexed or removed during
        the scan neither repeat nor skip a hit, nor make the total disagree with the hits.
        Errors opening the view (and a bad query) are raised by the call itself; a later
        page's error while iterating."""
        ...

    def count(self) -> int:
        """How many documents are searchable."""
        ...

    def reindex(self, docs: Iterable[Document]) -> int:
        """Rebuild from ``docs`` beside the live index, check the count, then switch."""
        ...

    def health(self) -> dict[str, Any]:
        """``{"backend": …, "ok": bool, …}``; never raises."""
        ...


def get_backend(url: str | None = None) -> SearchBackend:
    """The backend for ``url`` (default: the configured ``effective_search_url()``).

    Nothing is contacted until the first call on the backend.

    Raises:
        ValueError: The URL's scheme is not a known backend.
    """
    url = url or get_settings().effective_search_url()
    if url.split(":", 1)[0] == "tantivy":
        from search.tantivy_ import TantivyBackend

        return TantivyBackend(tantivy_path(url))
    if url.startswith("sqlite:///"):
        from search.sqlite_ import SqliteBackend

        return SqliteBackend(url.removeprefix("sqlite:///").split("?", 1)[0])
    from search._engine_clients import Credentials
    from search.opensearch_ import EngineBackend

    settings = get_settings()
    key = settings.search_api_key.get_secret_value() if settings.search_api_key else None
    return EngineBackend(url, Credentials(api_key=key, ca_certs=settings.search_ca_certs))


def tantivy_path(url: str) -> Path:
    """The directory a ``tantivy:`` URL names (``tantivy:``, ``tantivy://`` alone: the default).

    Raises:
        ValueError: The URL names a host (``tantivy://host/...``), which is not supported.
    """
    rest = url.split("?", 1)[0].removeprefix("tantivy:")
    if rest in ("", "//", "///"):
        return get_settings().resolved_data_dir() / DEFAULT_TANTIVY_DIR
    if rest.startswith("//"):
        if not rest.startswith("///"):
            raise ValueError("a tantivy URL is tantivy:///absolute/path or tantivy:relative/path")
        return Path(rest[2:])
    return Path(rest)
