"""The API as a real uvicorn server in a child process, for tests that need several worker
processes (caches that must agree across processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


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
