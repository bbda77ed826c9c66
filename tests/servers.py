"""Servers for tests: local HTTP sites on a thread (``serving``), and the API as a real
uvicorn server in a child process, for tests that need several worker processes (caches that
must agree across processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import HTTPServer
from pathlib import Path
from typing import TypeVar

import httpx

ROOT = Path(__file__).resolve().parents[1]
_Server = TypeVar("_Server", bound=HTTPServer)


@contextmanager
def serving(httpd: _Server) -> Iterator[_Server]:
    """Serve ``httpd`` on a daemon thread while the block runs, then shut it down and close
    it."""
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def serve_api(port: int, workers: int) -> subprocess.Popen[bytes]:
    """Start ``uvicorn api.app:create_app`` on loopback with ``workers`` processes."""
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
               "--log-level", "warning"]  # fmt: skip
    return subprocess.Popen(command, env=os.environ.copy(), cwd=ROOT)


def wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    """Wait until the server answers its health check (90 s at most).

    Raises:
        TimeoutError: when it does not answer in time.
    """
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert server.poll() is None, "the API server exited"
        try:
            if httpx.get(base + "/api/v1/health", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise TimeoutError("the API server did not start")
