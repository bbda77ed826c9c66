"""OpenSearch searches an index's segments concurrently, with the same results as one by one."""

from __future__ import annotations

import dataclasses
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from search_testkit import (
    drop_engine_indices,
    load_documents,
    make_backend,
    opensearch_base_url,
    search_all,
)

from search import opensearch_
from search._engine_clients import MAX_SLICES, _version
from search.opensearch_ import EngineBackend
from search.query import SearchQuery

QUERIES: list[dict[str, Any]] = [
    {},
    {"q": "patent"},
    {"q": "锂电"},
    {"q": "337", "sort": "date"},
    {"jurisdictions": ["US"], "limit": 3},
]


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def _index_settings(base: str, alias: str) -> dict[str, Any]:
    found = _get(f"{base}/{alias}/_settings?flat_settings=true")
    (settings,) = (entry["settings"] for entry in found.values())
    return dict(settings)


def _data_node_cores(base: str) -> int:
    nodes = _get(f"{base}/_nodes/os")["nodes"].values()
    return min(int(n["os"]["allocated_processors"]) for n in nodes if "data" in n["roles"])


def test_new_indices_search_one_slice_per_core(tmp_path: Path) -> None:
    backend, alias = make_backend("opensearch", tmp_path)
    assert alias
    base = opensearch_base_url()
    try:
        backend.reindex(load_documents())
        settings = _index_settings(base, alias)
        version = _get(f"{base}/")["version"]["number"]
        cores = _data_node_cores(base)
        if _version(version) >= (2, 17) and cores >= 2:
            assert settings["index.search.concurrent_segment_search.mode"] == "auto"
            assert int(settings["index.search.concurrent.max_slice_count"]) == min(
                cores, MAX_SLICES
            )
        else:
            assert "index.search.concurrent_segment_search.mode" not in settings
    finally:
        drop_engine_indices(base, alias)


def test_several_segments_searched_at_once_give_the_embedded_results(tmp_path: Path) -> None:
    docs = load_documents()
    engine, alias = make_backend("opensearch", tmp_path)
    embedded, _ = make_backend("sqlite", tmp_path)
    assert alias
    base = opensearch_base_url()
    try:
        for start in range(0, len(docs), 5):  # refresh=true: each batch becomes a segment
            engine.index(docs[start : start + 5])
        embedded.index(docs)
        segments = _get(f"{base}/_cat/segments/{alias}?format=json")
        assert len(segments) >= 2, "the test needs an index of several segments"
        for params in QUERIES:
            engine_ids, engine_pages = search_all(engine, **params)
            embedded_ids, embedded_pages = search_all(embedded, **params)
            assert sorted(engine_ids) == sorted(embedded_ids), params
            assert engine_pages[0].total == embedded_pages[0].total, params
            assert engine_pages[0].facets == embedded_pages[0].facets, params
    finally:
        drop_engine_indices(base, alias)


def test_settings_the_engine_refuses_are_left_out(tmp_path: Path) -> None:
    """A managed service may refuse index-level search settings: the index is created
    without them, and works."""
    backend, alias = make_backend("opensearch", tmp_path)
    assert isinstance(backend, EngineBackend) and alias
    base = opensearch_base_url()
    flavour, client = backend._engine
    refused = dataclasses.replace(
        flavour, search_settings=lambda _client: {"index.search.no_such_setting": 1}
    )
    backend.__dict__["_engine"] = (refused, client)
    try:
        assert backend.reindex(load_documents()) == len(load_documents())
        assert backend.search(SearchQuery(q="锂电")).total == 1
        assert "index.search.no_such_setting" not in _index_settings(base, alias)
    finally:
        drop_engine_indices(base, alias)


def _refreshing_every(docs: list[dict[str, Any]], base: str, alias: str, every: int) -> Any:
    """``docs``, refreshing the indices named after ``alias`` before each further ``every``:
    with bulk chunks of ``every``, the index being built gets several segments."""
    for number, doc in enumerate(docs):
        if number and number % every == 0:
            request = urllib.request.Request(f"{base}/{alias}-*/_refresh", method="POST")
            urllib.request.urlopen(request, timeout=10).close()
        yield doc


def _segments(base: str, alias: str) -> int:
    return len(_get(f"{base}/_cat/segments/{alias}?format=json"))


def _unsliced(backend: EngineBackend) -> None:
    """The backend as on a node without concurrent segment search (before 2.17, one core)."""
    flavour, client = backend._engine
    backend.__dict__["_engine"] = (
        dataclasses.replace(flavour, search_settings=lambda _client: {}),
        client,
    )


def test_a_rebuilt_index_searched_segment_by_segment_is_merged_into_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backend, alias = make_backend("opensearch", tmp_path)
    assert isinstance(backend, EngineBackend) and alias
    base = opensearch_base_url()
    docs = load_documents()
    monkeypatch.setattr(opensearch_, "BULK_CHUNK", 5)
    try:
        backend.reindex(_refreshing_every(docs, base, alias, 5))
        settings = _index_settings(base, alias)
        sliced = int(settings.get("index.search.concurrent.max_slice_count", 1)) >= 2
        assert (_segments(base, alias) >= 2) if sliced else (_segments(base, alias) == 1)
        _unsliced(backend)
        assert backend.reindex(_refreshing_every(docs, base, alias, 5)) == len(docs)
        assert _segments(base, alias) == 1
        assert backend.search(SearchQuery(q="锂电")).total == 1
        assert backend.search(SearchQuery()).total == len(docs)
    finally:
        drop_engine_indices(base, alias)


def test_a_merge_that_times_out_still_switches_to_the_complete_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    backend, alias = make_backend("opensearch", tmp_path)
    assert isinstance(backend, EngineBackend) and alias
    base = opensearch_base_url()
    docs = load_documents()
    backend.index(docs[:2])
    before = backend.health()["indices"]
    _unsliced(backend)
    monkeypatch.setattr(opensearch_, "BULK_CHUNK", 5)
    monkeypatch.setattr(opensearch_, "MERGE_TIMEOUT", 0.0005)  # no merge answers that fast
    try:
        assert backend.reindex(_refreshing_every(docs, base, alias, 5)) == len(docs)
        logged = capfd.readouterr()  # the log goes to stdout or stderr, by environment
        assert "search.engine.merge_failed" in logged.out + logged.err
        live = backend.health()["indices"]
        assert live != before and len(live) == 1
        assert backend.count() == len(docs)
        assert backend.search(SearchQuery(q="锂电")).total == 1
    finally:
        drop_engine_indices(base, alias)


@pytest.mark.parametrize(
    ("number", "expected"),
    [("2.19.1", (2, 19)), ("2.17.0-SNAPSHOT", (2, 17)), ("3.0.0", (3, 0)), ("x", (0, 0))],
)
def test_engine_versions_are_read_as_major_and_minor(
    number: str, expected: tuple[int, int]
) -> None:
    assert _version(number) == expected
