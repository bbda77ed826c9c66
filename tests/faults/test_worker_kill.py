"""Kill -9 of a Celery worker in the middle of a batch, three times: no item is lost and no
alert is delivered twice.

A real worker (solo pool, every queue) takes a stored batch of Section 337 notices through
tagging, indexing, rule evaluation and instant webhook delivery. The test SIGKILLs it while
it works, restarts it, and does so three times; then it plays beat's part (``deliver_due``
every few seconds, as beat does every minute) until the database says nothing is left.

What makes this hold: every stage is idempotent and the database is the system of record.
A restarted worker first sends ``core.catch_up`` (items untagged, unindexed or unevaluated go
round again; the serverless broker never redelivers a message a killed worker had taken, and
Redis only after its visibility timeout) and ``warning.deliver_due``. A delivery is claimed
before sending, under a lease; a claim left by a killed worker is taken again once the lease
runs out (2 s here, ``IPRWATCH_DELIVERY_LEASE_SECONDS``), and the stable
``X-IPRWatch-Delivery`` id lets the receiver drop the one repeat a kill between sending and
marking sent can cause.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from api.runtime import start_worker, stop_worker
from core.celery_app import create_celery
from core.settings import get_settings
from tests.conftest import require_service
from tests.faults._pipeline_kit import (
    ITC_RULE,
    WebhookLog,
    alert_keys,
    battery_notices,
    delivery_counts,
    save_test_profiles,
    state,
    store_batch,
    subscribe,
    wait_for,
)

ITEMS = 160
CHUNK = 4  # items per tag_items task, as a crawl sends a source's new items
KILLS = 3
REDIS_DB = "/12"  # not the database other suites flush


@pytest.fixture(params=["serverless", "redis"])
def broker(request: pytest.FixtureRequest, db: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The embedded SQLite broker, or Redis (its own database, emptied)."""
    if request.param == "redis":
        import redis

        base = require_service("IPRWATCH_TEST_REDIS_URL", "Redis")
        url = urlunsplit(urlsplit(base)._replace(path=REDIS_DB))
        redis.Redis.from_url(url).flushdb()
        monkeypatch.setenv("IPRWATCH_BROKER_URL", url)
    monkeypatch.setenv("IPRWATCH_WEBHOOK_ALLOW_LOOPBACK", "1")
    monkeypatch.setenv("IPRWATCH_DELIVERY_LEASE_SECONDS", "2")
    get_settings.cache_clear()
    return str(request.param)


@pytest.fixture
def webhook() -> Iterator[WebhookLog]:
    log = WebhookLog()
    log.start()
    yield log
    log.stop()


def _progress(webhook: WebhookLog) -> int:
    s = state()
    return (s.items - s.untagged) + (s.items - s.unevaluated) + len(webhook.posts)


def _kill_mid_batch(
    worker: subprocess.Popen[bytes], webhook: WebhookLog, at: int, rng: random.Random
) -> int:
    """Wait until the work done passes ``at``, then SIGKILL the worker a random moment later;
    returns the progress at the kill."""

    def check() -> None:
        assert worker.poll() is None, "the worker exited by itself"

    wait_for(lambda: _progress(webhook) >= at, 180, f"progress {at}", check, 0.05)
    time.sleep(rng.uniform(0.0, 0.5))
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)
    return _progress(webhook)


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_no_item_lost_and_no_alert_delivered_twice_when_a_worker_is_killed_mid_batch(
    broker: str, webhook: WebhookLog
) -> None:
    save_test_profiles()
    subscribe(webhook)
    ids = store_batch(battery_notices(ITEMS))
    sender = create_celery()
    for start in range(0, len(ids), CHUNK):
        sender.send_task("tagger.tag_items", args=[ids[start : start + CHUNK]])
    rng = random.Random(9)
    kills_at = []
    worker = start_worker()
    try:
        total = 3 * ITEMS  # tagged + evaluated + at least one POST per item
        for n in range(1, KILLS + 1):  # in tagging, evaluation and delivery
            kills_at.append(_kill_mid_batch(worker, webhook, n * total // (KILLS + 1), rng))
            worker = start_worker()
        assert kills_at[-1] < total, f"the batch finished before the last kill ({kills_at})"

        def settled() -> bool:
            counts = delivery_counts()
            if state().settled and counts and set(counts) == {"sent"}:
                return True
            sender.send_task("warning.deliver_due")  # beat's part
            return False

        def check() -> None:
            assert worker.poll() is None, "the worker exited by itself"

        wait_for(settled, 300, "the pipeline to settle after the kills", check, every=2.0)
    finally:
        sender.close()
        stop_worker(worker)

    final = state()
    assert final.items == ITEMS and final.settled, final  # tagged, indexed, evaluated
    keys = alert_keys()
    assert len(keys) == len(set(keys))
    assert {item for item, ent, rule in keys if rule == ITC_RULE and ent == "wuxi-battery"} == set(
        ids
    )
    carried = webhook.deliveries_by_alert()
    stored_battery_alerts = sum(1 for _, ent, _ in keys if ent == "wuxi-battery")
    assert len(carried) == stored_battery_alerts  # every alert arrived
    twice = {alert: d for alert, d in carried.items() if len(d) > 1}
    assert not twice, f"alerts delivered under more than one delivery id: {twice}"
    print(
        f"{broker}: kills at progress {kills_at}; {len(webhook.hook_posts())} POSTs for "
        f"{len(carried)} alerts ({webhook.repeats()} repeated delivery ids dropped)"
    )
