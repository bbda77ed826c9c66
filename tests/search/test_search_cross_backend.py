"""Backends side by side: for every word of the corpus, the same items, in date order, with
the same total and facet counts as the SQLite FTS5 backend. tantivy always; OpenSearch when it
is available (see conftest)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from search_testkit import (
    drop_engine_indices,
    load_documents,
    load_items,
    make_backend,
    opensearch_base_url,
    search_all,
)

from search.backend import SearchBackend
from search.text import WORD
from tagger.segment import segment_query

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")


def _corpus_queries() -> list[str]:
    words: set[str] = set()
    for item in load_items():
        text = " ".join([item["title"], item["summary"], item["body"]])
        words |= {w.lower() for w in WORD.findall(_CJK_RUN.sub(" ", text)) if len(w) > 1}
        for run in _CJK_RUN.findall(text):
            words |= {w for w in segment_query(run) if len(w) > 1}
    return sorted(words)


QUERIES = _corpus_queries()
FILTERED: list[dict[str, Any]] = [
    {"jurisdictions": ["US"], "chinese_party": True},
    {"kinds": ["decision", "dispute"], "since": "2025-02-01"},
    {"q": "patent", "province": "江苏"},
    {"q": "专利 337"},
    {"q": '"court of appeal"'},
    {"until": "2025-01-31"},
    {"party": "co., ltd", "ip_types": ["patent"]},
]


@pytest.fixture(scope="module", params=["tantivy", "opensearch"])
def both(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[SearchBackend, ...]]:
    sqlite, _ = make_backend("sqlite", Path(tmp_path_factory.mktemp("both")))
    other, alias = make_backend(str(request.param), Path(tmp_path_factory.mktemp("both")))
    docs = load_documents()
    sqlite.reindex(docs)
    other.reindex(docs)
    yield sqlite, other
    if alias:
        drop_engine_indices(opensearch_base_url(), alias)


def _outcome(backend: SearchBackend, params: dict[str, Any]) -> tuple[Any, ...]:
    found, pages = search_all(backend, **params, sort="date", limit=50)
    return found, pages[0].total, pages[0].facets


def test_corpus_has_enough_words_to_compare() -> None:
    assert len(QUERIES) > 300
    assert any(re.search(r"[\u4e00-\u9fff]", q) for q in QUERIES)


def test_every_corpus_word_finds_the_same_items(both: tuple[SearchBackend, ...]) -> None:
    sqlite, engine = both
    differences = {}
    for q in QUERIES:
        embedded, remote = _outcome(sqlite, {"q": q}), _outcome(engine, {"q": q})
        if embedded != remote:
            differences[q] = (embedded[0], remote[0])
    assert differences == {}


@pytest.mark.parametrize("params", FILTERED, ids=[str(p) for p in FILTERED])
def test_filtered_queries_agree(both: tuple[SearchBackend, ...], params: dict[str, Any]) -> None:
    sqlite, engine = both
    assert _outcome(sqlite, params) == _outcome(engine, params)
