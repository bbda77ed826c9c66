"""An export in relevance order reads one view of the index, on every backend.

Items indexed while an export runs change BM25's statistics, and with them every score: an
export that paged through separate searches by its ``(score, id)`` cursor then repeated rows
or left some out. Here items are indexed after the export's first page has been read.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from search_testkit import backend_url, drop_engine_indices, opensearch_base_url, search_all

from api.export import open_rows
from core.settings import get_settings
from search.backend import SearchBackend, get_backend
from search.document import build_document
from search.opensearch_ import EngineBackend
from tests.api.test_export_failures import _api_server
from tests.credentials import admin_headers

START = datetime(2025, 1, 1, tzinfo=UTC)


def _document(
    key: str, n: int, battery: int, filler: int, title: str = "Notice {n} on lithium cells"
) -> dict[str, Any]:
    return build_document(
        {"id": key, "source": "federal_register", "language": "en", "kind": "dispute",
         "jurisdictions": ["US"], "published_at": START + timedelta(hours=n),
         "title": title.format(n=n),
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
    total, rows = open_rows({"q": "battery", "sort": "relevance"})
    exported = [next(rows)[0] for _ in range(100)]
    # 400 new items, each with the word: its IDF falls, and every old score with it.
    export_backend.index([_document(f"new-{n:03d}", 300 + n, 2, 0) for n in range(400)])
    exported += [row[0] for row in rows]
    assert len(exported) == len(set(exported)), "a row was exported twice"
    assert exported == before  # the result set as it stood when the export began
    assert total == len(exported)


@pytest.fixture
def export_api(export_backend: SearchBackend, db: str) -> Iterator[httpx.Client]:
    """The API as a real uvicorn server exporting from ``export_backend``, with an admin key."""
    with (
        _api_server() as base,
        httpx.Client(base_url=base, headers=admin_headers(), timeout=60) as client,
    ):
        yield client


class _Indexer(threading.Thread):
    """Indexes new battery items, a few at a time, until stopped: items stored while exports
    run, as crawls store them."""

    def __init__(self, backend: SearchBackend) -> None:
        super().__init__(daemon=True)
        self.backend = backend
        self.stop = threading.Event()
        self.batches = 0

    def run(self) -> None:
        while not self.stop.is_set():
            start = 1000 + 5 * self.batches
            self.backend.index(
                [_document(f"new-{n:05d}", n, 2, 0) for n in range(start, start + 5)]
            )
            self.batches += 1
            self.stop.wait(0.02)  # as crawls store: in bursts, not one unending transaction


@pytest.mark.parametrize("format", ["csv", "xlsx"])
def test_export_total_header_counts_the_rows_exported_while_items_are_stored(
    export_backend: SearchBackend, export_api: httpx.Client, format: str
) -> None:
    """The header came from a search made before the rows' view was opened: items stored in
    between made ``X-Export-Total`` disagree with the file (250 announced, 255 sent)."""
    indexer = _Indexer(export_backend)
    indexer.start()
    try:
        exports = [_export(export_api, format) for _ in range(EXPORTS)]
    finally:
        indexer.stop.set()
        indexer.join(timeout=60)
    assert [total for total, _ in exports] == [rows for _, rows in exports]
    assert len({rows for _, rows in exports}) > 1, "no item was stored while the exports ran"


EXPORTS = 20


def _export(client: httpx.Client, format: str) -> tuple[int, int]:
    """One export's ``X-Export-Total`` and the number of item rows in its file."""
    response = client.get("/api/v1/items/export", params={"q": "battery", "format": format})
    assert response.status_code == 200, response.text
    total = int(response.headers["X-Export-Total"])
    if format == "csv":
        return total, len(list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))) - 1
    with zipfile.ZipFile(io.BytesIO(response.content)) as workbook:
        sheet = workbook.read("xl/worksheets/sheet1.xml").decode()
    return total, sheet.count("<row ") - 1


@pytest.mark.parametrize("backend_kind", ["opensearch"])
def test_export_left_early_closes_its_point_in_time(
    export_backend: SearchBackend, export_api: httpx.Client
) -> None:
    """A client that stops reading a CSV export (a closed tab, a cancelled download) left the
    export's point in time open on the engine until it expired (``PIT_KEEP_ALIVE``), each one
    holding segments the engine could otherwise merge away."""
    assert isinstance(export_backend, EngineBackend)
    alias = export_backend.alias
    # Long titles: 1,250 rows of 7 kB are more than the sockets buffer, so the export is still
    # reading its hits when the client goes.
    long_title = "Notice {n} on lithium cells" + " with a long title" * 400
    export_backend.index([_document(f"long-{n:04d}", n, 1, 0, long_title) for n in range(1000)])
    before = _open_points_in_time(alias)
    with export_api.stream("GET", "/api/v1/items/export", params={"q": "battery"}) as response:
        assert response.status_code == 200
        received = b""
        for chunk in response.iter_raw():
            received += chunk
            if received.count(b"\n") > 1:  # the header and the first rows
                break
        assert _open_points_in_time(alias) == before + 1, "the export holds no point in time"
    deadline = time.monotonic() + 10
    while _open_points_in_time(alias) != before and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _open_points_in_time(alias) == before


def _open_points_in_time(alias: str) -> int:
    """How many points in time are open on the indices behind ``alias`` (the engine's count)."""
    url = f"{opensearch_base_url()}/{alias}/_stats/search"
    with urllib.request.urlopen(url, timeout=10) as response:
        stats = json.load(response)
    return int(stats["_all"]["total"]["search"]["point_in_time_current"])
