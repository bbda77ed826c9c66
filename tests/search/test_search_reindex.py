"""Rebuilding the index beside the live one, then switching (the alias on engines)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from search_testkit import (
    drop_engine_indices,
    engine_indices,
    load_documents,
    make_backend,
    opensearch_base_url,
)

from search.backend import SearchBackend
from search.errors import ReindexFailed
from search.query import SearchQuery
from search.sqlite_ import SqliteBackend


def _generation_or_indices(backend: SearchBackend) -> Any:
    health = backend.health()
    return health.get("generation", health.get("indices"))


def test_reindex_switches_to_a_checked_new_index(fresh_backend: SearchBackend) -> None:
    docs = load_documents()
    fresh_backend.index(docs[:5])
    before = _generation_or_indices(fresh_backend)
    assert fresh_backend.reindex(docs) == 20
    assert fresh_backend.count() == 20
    assert _generation_or_indices(fresh_backend) != before
    assert fresh_backend.search(SearchQuery(q="锂电")).total == 1
    assert fresh_backend.reindex(docs[:10]) == 10
    assert fresh_backend.search(SearchQuery()).total == 10


def test_engine_reindex_moves_the_alias_and_drops_old_indices(tmp_path: Path) -> None:
    backend, alias = make_backend("opensearch", tmp_path)
    assert alias
    try:
        backend.index(load_documents()[:2])
        first = backend.health()["indices"]
        backend.reindex(load_documents())
        backend.reindex(load_documents())
        live = backend.health()["indices"]
        assert len(live) == 1 and live[0].startswith(f"{alias}-") and live != first
        assert engine_indices(opensearch_base_url(), alias) == live
    finally:
        drop_engine_indices(opensearch_base_url(), alias)


def _failing(docs: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield from docs[:3]
    raise RuntimeError("records database went away")


def test_failed_reindex_keeps_the_live_index(fresh_backend: SearchBackend) -> None:
    docs = load_documents()
    fresh_backend.reindex(docs)
    before = _generation_or_indices(fresh_backend)
    with pytest.raises(RuntimeError):
        fresh_backend.reindex(_failing(docs))
    malformed = [*docs[:3], {**docs[3], "published_at": "not a date"}]
    with pytest.raises(ReindexFailed):
        fresh_backend.reindex(malformed)
    assert _generation_or_indices(fresh_backend) == before
    assert fresh_backend.count() == 20
    assert fresh_backend.search(SearchQuery(q="专利")).total == 4


def test_embedded_index_from_before_the_facet_table_counts_the_same_until_reindexed(
    tmp_path: Path,
) -> None:
    backend = SqliteBackend(tmp_path / "search.db")
    backend.index(load_documents())
    query = SearchQuery(q="专利")
    expected = backend.search(query).facets
    assert expected["jurisdiction"] and expected["month"]
    generation = backend.health()["generation"]
    with sqlite3.connect(tmp_path / "search.db") as conn:  # an index built by an older version
        conn.execute(f"DROP TABLE facets_{generation}")
    assert backend.search(query).facets == expected
    backend.index(load_documents()[:3])  # writes still work on the old layout
    assert backend.count() == 20
    backend.reindex(load_documents())
    assert backend.search(query).facets == expected


def test_equal_scores_are_ordered_by_id_and_paged_exactly_once(
    fresh_backend: SearchBackend,
) -> None:
    """Identical texts score alike; ids decide, even ids alike in their first 48 bytes.

    tantivy first multiplies each score by the item's tie factor (``TIE_FIELD``), so equal
    BM25 scores are ordered by that factor, then by id."""
    from search_testkit import search_all

    from search._tantivy_schema import tie_weight

    template = load_documents()[0]
    long_prefix = "courtlistener_recap:" + "x" * 40
    doc_ids = [f"{long_prefix}-{n:02d}" for n in range(12)] + [f"a:{n}" for n in range(9)]
    fresh_backend.index([{**template, "id": doc_id} for doc_id in doc_ids])
    by_factor = sorted(doc_ids, key=lambda doc_id: (-tie_weight(doc_id), doc_id))
    assert by_factor != sorted(doc_ids)  # the factors do reorder these ids
    for params in ({"q": "lithium"}, {"sort": "date"}):
        found, _ = search_all(fresh_backend, **params, limit=4)
        relevance = "q" in params and fresh_backend.name == "tantivy"
        assert found == (by_factor if relevance else sorted(doc_ids)), params


def test_tantivy_orders_equal_scores_and_equal_tie_factors_by_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Items whose tie factors are equal too (one level here: all of them) are ordered by id
    and paged exactly once, whatever the page size."""
    from search_testkit import search_all

    from search import _tantivy_schema
    from search.tantivy_ import TantivyBackend

    monkeypatch.setattr(_tantivy_schema, "TIE_LEVELS", 1)
    backend = TantivyBackend(tmp_path / "index")
    template = load_documents()[0]
    long_prefix = "courtlistener_recap:" + "x" * 40
    doc_ids = [f"{long_prefix}-{n:02d}" for n in range(40)] + [f"a:{n}" for n in range(9)]
    backend.index([{**template, "id": doc_id} for doc_id in doc_ids])
    scores = {hit.score for hit in backend.search(SearchQuery(q="lithium", limit=100)).hits}
    assert len(scores) == 1
    for limit in (1, 4, 30):
        found, _ = search_all(backend, q="lithium", limit=limit)
        assert found == sorted(doc_ids), limit
