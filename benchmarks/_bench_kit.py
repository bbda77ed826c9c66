"""Shared parts of the benchmarks written for ``benchmarks.run``: the machine's description,
an isolated embedded data directory, Section 337 notices that raise alerts, a local webhook
receiver that time-stamps what it gets, and free loopback ports."""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from core.types import ItemKind, ItemRecord

PROFILES_YAML = """
enterprises:
  - id: wuxi-battery
    name: {zh: 无锡某电池有限公司, en: Wuxi Battery Co.}
    chains: [A5]
    destinations: [{country: US, export_share: 0.4}]
  - id: wuxi-netlink
    name: {zh: 无锡锡联网络设备有限公司, en: Wuxi Xilian Network Equipment Co.}
    chains: [L1]
    destinations: [{country: US, export_share: 0.35}]
"""


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or the platform's processor string)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def ram_gb() -> float:
    """Total memory in GB (0 when unknown)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "cpu_model": cpu_model(),
        "cores": os.cpu_count(),
        "ram_gb": ram_gb(),
        "python": platform.python_version(),
        # which build: the same code runs 10-18% slower on pyenv's default build than on
        # Debian's (scripts/venv-python)
        "python_executable": os.path.realpath(sys.executable),
        "os": platform.platform(terse=True),
    }


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0-1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def median(values: list[float]) -> float:
    return float(statistics.median(values))


@contextmanager
def embedded_env(folder: Path, **extra: str) -> Iterator[Path]:
    """Point settings at an embedded data directory (SQLite, FTS5, serverless broker) for
    the duration; other ``IPRWATCH_*`` variables given as keyword arguments."""
    from core.db import get_engine
    from core.settings import get_settings

    folder.mkdir(parents=True, exist_ok=True)
    env = {
        "IPRWATCH_DATA_DIR": str(folder),
        "IPRWATCH_DATABASE_URL": f"sqlite:///{folder / 'iprwatch.db'}",
        "IPRWATCH_SEARCH_URL": "",
        "IPRWATCH_BROKER_URL": "",
        **{f"IPRWATCH_{k.upper()}": v for k, v in extra.items()},
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    get_settings.cache_clear()
    get_engine.cache_clear()
    try:
        yield folder
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        get_settings.cache_clear()
        get_engine.cache_clear()


def notices(count: int, prefix: str, start: int = 0) -> list[ItemRecord]:
    """Section 337 notices on lithium-ion batteries (a quarter in Chinese): each raises an
    alert for the battery maker of :data:`PROFILES_YAML`."""
    now = datetime.now(UTC)
    records = []
    for n in range(start, start + count):
        inv = f"337-TA-{1500 + n}"
        chinese = n % 4 == 3
        title = (
            f"美国ITC对锂离子电池及其组件发起337调查（{inv}）"
            if chinese
            else f"Certain Lithium-Ion Battery Cells and Products Containing the Same; Inv. No. {inv}"
        )
        summary = (
            "美国国际贸易委员会投票决定对特定锂离子电池产品发起337调查。"
            if chinese
            else "Notice is hereby given that a complaint was filed with the U.S. International "
            "Trade Commission under section 337 of the Tariff Act of 1930."
        )
        records.append(
            ItemRecord(
                id=f"{prefix}:{n}",
                source="federal_register",
                url=f"https://www.federalregister.gov/d/{prefix}-{n}",
                title=title,
                summary=summary,
                language="zh" if chinese else "en",
                published_at=now - timedelta(days=n % 5),
                jurisdictions=["US"],
                kind=ItemKind.DISPUTE,
                case_refs=[inv],
            )
        )
    return records


class WebhookClock:
    """A webhook receiver on loopback that records when each alert id first arrived."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}
        self.posts = 0
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self) -> str:
        return f"webhook://127.0.0.1:{self.port}/hook"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        clock = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                now = time.monotonic()
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                clock.posts += 1
                for alert in json.loads(body or b"{}").get("alerts", []):
                    clock.arrived.setdefault(int(alert["id"]), now)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        return Handler


def machine_reference_ms() -> float:
    """CPU ms of a fixed workload of the kind deciding does (dict and set lookups, small
    numpy calls), median of 7: how fast the machine was around a timed run. On this shared
    host the same code's figures move with it by a quarter or more from run to run."""
    import numpy as np  # only the benchmarks that print the reference need it

    rng = np.random.default_rng(7)
    rows = rng.integers(0, 1 << 20, size=(400, 6), dtype=np.uint64)
    table = {n: n * 3 for n in range(5_000)}
    times = []
    for run in range(8):  # the first run warms up
        started = time.process_time()
        for _ in range(20):
            order = np.lexsort(rows.T[::-1])
            picked = rows.take(order, axis=0)[::3]
            total = sum(table.get(int(v) % 6_000, 0) for v in picked[:, 0].tolist())
            seen = {tuple(r) for r in picked.tolist()}
            total += len(seen)
        if run:
            times.append((time.process_time() - started) * 1000)
    return round(statistics.median(times), 3)
