"""An export whose search engine fails part-way never passes for a whole one.

The API runs as a real uvicorn server; OpenSearch (``IPRWATCH_TEST_OPENSEARCH_URL``) is
reached through a local HTTP relay that passes the first searches on and answers every later
one with a 503, as an engine does when it falls over in the middle of an export.
"""

from __future__ import annotations

import contextlib
import csv
import io
import socket
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.export import INCOMPLETE_MARKER
from core.settings import get_settings
from search.backend import get_backend
from search.document import build_document
from tests.conftest import require_service
from tests.credentials import admin_headers
from tests.servers import serving

ITEMS = 250  # three export pages of 100


class FailingRelay(ThreadingHTTPServer):
    """Relays requests to the engine; ``/_search`` requests after the first ``allowed`` get a
    503 (others, such as the index check, always pass)."""

    daemon_threads = True

    def __init__(self, upstream: str, allowed: int) -> None:
        super().__init__(("127.0.0.1", 0), _RelayHandler)
        self.upstream = upstream
        self.allowed = allowed
        self.searches = 0
        self.lock = threading.Lock()

    def passes(self, path: str) -> bool:
        if "/_search" not in path:
            return True
        with self.lock:
            self.searches += 1
            return self.searches <= self.allowed


class _RelayHandler(BaseHTTPRequestHandler):
    server: FailingRelay
    protocol_version = "HTTP/1.1"

    def _relay(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        if not self.server.passes(self.path):
            self._answer(503, b'{"error":"node is shutting down","status":503}')
            return
        request = urllib.request.Request(
            self.server.upstream + self.path, data=body, method=self.command,
            headers={"Content-Type": self.headers.get("Content-Type", "application/json")},
        )  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                self._answer(response.status, response.read())
        except urllib.error.HTTPError as exc:
            self._answer(exc.code, exc.read())

    def _answer(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _relay

    def log_message(self, format: str, *args: object) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _api_server() -> Iterator[str]:
    from api.app import create_app

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="critical")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the API server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def failing_engine(db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FailingRelay]:
    """250 battery items in a fresh alias of the test engine, searched through a relay that
    lets the export's point in time and its first page (which counts the total) through,
    then fails."""
    base = require_service("IPRWATCH_TEST_OPENSEARCH_URL", "OpenSearch").rstrip("/")
    alias = f"iprw-export-{uuid.uuid4().hex[:10]}"
    start = datetime(2025, 1, 1, tzinfo=UTC)
    documents = [
        build_document(
            {"id": f"export-{n:03d}", "source": "federal_register", "language": "en",
             "kind": "dispute", "jurisdictions": ["US"], "published_at": start + timedelta(n),
             "title": f"Certain Lithium-Ion Battery Cells, notice {n}", "summary": "battery"}
        )
        for n in range(ITEMS)
    ]  # fmt: skip
    get_backend(f"opensearch+{base}/?alias={alias}&refresh=true").index(documents)
    relay = FailingRelay(base, allowed=2)  # the point in time, the first page
    with serving(relay):
        url = f"opensearch+http://127.0.0.1:{relay.server_port}/?alias={alias}"
        monkeypatch.setenv("IPRWATCH_SEARCH_URL", url)
        get_settings.cache_clear()
        yield relay
    request = urllib.request.Request(f"{base}/{alias}-*", method="DELETE")
    with contextlib.suppress(OSError):
        urllib.request.urlopen(request, timeout=10).close()


def test_csv_export_failing_part_way_ends_marked_and_aborted(
    failing_engine: FailingRelay,
) -> None:
    """It ended as a well-formed, shorter CSV with a 200: a file the user took for whole."""
    received = bytearray()
    with (
        _api_server() as base,
        httpx.Client(base_url=base, headers=admin_headers()) as client,
        client.stream("GET", "/api/v1/items/export", params={"q": "battery"}) as response,
    ):
        assert response.status_code == 200
        assert response.headers["X-Export-Total"] == str(ITEMS)
        with pytest.raises(httpx.RemoteProtocolError):  # the download fails visibly
            for chunk in response.iter_raw():
                received += chunk
    rows = list(csv.reader(io.StringIO(received.decode("utf-8-sig"))))
    assert rows[0][0] == "id"
    items, last = rows[1:-1], rows[-1]
    assert len(items) == 100 and all(row[0].startswith("export-") for row in items)
    assert last[0] == INCOMPLETE_MARKER
    assert "导出不完整" in last[1] and "Export incomplete" in last[1] and "100 rows" in last[1]


def test_xlsx_export_failing_part_way_is_a_503_and_leaves_no_file(
    failing_engine: FailingRelay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It was a 500 in plain text, and the half-written workbook stayed in the temp folder."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with _api_server() as base, httpx.Client(base_url=base, headers=admin_headers()) as client:
        response = client.get("/api/v1/items/export", params={"q": "battery", "format": "xlsx"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "unavailable"
    assert list(scratch.iterdir()) == []
