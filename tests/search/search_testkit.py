"""Shared helpers for the search tests (a unique module name: tests are not packages)."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import urllib.request
import uuid
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

from search.backend import SearchBackend, get_backend
from search.document import build_document
from search.query import SearchQuery
from search.results import SearchResults

FIXTURES = Path(__file__).parent / "fixtures"
ENV_URL = "IPRWATCH_TEST_OPENSEARCH_URL"
ENV_REQUIRE = "IPRWATCH_REQUIRE_SERVICES"
SKIP_REASON = f"OpenSearch not available: set {ENV_URL}"
BACKENDS = ["sqlite", "tantivy", "opensearch"]


def load_items() -> list[dict[str, Any]]:
    """The fixture corpus: ~20 zh/en items (337, Schedule A, UPC, rule changes)."""
    return json.loads((FIXTURES / "items.json").read_text(encoding="utf-8"))


def load_documents() -> list[dict[str, Any]]:
    return [build_document(item) for item in load_items()]


@lru_cache(maxsize=4)
def _reachable(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/", timeout=3) as response:
            return response.status == 200
    except (OSError, ValueError):
        return False


def opensearch_base_url() -> str:
    """The test OpenSearch URL, or skip (fail when services are required)."""
    url = os.environ.get(ENV_URL, "").strip().rstrip("/")
    if url and _reachable(url):
        return url
    reason = SKIP_REASON if not url else f"{SKIP_REASON} (nothing answers at {url})"
    if os.environ.get(ENV_REQUIRE) == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def drop_engine_indices(base_url: str, alias: str) -> None:
    request = urllib.request.Request(f"{base_url}/{alias}-*", method="DELETE")
    with contextlib.suppress(OSError):
        urllib.request.urlopen(request, timeout=10).close()


def engine_indices(base_url: str, alias: str) -> list[str]:
    """The concrete indices named after the alias (whether or not behind it)."""
    with urllib.request.urlopen(f"{base_url}/_cat/indices/{alias}-*?h=index", timeout=10) as r:
        return sorted(line.strip() for line in r.read().decode().splitlines() if line.strip())


def backend_url(kind: str, tmp_path: Path) -> tuple[str, str | None]:
    """A URL for a fresh, empty backend of ``kind``, and the alias (engines) to clean up."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'search.db'}", None
    if kind == "tantivy":
        return f"tantivy://{tmp_path / 'search-index'}", None
    alias = f"iprw-test-{uuid.uuid4().hex[:12]}"
    return f"{opensearch_base_url()}/?alias={alias}&refresh=true", alias


def unreachable_url(kind: str) -> str:
    """A URL of ``kind`` whose backend cannot be opened."""
    if kind == "sqlite":
        return "sqlite:////proc/iprwatch-no-such-dir/search.db"
    if kind == "tantivy":
        return "tantivy:///proc/iprwatch-no-such-dir/search-index"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"opensearch+http://127.0.0.1:{port}/?alias=iprw-test-down"


def make_backend(kind: str, tmp_path: Path) -> tuple[SearchBackend, str | None]:
    url, alias = backend_url(kind, tmp_path)
    return get_backend(url), alias


def ids(results: SearchResults) -> set[str]:
    return {hit.id for hit in results.hits}


def search_all(backend: SearchBackend, **params: Any) -> tuple[list[str], list[SearchResults]]:
    """Every hit id of a query, page by page (cursor paging), and the pages."""
    pages = [backend.search(SearchQuery(**params))]
    while pages[-1].next_cursor:
        pages.append(backend.search(SearchQuery(**params, cursor=pages[-1].next_cursor)))
        assert len(pages) < 100, "paging does not end"
    return [hit.id for page in pages for hit in page.hits], pages
