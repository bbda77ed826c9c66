"""API throughput and tail latency: alert listing with 50 concurrent clients on loopback.

A real uvicorn server (``--workers`` processes, 1 by default; uvloop and httptools when
installed; the app factory as ``iprwatch up`` serves it) runs on an
embedded database holding the alerts the real rules raised on Section 337 notices. An
exporter organisation owns the battery maker and reads with an API key (scope
``alerts:read``), so every request goes through key authentication, tenancy and the rate
limiter (raised for the run, so that it measures the service, not the limit). 50 closed-loop
clients on keep-alive connections request ``GET /api/v1/alerts`` back to back for
``--seconds`` after a warm-up; the client shares the machine's cores with the server.

The clients are ``wrk`` (Debian's, in C: 50 connections, each sending its next request when
the answer arrives) when it is installed, else 50 asyncio httpx clients, which spend more CPU
than the server they measure (``--client`` chooses). Server CPU per request is counted over
every request, warm-up included.

The server caches alert pages (``api.routers._alert_cache``: valid until any alert changes),
so the clients, which poll one unchanged page, are answered from the cache. ``--no-cache``
sends ``Cache-Control: no-cache`` with every request instead: the server then queries and
encodes every page (the uncached figure). No ``If-None-Match`` is sent either way, so every
answer carries the whole 116 KB page.

    python -m benchmarks.bench_api [--items 400] [--clients 50] [--seconds 20] [--workers 1]
                                   [--client wrk|httpx] [--no-cache]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from benchmarks._bench_kit import (
    PROFILES_YAML,
    embedded_env,
    free_port,
    loadavg,
    notices,
    percentile,
)

TARGET_P99_MS = 50.0
PATH = "/api/v1/alerts"
NO_CACHE = {"Cache-Control": "no-cache"}


PAGE_CACHE = {
    True: "cached: the polled page is served from the page cache (nothing changes meanwhile)",
    False: "uncached: Cache-Control no-cache, every page queried and encoded",
}


def _populate(items: int) -> tuple[str, int]:
    """Profiles, items and their alerts, and an exporter's API key; (key, alerts)."""
    from api.auth import assign_enterprise, create_api_key, create_org
    from core.db import session_scope
    from core.migrate import upgrade
    from crawlers.store import store_items
    from tagger.store import tag_stored_items
    from warning.profiles import parse_profiles
    from warning.store import evaluate_stored_items, save_profiles

    upgrade()
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILES_YAML))
        ids = store_items(session, "federal_register", notices(items, "api")).written_ids
        tag_stored_items(session, ids)
        alerts = len(evaluate_stored_items(session, ids))
        create_org(session, "bench-exporter", "exporter", "基准出口商", "Bench exporter")
        assign_enterprise(session, "bench-exporter", "wuxi-battery")
        key = create_api_key(session, "bench-exporter", "bench", ["alerts:read"]).plaintext
    return key, alerts


def _serve(port: int, workers: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
               "--workers", str(workers), "--loop", "auto", "--http", "auto"]  # fmt: skip
    return subprocess.Popen(command, env=os.environ.copy())


def _server_stack() -> dict[str, str]:
    """The event loop and HTTP parser uvicorn picks with ``auto`` (as ``iprwatch up``)."""
    import importlib.util

    def present(name: str) -> bool:
        return importlib.util.find_spec(name) is not None

    return {
        "loop": "uvloop" if present("uvloop") else "asyncio",
        "http": "httptools" if present("httptools") else "h11",
    }


def _tree_cpu_seconds(pid: int) -> float:
    """CPU time of a process and its children (uvicorn's worker processes)."""
    total = _cpu_seconds(pid)
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        total += _cpu_seconds(int(child))
    return total


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_ready(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("the API server exited")
        try:
            if httpx.get(base + "/api/v1/health", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("the API server did not start in 60 s")


async def _client(
    http: httpx.AsyncClient,
    until: float,
    record_from: float,
    samples: list[float],
    codes: dict[int, int],
) -> None:
    while (now := time.perf_counter()) < until:
        response = await http.get(PATH)
        done = time.perf_counter()
        codes[-1] = codes.get(-1, 0) + 1  # every request, warm-up included (for CPU/request)
        if now >= record_from:
            samples.append((done - now) * 1000)
            codes[response.status_code] = codes.get(response.status_code, 0) + 1


async def _load(
    base: str, key: str, clients: int, seconds: float, warmup: float, cache: bool
) -> dict[str, Any]:
    samples: list[float] = []
    codes: dict[int, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    headers = {"Authorization": f"Bearer {key}", **({} if cache else NO_CACHE)}
    async with httpx.AsyncClient(
        base_url=base, headers=headers, limits=limits, timeout=120
    ) as http:
        start, client_cpu = time.perf_counter(), time.process_time()
        record_from, until = start + warmup, start + warmup + seconds
        await asyncio.gather(
            *(_client(http, until, record_from, samples, codes) for _ in range(clients))
        )
        client_cpu = time.process_time() - client_cpu
    sent = codes.pop(-1, 0)
    return {
        "requests": len(samples),
        "requests_sent": sent,
        "requests_per_s": round(len(samples) / seconds, 1),
        "p50_ms": round(percentile(samples, 0.50), 2),
        "p99_ms": round(percentile(samples, 0.99), 2),
        "status_codes": {str(k): v for k, v in sorted(codes.items())},
        "client_cpu_ms_per_request": round(client_cpu * 1000 / max(1, sent), 2),
    }


_WRK_LATENCY = re.compile(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
_WRK_TOTAL = re.compile(r"(\d+) requests in ([\d.]+)s")
_WRK_BAD = re.compile(r"Non-2xx or 3xx responses: (\d+)")
_WRK_ERRORS = re.compile(r"Socket errors: (.*)$", re.M)
_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk(base: str, key: str, clients: int, seconds: float, cache: bool) -> tuple[str, float]:
    """Run wrk once; its report and the client's CPU seconds."""
    extra = [] if cache else ["-H", "Cache-Control: no-cache"]
    command = ["wrk", "--latency", "-t", "1", "-c", str(clients), "-d", f"{seconds:g}s",
               "--timeout", "30s", "-H", f"Authorization: Bearer {key}", *extra,
               base + PATH]  # fmt: skip
    before = os.times()
    report = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    after = os.times()
    return report, (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )


def _load_wrk(
    base: str, key: str, clients: int, seconds: float, warmup: float, cache: bool
) -> dict[str, Any]:
    warm_report, _ = _wrk(base, key, clients, warmup, cache)
    report, client_cpu = _wrk(base, key, clients, seconds, cache)
    total = _WRK_TOTAL.search(report)
    if total is None:
        raise RuntimeError(f"unexpected wrk report:\n{report}")
    requests = int(total.group(1))
    latency = {q: float(v) * _UNIT_MS[u] for q, v, u in _WRK_LATENCY.findall(report)}
    bad = _WRK_BAD.search(report)
    errors = _WRK_ERRORS.search(report)
    warm_total = _WRK_TOTAL.search(warm_report)
    codes = {"200": requests - (int(bad.group(1)) if bad else 0)}
    if bad:
        codes["non-2xx"] = int(bad.group(1))
    if errors:
        codes["socket errors: " + errors.group(1).strip()] = 1
    return {
        "requests": requests,
        "requests_sent": requests + (int(warm_total.group(1)) if warm_total else 0),
        "requests_per_s": round(requests / float(total.group(2)), 1),
        "p50_ms": round(latency["50"], 2),
        "p99_ms": round(latency["99"], 2),
        "status_codes": codes,
        "client_cpu_ms_per_request": round(client_cpu * 1000 / max(1, requests), 2),
    }


def run(
    items: int = 400,
    clients: int = 50,
    seconds: float = 20.0,
    warmup: float = 3.0,
    workers: int = 1,
    client: str | None = None,
    cache: bool = True,
) -> dict[str, Any]:
    """Measure; returns requests/s, p50 and p99 over the timed window. ``cache`` False:
    every request asks for a fresh page (``Cache-Control: no-cache``)."""
    client = client or ("wrk" if shutil.which("wrk") else "httpx")
    load_before = loadavg()
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        env = {"rate_limit_api_key": "100000000/minute"}
        with embedded_env(Path(tmp), **env):
            key, alerts = _populate(items)
            port = free_port()
            server = _serve(port, workers)
            try:
                base = f"http://127.0.0.1:{port}"
                _wait_ready(base, server)
                # No request first: the fifty clients' first requests all record the key's
                # use at once, which must neither fail nor stall them.
                cpu = _tree_cpu_seconds(server.pid)
                if client == "wrk":
                    result = _load_wrk(base, key, clients, seconds, warmup, cache)
                else:
                    result = asyncio.run(_load(base, key, clients, seconds, warmup, cache))
                cpu = _tree_cpu_seconds(server.pid) - cpu  # over every request sent
            finally:
                server.terminate()
                server.wait(timeout=20)
    if set(result["status_codes"]) != {"200"}:
        raise RuntimeError(f"the API answered errors: {result['status_codes']}")
    return {
        **result,
        "server_cpu_ms_per_request": round(cpu * 1000 / max(1, result["requests_sent"]), 2),
        "clients": clients,
        "load_generator": client,
        "server_workers": workers,
        "page_cache": PAGE_CACHE[cache],
        **_server_stack(),
        "seconds": seconds,
        "alerts_stored": alerts,
        "target_p99_ms": TARGET_P99_MS,
        "load_before": load_before,
        "load_after": loadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=400)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--client", choices=["wrk", "httpx"], default=None)
    parser.add_argument("--no-cache", action="store_true", help="every page queried afresh")
    args = parser.parse_args()
    result = run(
        args.items,
        args.clients,
        args.seconds,
        workers=args.workers,
        client=args.client,
        cache=not args.no_cache,
    )
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
