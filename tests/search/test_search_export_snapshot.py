"""An export in relevance order reads one view of the index, on every backend.

Items indexed while an export runs change BM25's statistics, and with them every score: an
export that paged through separate searches by its ``(score, id)`` cursor then repeated rows
or left some out. Here items are indexed after the export's first page has been read.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from search_testkit import backend_url, drop_engine_indices, opensearch_base_url, search_all

from api.export import iter_rows
from core.settings import get_settings
from search.backend import SearchBackend, get_backend
from search.document import build_document

START = datetime(2025, 1, 1, tzinfo=UTC)


def _document(key: str, n: int, battery: int, filler: int) -> dict[str, Any]:
    return build_document(
        {"id": key, "source": "federal_register", "language": "en", "kind": "dispute",
         "jurisdictions": ["US"], "published_at": START + timedelta(hours=n),
         "title": f"Notice {n} on lithium cells",
         "summary": " ".join(["battery"] * battery + ["tariff"] * filler)}
    )  # fmt: skip


@pytest.fixture
def export_backend(
    backend_kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> Iterator[SearchBackend]:
    """A backend of each kind, configured as the one exports read, holding 250 items whose
    scores for ``battery`` differ."""
    url, alias = backend_url(backend_kind, tmp_path)
    monkeypatch.setenv("IPRWATCH_SEARCH_URL", url)
    get_settings.cache_clear()
    backend = get_backend(url)
    backend.index([_document(f"old-{n:03d}", n, 1 + n % 7, n % 11) for n in range(250)])
    yield backend
    if alias:
        drop_engine_indices(opensearch_base_url(), alias)


def test_relevance_export_neither_repeats_nor_skips_items_indexed_meanwhile(
    export_backend: SearchBackend,
) -> None:
    before, _ = search_all(export_backend, q="battery", limit=100)
    assert len(before) == 250
    rows = iter_rows({"q": "battery", "sort": "relevance"})
    exported = [next(rows)[0] for _ in range(100)]
    # 400 new items, each with the word: its IDF falls, and every old score with it.
    export_backend.index([_document(f"new-{n:03d}", 300 + n, 2, 0) for n in range(400)])
    exported += [row[0] for row in rows]
    assert len(exported) == len(set(exported)), "a row was exported twice"
    assert exported == before  # the result set as it stood when the export began
