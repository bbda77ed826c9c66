"""``iprwatch up`` brings up the worker and the web server on the embedded defaults."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_up_serves_health_and_pages(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "IPRWATCH_DATA_DIR": str(tmp_path / "var"),
        "IPRWATCH_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'iprwatch.db'}",
        "IPRWATCH_SEARCH_URL": "",
        "IPRWATCH_BROKER_URL": "",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "api.cli", "up", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        body = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and body is None:
            try:
                body = httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=2).json()
            except httpx.HTTPError:
                assert process.poll() is None, (
                    process.stderr.read().decode() if process.stderr else ""
                )
                time.sleep(0.5)
        assert body is not None and body["status"] == "ok"
        page = httpx.get(f"http://127.0.0.1:{port}/sources", timeout=5)
        assert page.status_code == 200 and "federal_register" in page.text
        assert (tmp_path / "var" / "iprwatch.db").exists()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
