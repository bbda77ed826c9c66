"""Running the service: the demo loader, and ``iprwatch up`` (worker, beat and web server)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

from rich.console import Console

from api.auth._ratelimit import storage_url
from core.models import utcnow
from core.settings import get_settings

DEMO_DIR = Path(__file__).resolve().parent / "demo"
QUEUES = "crawl,nlp,index,warn,deliver,celery"
console = Console(stderr=True)


def start_worker(beat: bool = False) -> subprocess.Popen[bytes]:
    """Start a Celery worker (solo pool) in a child process, optionally with beat."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "core.celery_app",
        "worker",
        "--pool=solo",
        "-Q",
        QUEUES,
        "--loglevel=WARNING",
        "--without-mingle",
        "--without-gossip",
    ]
    if beat:
        command.append("--beat")
    return subprocess.Popen(command, env=os.environ.copy())


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    """Stop a worker started by :func:`start_worker`."""
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()


def demo_samples() -> dict[str, Path]:
    """Each source that ships saved responses for the demo, with their folder."""
    from crawlers.registry import load_sources, sources_root

    root = sources_root()
    return {
        sid: root / sid / "samples"
        for sid in sorted(load_sources())
        if (root / sid / "samples").is_dir()
    }


def wait_until_settled(
    expected_runs: int,
    since: datetime,
    worker: subprocess.Popen[bytes] | None = None,
    timeout: float = 600.0,
) -> None:
    """Block until the crawls sent since ``since`` ran and nothing is left to do."""
    from sqlalchemy import func, select

    from api.pipeline import pipeline_state
    from core.db import session_scope
    from core.models import CrawlRun

    deadline = time.monotonic() + timeout
    with console.status("processing through the Celery pipeline …") as status:
        while time.monotonic() < deadline:
            with session_scope() as session:
                runs = (
                    session.scalar(
                        select(func.count()).where(
                            CrawlRun.finished_at.is_not(None), CrawlRun.started_at >= since
                        )
                    )
                    or 0
                )
                state = pipeline_state(session)
            status.update(
                f"crawls {runs}/{expected_runs} · items {state.items} · to tag {state.untagged}"
                f" · to index {state.unindexed} · to evaluate {state.unevaluated}"
            )
            if runs >= expected_runs and state.settled:
                return
            if worker is not None and worker.poll() is not None:
                raise RuntimeError(f"the Celery worker exited with status {worker.returncode}")
            time.sleep(0.5)
    raise TimeoutError("the pipeline did not settle in time; see the worker's log above")


def load_demo_data() -> None:
    """Import the sample profile and replay every source's samples through Celery."""
    from api.auth._demo import load_demo_accounts
    from core.celery_app import create_celery
    from core.db import session_scope
    from core.migrate import upgrade
    from search.outbox import catch_up_index
    from warning.profiles import load_profiles
    from warning.store import save_profiles

    upgrade()
    catch_up_index()  # a new embedded index is rebuilt from what the database holds
    with session_scope() as session:
        save_profiles(session, load_profiles(DEMO_DIR / "profiles.yml"))
        load_demo_accounts(session, DEMO_DIR / "accounts.yml")  # demo only, never `up`
    samples = demo_samples()
    since = utcnow()
    worker = start_worker()
    sender = create_celery()
    try:
        for source_id, folder in samples.items():
            sender.send_task(
                "crawlers.crawl_source", args=[source_id], kwargs={"replay": str(folder)}
            )
        wait_until_settled(expected_runs=len(samples), since=since, worker=worker)
    finally:
        sender.close()
        stop_worker(worker)


def demo_data_day() -> date | None:
    """The day the demo's data stands at: its newest item's (none later than today).

    The bundled samples stop on a past day; counted back from today, a window of recent
    items (the volume estimate's 100 days) would hold none of them and show 0 a day.
    """
    from sqlalchemy import func, select

    from core.db import session_scope
    from core.models import Item

    with session_scope() as session:
        newest = session.scalar(select(func.max(Item.published_at)))
    return min(newest.date(), utcnow().date()) if newest else None


def stand_data_at(day: date | None) -> None:
    """Make the served demo read its data as of ``day`` (``data_as_of``), unless the user set
    ``IPRWATCH_DATA_AS_OF`` already; the worker started afterwards inherits it."""
    if day is None or os.environ.get("IPRWATCH_DATA_AS_OF"):
        return
    os.environ["IPRWATCH_DATA_AS_OF"] = day.isoformat()
    get_settings.cache_clear()


def _print_summary(host: str, port: int) -> None:
    from sqlalchemy import func, select

    from core.db import session_scope
    from core.models import AlertRow, Item

    with session_scope() as session:
        items = session.scalar(select(func.count()).select_from(Item))
        alerts = session.scalar(select(func.count()).select_from(AlertRow))
    base = f"http://{host}:{port}"
    console.print(f"\n[bold]IPRWatch demo[/bold]: {items} items, {alerts} alerts loaded.")
    as_of = get_settings().data_as_of
    if as_of is not None:
        console.print(
            f"  Data as of (数据截至): {as_of}  (health checks, briefings and volume estimates end here)"
        )
    console.print(f"  Alerts (预警):      {base}/alerts")
    console.print(f"  Search (检索):      {base}/search")
    console.print(f"  English UI:         {base}/alerts?lang=en")
    console.print(f"  API:                {base}/api/v1/health  ·  {base}/docs")
    console.print(f"  Sign in (登录):     {base}/login  ·  accounts: api/demo/accounts.yml")


def default_workers() -> int:
    """Web worker processes for ``iprwatch up``: one per core when rate limits are shared.

    Embedded mode (no Redis) keeps one: its rate-limit counters live in process memory.
    """
    if storage_url() == "memory://":
        return 1
    return max(1, os.cpu_count() or 1)


def serve(host: str, port: int, workers: int = 1) -> None:
    """Serve the web UI and API with uvicorn (blocks); uvloop and httptools when installed."""
    import uvicorn

    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop="auto",  # uvloop if installed (uvicorn[standard])
        http="auto",  # httptools if installed
        log_level="warning",
    )


def run_demo(host: str, port: int, serve_after: bool = True, **_: object) -> None:
    """``iprwatch demo``."""
    load_demo_data()
    stand_data_at(demo_data_day())
    _print_summary(host, port)
    if serve_after:
        worker = start_worker()
        try:
            serve(host, port)
        finally:
            stop_worker(worker)


def run_up(host: str, port: int, workers: int | None = None) -> None:
    """``iprwatch up``: worker with beat on live sources, plus the web server.

    ``workers`` web processes (default :func:`default_workers`).
    """
    from core.migrate import upgrade
    from search.outbox import catch_up_index

    upgrade()
    catch_up_index()  # a new embedded index is rebuilt from what the database holds
    settings = get_settings()
    console.print(
        f"database: {settings.database_url.split('@')[-1]} · broker: "
        f"{'serverless (SQLite)' if not settings.broker_url else 'configured'}"
    )
    worker = start_worker(beat=True)
    try:
        serve(host, port, workers or default_workers())
    finally:
        stop_worker(worker)
