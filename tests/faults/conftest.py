"""Fixtures for the fault and abuse suite: local web sites serving real fixtures (and their
broken twins), and temporary source folders pointed at them.

Sources are written as real ``source.yml`` files into a temporary folder that
``IPRWATCH_SOURCES_DIR`` names, so the crawl children load them exactly as they load the
shipped sources.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from w3lib.url import canonicalize_url

ROBOTS = b"User-agent: *\nAllow: /\n"
CHUNK = b"<!-- padding -->" * 65536  # 1 MiB


@dataclass
class Reply:
    """One answer of a test site.

    Attributes:
        body: The body (repeated ``CHUNK`` instead when ``stream_bytes`` is set).
        status: The HTTP status.
        content_type: The Content-Type header.
        delay: Seconds to wait before answering (a hanging server).
        declare_length: Send Content-Length (else the body ends when the connection does).
        stream_bytes: Stream this many bytes of padding instead of ``body``.
    """

    body: bytes = b""
    status: int = 200
    content_type: str = "application/xml; charset=utf-8"
    delay: float = 0.0
    declare_length: bool = True
    stream_bytes: int = 0


class Site(ThreadingHTTPServer):
    """A web site on 127.0.0.1: robots.txt allows all; each path answers its ``Reply``."""

    daemon_threads = True
    routes: dict[str, Reply]
    hits: Counter[str]
    served: list[tuple[str, float, float]]  # (path, start, end) of each routed answer

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def serve(self, path: str, reply: Reply) -> str:
        """Answer ``path`` with ``reply`` from now on; returns its URL."""
        self.routes[canonicalize_url(self.url(path))] = reply
        return self.url(path)


class SiteHandler(BaseHTTPRequestHandler):
    server: Site

    def do_GET(self) -> None:
        if self.path == "/robots.txt":
            self._send(Reply(ROBOTS, content_type="text/plain"))
            return
        key = canonicalize_url(self.server.url(self.path))
        self.server.hits[key] += 1
        reply = self.server.routes.get(key, Reply(b"not here", 404, "text/plain"))
        started = time.monotonic()
        time.sleep(reply.delay)
        self._send(reply)
        self.server.served.append((self.path, started, time.monotonic()))

    def _send(self, reply: Reply) -> None:
        size = reply.stream_bytes or len(reply.body)
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            if reply.declare_length:
                self.send_header("Content-Length", str(size))
            self.end_headers()
            if not reply.stream_bytes:
                self.wfile.write(reply.body)
                return
            for _ in range(reply.stream_bytes // len(CHUNK)):
                self.wfile.write(CHUNK)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up first (timeout, size cap): that is the point

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def new_site() -> Iterator[Callable[[], Site]]:
    """Starts local sites on random ports; all are shut down after the test."""
    started: list[tuple[Site, threading.Thread]] = []

    def start() -> Site:
        site = Site(("127.0.0.1", 0), SiteHandler)
        site.routes, site.hits, site.served = {}, Counter(), []
        thread = threading.Thread(target=site.serve_forever, daemon=True)
        thread.start()
        started.append((site, thread))
        return site

    yield start
    for site, thread in started:
        site.shutdown()
        site.server_close()
        thread.join(timeout=5)


@pytest.fixture
def sources_dir(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder of source folders, made the configured sources root."""
    from core.settings import get_settings

    root = data_dir.parent / "sources"
    root.mkdir()
    monkeypatch.setenv("IPRWATCH_SOURCES_DIR", str(root))
    get_settings.cache_clear()
    return root


def write_source(
    root: Path,
    source_id: str,
    spider: str,
    start_urls: list[str],
    *,
    min_items: int = 1,
    language: str = "en",
    **options: Any,
) -> Path:
    """A ``source.yml`` for a generic spider (``feed``, ``json_api`` or ``listing``)."""
    data: dict[str, Any] = {
        "id": source_id,
        "title": {"zh": f"测试来源 {source_id}", "en": f"Test source {source_id}"},
        "publisher": "IPRWatch fault suite",
        "jurisdictions": ["US"],
        "language": language,
        "start_urls": start_urls,
        "spider": spider,
        "schedule": "daily",
        "kind": "news",
        "expected": {"min_items": min_items, "max_items": 500},
        **options,
    }
    path = root / source_id / "source.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
