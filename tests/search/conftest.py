"""Fixtures for the search tests: one contract, every backend.

``sqlite`` and ``tantivy`` always run. ``opensearch`` runs when ``IPRWATCH_TEST_OPENSEARCH_URL`` names a
reachable node and is skipped otherwise, unless ``IPRWATCH_REQUIRE_SERVICES=1``, which turns
the skip into a failure. Each engine test gets its own alias (and indices), removed after.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from search_testkit import (
    BACKENDS,
    drop_engine_indices,
    load_documents,
    make_backend,
    opensearch_base_url,
)

from search.backend import SearchBackend


@pytest.fixture(params=BACKENDS)
def backend_kind(request: pytest.FixtureRequest) -> str:
    """Each backend kind in turn."""
    return str(request.param)


@pytest.fixture
def fresh_backend(backend_kind: str, tmp_path: Path) -> Iterator[SearchBackend]:
    """An empty backend of each kind."""
    backend, alias = make_backend(backend_kind, tmp_path)
    yield backend
    if alias:
        drop_engine_indices(opensearch_base_url(), alias)


@pytest.fixture(scope="module", params=BACKENDS)
def corpus_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SearchBackend]:
    """A backend of each kind holding the fixture corpus (read-only: do not write to it)."""
    backend, alias = make_backend(str(request.param), tmp_path_factory.mktemp("corpus"))
    backend.reindex(load_documents())
    yield backend
    if alias:
        drop_engine_indices(opensearch_base_url(), alias)
