"""Two sources of one site coming due at once are never crawled together (``crawl_source``).

Beat schedules each source on its own: two sources starting at one site (as ``wipo_lex`` and
``wipo_news`` share www.wipo.int) could be crawled by two workers at once. Here the task runs
on two threads at once, as two workers would run it, against a local site that answers
slowly; with a Redis broker (``IPRWATCH_TEST_REDIS_URL``) the lock is in Redis, in embedded
mode in a file under the data directory. A crawl started by hand (``iprwatch crawl``, a real
process) takes the same lock: while a scheduled crawl holds the site it exits 75 saying who
crawls since when, and a scheduled crawl is put off while it runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import Retry
from sqlalchemy import select

import crawlers.site_lock
import crawlers.tasks
from core.celery_app import create_celery
from core.db import session_scope
from core.models import CrawlRun, Item, Source
from core.settings import get_settings
from crawlers.cycle import CycleReport, crawl_cycle
from crawlers.site_lock import LockHolder, site_lock
from crawlers.tasks import crawl_source
from tests.conftest import require_service
from tests.faults.conftest import Reply, Site, write_source
from tests.faults.test_crawl_cycle import RSS, WIPO, feed_slice


@pytest.fixture(params=["embedded", "redis"])
def broker(
    request: pytest.FixtureRequest, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The broker setting the workers share: none (embedded) or the test Redis."""
    url = ""
    if request.param == "redis":
        url = require_service("IPRWATCH_TEST_REDIS_URL", "Redis")
        monkeypatch.setenv("IPRWATCH_BROKER_URL", url)
    get_settings.cache_clear()
    app = create_celery()  # where the crawl sends its new items on to tagging
    monkeypatch.setattr(crawlers.tasks, "app", app)
    yield request.param
    if url:
        import redis

        client = redis.Redis.from_url(url)
        client.delete("nlp", *client.keys("iprwatch:crawl-site:*"))
        client.close()


def _run_together(source_ids: list[str]) -> dict[str, Any]:
    """``crawl_source`` for each source on its own thread, all started at once."""
    results: dict[str, Any] = {}
    start = threading.Barrier(len(source_ids))

    def run(source_id: str) -> None:
        start.wait()
        try:
            results[source_id] = crawl_source(source_id)
        except Exception as exc:
            results[source_id] = exc

    threads = [threading.Thread(target=run, args=(sid,)) for sid in source_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def test_two_sources_of_one_site_due_at_once_are_never_crawled_together(
    broker: str, db: str, sources_dir: Path, new_site: Callable[[], Site]
) -> None:
    shared, other = new_site(), new_site()
    for source_id, site in (("wipo_a", shared), ("wipo_b", shared), ("elsewhere", other)):
        url = site.serve(
            f"/{source_id}/feed.xml", Reply(feed_slice(WIPO, 0, 3), content_type=RSS, delay=1.0)
        )
        write_source(sources_dir, source_id, "feed", [url])

    results = _run_together(["wipo_a", "wipo_b", "elsewhere"])

    assert isinstance(results.pop("elsewhere"), dict), "another site's crawl did not wait"
    crawled = [sid for sid, result in results.items() if isinstance(result, dict)]
    put_off = [sid for sid, result in results.items() if isinstance(result, Retry)]
    assert len(crawled) == 1 and len(put_off) == 1, results
    assert results[crawled[0]]["items_seen"] == 3
    assert [path for path, _, _ in shared.served] == [f"/{crawled[0]}/feed.xml"]

    retried = crawl_source(put_off[0])  # as the retry, once the site is free again
    assert retried["items_seen"] == 3
    (_, _, first_end), (_, second_start, _) = shared.served
    assert second_start >= first_end, "the two crawls of the site overlapped"


# --- crawls by hand (``iprwatch crawl``) ---------------------------------------------------


def _environment(**changes: str) -> dict[str, str]:
    """This test's settings (data folder, database, sources, broker) for a child process."""
    return {**os.environ, **changes}


def _scheduled_crawl(source_id: str, **env: str) -> subprocess.Popen[str]:
    """A process holding ``source_id``'s site as a worker's ``crawl_source`` holds it while
    it crawls, until a line is written to its stdin; it prints ``True`` once it holds it."""
    script = (
        "import sys\n"
        "from crawlers.site_lock import LockHolder, site_lock, source_site\n"
        f"holder = LockHolder.here({source_id!r}, 'schedule')\n"
        f"with site_lock(source_site({source_id!r}), holder) as lock:\n"
        "    print(lock.held, flush=True)\n"
        "    sys.stdin.readline()\n"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script], env=_environment(**env), text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    assert worker.stdout is not None and worker.stdout.readline().strip() == "True"
    return worker


def _crawl_by_hand(source_id: str) -> subprocess.Popen[str]:
    """``iprwatch crawl SOURCE``, as a user runs it."""
    return subprocess.Popen(
        [sys.executable, "-m", "api.cli", "crawl", source_id], env=_environment(), text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _wait_for_request(site: Site, path: str) -> None:
    """Until the site has been asked for ``path`` (its answer may still be coming)."""
    deadline = time.monotonic() + 120
    while not any(key.endswith(path) for key in site.hits):
        assert time.monotonic() < deadline, f"{path} was never asked for"
        time.sleep(0.05)


def _stored_items(source_id: str) -> int:
    with session_scope() as session:
        return len(session.scalars(select(Item.id).where(Item.source_id == source_id)).all())


@pytest.fixture
def one_site(sources_dir: Path, new_site: Callable[[], Site]) -> Site:
    """Two sources, ``wipo_a`` and ``wipo_b``, on one slow site (each answer takes 5 s)."""
    site = new_site()
    for source_id in ("wipo_a", "wipo_b"):
        url = site.serve(
            f"/{source_id}/feed.xml", Reply(feed_slice(WIPO, 0, 3), content_type=RSS, delay=5.0)
        )
        write_source(sources_dir, source_id, "feed", [url])
    return site


def test_crawl_by_hand_while_a_scheduled_crawl_holds_the_site_exits_75_and_stores_nothing(
    broker: str, db: str, one_site: Site, tmp_path: Path
) -> None:
    """``iprwatch crawl`` took no lock: it crawled the site while the scheduled crawl did."""
    # With Redis, the scheduled crawl's worker is another "host": its data folder (where a
    # file lock would be) is not the command's.
    elsewhere = {"IPRWATCH_DATA_DIR": str(tmp_path / "other-host")} if broker == "redis" else {}
    scheduled = _scheduled_crawl("wipo_a", **elsewhere)

    by_hand = _crawl_by_hand("wipo_b")
    _, stderr = by_hand.communicate(timeout=120)
    scheduled.communicate("done\n", timeout=30)

    assert by_hand.returncode == 75, stderr
    message = " ".join(stderr.split())
    assert f"a scheduled crawl of wipo_a ({socket.gethostname()}, pid {scheduled.pid})" in message
    assert " since 20" in message and "Try again later" in message, message
    assert "定时抓取" in message and "请稍后重试" in message, message
    assert one_site.served == [] and _stored_items("wipo_b") == 0

    again = _crawl_by_hand("wipo_b")  # once the site is free, the same command works
    stdout, stderr = again.communicate(timeout=120)
    assert again.returncode == 0, stderr
    assert len(stdout.splitlines()) == 3 and _stored_items("wipo_b") == 3


def test_a_crawl_by_hand_holds_the_site_against_scheduled_crawls(
    broker: str, db: str, one_site: Site
) -> None:
    by_hand = _crawl_by_hand("wipo_a")
    _wait_for_request(one_site, "/wipo_a/feed.xml")

    with pytest.raises(Retry):  # put off while the command's crawl runs
        crawl_source("wipo_b")

    _, stderr = by_hand.communicate(timeout=120)
    assert by_hand.returncode == 0, stderr
    assert [path for path, _, _ in one_site.served] == ["/wipo_a/feed.xml"]
    assert _stored_items("wipo_a") == 3 and _stored_items("wipo_b") == 0


# --- crawl cycles (``crawlers.cycle``) ------------------------------------------------------


def test_a_crawl_cycle_leaves_a_busy_site_alone_and_crawls_the_other_sources(
    broker: str, db: str, sources_dir: Path, new_site: Callable[[], Site], tmp_path: Path
) -> None:
    """The cycle took no lock: it crawled a site a scheduled crawl held. Now the source whose
    site is held is not crawled at all and is reported busy, with who holds it, and not as
    unhealthy; the cycle's other source is crawled as ever, and so is the busy one once the
    site is free."""
    shared, other = new_site(), new_site()
    for source_id, site in (("wipo_a", shared), ("wipo_b", shared), ("elsewhere", other)):
        url = site.serve(f"/{source_id}/feed.xml", Reply(feed_slice(WIPO, 0, 3), content_type=RSS))
        write_source(sources_dir, source_id, "feed", [url])
    elsewhere = {"IPRWATCH_DATA_DIR": str(tmp_path / "other-host")} if broker == "redis" else {}
    scheduled = _scheduled_crawl("wipo_b", **elsewhere)  # holds www.wipo.int, as it were
    try:
        report = crawl_cycle(["wipo_a", "elsewhere"], database_url=db)
    finally:
        scheduled.communicate("done\n", timeout=30)

    assert not shared.hits and _stored_items("wipo_a") == 0, "the held site was not asked"
    busy = report.run_of("wipo_a")
    assert busy.busy and report.busy == {"wipo_a": busy.holder}
    assert busy.holder is not None
    assert (busy.holder.source, busy.holder.started_by) == ("wipo_b", "schedule")
    assert (busy.holder.host, busy.holder.pid) == (socket.gethostname(), scheduled.pid)
    assert (busy.items_seen, busy.new, busy.changed) == (0, 0, 0)
    assert report.unhealthy == {}, "busy is not unhealthy"
    with session_scope() as session:
        assert session.scalars(select(CrawlRun).where(CrawlRun.source_id == "wipo_a")).all() == []
        source = session.get(Source, "wipo_a")
        assert source is None or source.healthy is None
    crawled = report.run_of("elsewhere")
    assert not crawled.busy and crawled.healthy is True
    assert (crawled.items_seen, crawled.new) == (3, 3) and _stored_items("elsewhere") == 3

    again = crawl_cycle(["wipo_a"], database_url=db)  # the site free again
    assert again.busy == {} and again.unhealthy == {}
    assert again.run_of("wipo_a").new == 3 and _stored_items("wipo_a") == 3


def test_a_crawl_cycle_holds_its_sites_against_a_crawl_by_hand(
    broker: str, db: str, one_site: Site
) -> None:
    """While a cycle crawls a site, ``iprwatch crawl`` of another source of it exits 75 and
    names the cycle's crawl, in English and Chinese."""
    reports: list[CycleReport] = []
    cycle = threading.Thread(
        target=lambda: reports.append(crawl_cycle(["wipo_a"], database_url=db))
    )
    cycle.start()
    try:
        _wait_for_request(one_site, "/wipo_a/feed.xml")
        by_hand = _crawl_by_hand("wipo_b")
        _, stderr = by_hand.communicate(timeout=120)
    finally:
        cycle.join(timeout=120)

    assert by_hand.returncode == 75, stderr
    message = " ".join(stderr.split())
    assert f"a crawl cycle's crawl of wipo_a ({socket.gethostname()}, pid {os.getpid()})" in message
    assert "wipo_a 的批量抓取" in message, message
    [report] = reports
    assert report.busy == {} and report.run_of("wipo_a").new == 3
    assert _stored_items("wipo_b") == 0


# --- the Redis lease ------------------------------------------------------------------------


def test_a_redis_site_lock_is_kept_past_its_lease_while_its_crawl_runs(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lease was never renewed: a crawl running longer than it lost the site to another."""
    url = require_service("IPRWATCH_TEST_REDIS_URL", "Redis")
    monkeypatch.setenv("IPRWATCH_BROKER_URL", url)
    monkeypatch.setattr(crawlers.site_lock, "LEASE_SECONDS", 1.5)
    get_settings.cache_clear()
    site = f"lease-{uuid.uuid4().hex[:8]}.example:443"
    first = LockHolder.here("wipo_a", "schedule")
    with site_lock(site, first) as lock:
        assert lock.held
        time.sleep(4)  # well past the lease
        with site_lock(site, LockHolder.here("wipo_b", "hand")) as second:
            assert not second.held
            assert second.holder == first
    with site_lock(site, LockHolder.here("wipo_b", "hand")) as after:
        assert after.held  # released at the end of the crawl


def test_a_redis_site_lock_of_a_killed_worker_runs_out(
    db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = require_service("IPRWATCH_TEST_REDIS_URL", "Redis")
    monkeypatch.setenv("IPRWATCH_BROKER_URL", url)
    get_settings.cache_clear()
    site = f"killed-{uuid.uuid4().hex[:8]}.example:443"
    script = (
        "import sys, time, crawlers.site_lock as s\n"
        "s.LEASE_SECONDS = 2.0\n"
        f"with s.site_lock({site!r}, s.LockHolder.here('wipo_a', 'schedule')) as lock:\n"
        "    print(lock.held, flush=True)\n"
        "    time.sleep(600)\n"
    )
    worker = subprocess.Popen(
        [sys.executable, "-c", script], env=_environment(), text=True, stdout=subprocess.PIPE
    )
    assert worker.stdout is not None and worker.stdout.readline().strip() == "True"
    with site_lock(site, LockHolder.here("wipo_b", "hand")) as lock:
        assert not lock.held and lock.holder is not None and lock.holder.pid == worker.pid
    worker.kill()
    worker.wait(timeout=10)
    time.sleep(3)  # past the lease its renewals kept up
    with site_lock(site, LockHolder.here("wipo_b", "hand")) as lock:
        assert lock.held
