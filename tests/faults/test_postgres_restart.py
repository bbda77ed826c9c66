"""PostgreSQL restarted in the middle of a run: the run recovers and loses nothing.

The shared test server is never touched: the test starts a private PostgreSQL (``initdb`` and
``pg_ctl`` from ``/usr/lib/postgresql/*/bin``, as the ``postgres`` user when run as root) in a
temporary folder on a free port. A real Celery worker (serverless broker) takes a batch of
Section 337 notices through tagging, indexing, evaluation and webhook delivery; the test stops
the server (``pg_ctl stop -m fast``: open connections are cut) while the worker is busy, keeps
it down for a few seconds, and starts it again. Tasks that meet the outage fail with
``OperationalError`` and retry with backoff (``core.celery_app.PipelineTask``); the engine's
``pool_pre_ping`` replaces the dead pooled connections.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.runtime import start_worker, stop_worker
from core.celery_app import create_celery
from core.db import get_engine
from core.migrate import upgrade
from core.settings import get_settings
from tests.conftest import REQUIRE_SERVICES
from tests.faults._pipeline_kit import (
    ITC_RULE,
    WebhookLog,
    alert_keys,
    battery_notices,
    delivery_counts,
    free_port,
    save_test_profiles,
    state,
    store_batch,
    subscribe,
    wait_for,
)

ITEMS = 120
CHUNK = 4
DOWN_SECONDS = 4.0


class PrivatePostgres:
    """A throw-away PostgreSQL cluster on 127.0.0.1 (trust authentication)."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="iprw-pg-"))  # not under pytest's 0700 tree
        self.data = self.folder / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0  # initdb refuses to run as root
        if self.as_postgres:
            shutil.chown(self.folder, "postgres", "postgres")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://iprwatch@127.0.0.1:{self.port}/iprwatch"

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bindir / tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "iprwatch", "--auth=trust", "-E", "UTF8")
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "iprwatch", "iprwatch")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l",
                  str(self.folder / "server.log"), "-w", "start")  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def private_postgres(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivatePostgres]:
    """A private PostgreSQL, migrated and configured as the database."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        reason = "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin"
        if REQUIRE_SERVICES:
            pytest.fail(f"IPRWATCH_REQUIRE_SERVICES=1 but {reason}")
        pytest.skip(reason)
    server = PrivatePostgres(Path(found[-1]).parent)
    try:
        server.init()
        monkeypatch.setenv("IPRWATCH_DATABASE_URL", server.url)
        monkeypatch.setenv("IPRWATCH_WEBHOOK_ALLOW_LOOPBACK", "1")
        monkeypatch.setenv("IPRWATCH_DELIVERY_LEASE_SECONDS", "2")
        get_settings.cache_clear()
        get_engine.cache_clear()
        upgrade(server.url)
        yield server
    finally:
        get_engine.cache_clear()
        server.remove()


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_the_run_recovers_without_losing_data_when_postgres_restarts_mid_run(
    private_postgres: PrivatePostgres,
) -> None:
    save_test_profiles()
    webhook = WebhookLog()
    webhook.start()
    subscribe(webhook)
    ids = store_batch(battery_notices(ITEMS, prefix="pg"))
    sender = create_celery()
    for start in range(0, ITEMS, CHUNK):
        sender.send_task("tagger.tag_items", args=[ids[start : start + CHUNK]])
    worker = start_worker()

    def alive() -> None:
        assert worker.poll() is None, "the worker exited"

    try:
        wait_for(lambda: state().items - state().untagged >= ITEMS // 3, 180, "work", alive, 0.1)
        private_postgres.stop()
        get_engine().dispose()  # this process's connections died with the server
        time.sleep(DOWN_SECONDS)
        alive()
        private_postgres.start()
        mid_run = state()
        assert not mid_run.settled, "the batch finished before the restart"

        def settled() -> bool:
            # Every alert of the subscribed enterprise has its delivery, and all are sent.
            expected = sum(1 for _, ent, _ in alert_keys() if ent == "wuxi-battery")
            return state().settled and expected > 0 and delivery_counts() == {"sent": expected}

        recovered = wait_for(settled, 300, "the run to finish after the restart", alive, 1.0)
    finally:
        sender.close()
        stop_worker(worker)
        webhook.stop()
    final = state()
    assert final.items == ITEMS and final.settled, final
    keys = alert_keys()
    assert len(keys) == len(set(keys))
    assert {item for item, ent, rule in keys if rule == ITC_RULE and ent == "wuxi-battery"} == set(
        ids
    )
    carried = webhook.deliveries_by_alert()
    assert len(carried) == sum(1 for _, ent, _ in keys if ent == "wuxi-battery")
    assert all(len(d) == 1 for d in carried.values()), "an alert arrived twice"
    print(f"restarted with {mid_run.untagged} untagged, {mid_run.unevaluated} unevaluated; "
          f"finished {recovered:.1f} s later; {len(carried)} alerts delivered once")  # fmt: skip
