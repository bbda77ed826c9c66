"""One search interface; the backend is chosen by URL.

- ``sqlite:///path/search.db``: the embedded FTS5 index (its own file);
- ``opensearch+http(s)://host:9200`` or ``elasticsearch+http(s)://…``: that engine;
- ``http(s)://host:9200``: Elasticsearch or OpenSearch, asked once which it is.

Engine URLs take options in the query string (``?alias=…&replicas=1``, see
``search.opensearch_``). Without a URL, ``core.settings`` decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol, runtime_checkable

from core.settings import get_settings
from search.document import Document
from search.query import SearchQuery
from search.results import SearchResults


@runtime_checkable
class SearchBackend(Protocol):
    """What every backend does. Errors are ``search.errors`` classes only."""

    @property
    def name(self) -> str:
        """``sqlite``, ``opensearch`` or ``elasticsearch``."""
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
    if url.startswith("sqlite:///"):
        from search.sqlite_ import SqliteBackend

        return SqliteBackend(url.removeprefix("sqlite:///").split("?", 1)[0])
    from search.opensearch_ import EngineBackend

    return EngineBackend(url)
