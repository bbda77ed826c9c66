"""A webhook receiver down for a while: retries back off, and every alert arrives once it is
back; a receiver that never comes back ends failed, and the subscription's owner is told.

Real time, a real Celery worker (serverless broker), and the retry schedule shrunk through
settings (base 1 s, doubling, cap 8 s, 36 s in all instead of 60 s … 6 h over 48 h). The
simulated-clock test of the full 48-hour schedule is
``tests/delivery/test_delivery_flow.py::test_failures_back_off_for_about_48_hours_then_fail_and_tell_the_owner``
(HTTP 503 answers); here the receiver refuses connections.
"""

from __future__ import annotations

import time
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select

from api.runtime import start_worker, stop_worker
from core.celery_app import create_celery
from core.db import session_scope
from core.models import Delivery
from core.settings import get_settings
from tests.faults._pipeline_kit import (
    WebhookLog,
    battery_notices,
    free_port,
    save_test_profiles,
    store_batch,
    wait_for,
)
from warning.delivery import channel_key
from warning.subscriptions import SubscriptionSpec, create_subscription

ITEMS = 3
DOWN_FOR = 10.0  # from the first attempt: tries at about 0, 1, 3 and 7 s


@pytest.fixture
def fast_retries(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IPRWATCH_WEBHOOK_ALLOW_LOOPBACK", "1")
    monkeypatch.setenv("IPRWATCH_DELIVERY_BACKOFF_BASE_SECONDS", "1")
    monkeypatch.setenv("IPRWATCH_DELIVERY_BACKOFF_CAP_SECONDS", "8")
    monkeypatch.setenv("IPRWATCH_DELIVERY_RETRY_HOURS", "0.01")  # 36 s
    monkeypatch.setenv("IPRWATCH_DELIVERY_TIMEOUT_SECONDS", "3")
    get_settings.cache_clear()


def _subscribe(name: str, channel: str, owner: str) -> None:
    spec = SubscriptionSpec(
        name=name, enterprise_id="wuxi-battery", channels=[channel], owner_contact=owner,
        language="zh",
    )  # fmt: skip
    with session_scope() as session:
        create_subscription(session, spec)


def _attempts(channel: str) -> dict[int, tuple[int, str]]:
    with session_scope() as session:
        rows = session.scalars(select(Delivery).where(Delivery.channel == channel_key(channel)))
        return {row.alert_id: (row.attempts, row.status) for row in rows}


def _scheduled_waits(channel: str) -> dict[int, tuple[int, float]]:
    """Per alert: the attempts made and the wait the last failure scheduled (seconds)."""
    with session_scope() as session:
        rows = session.scalars(select(Delivery).where(Delivery.channel == channel_key(channel)))
        return {
            row.alert_id: (row.attempts, (row.next_attempt_at - row.claimed_at).total_seconds())
            for row in rows
            if row.status == "pending" and row.next_attempt_at and row.claimed_at
        }


@pytest.mark.slow
@pytest.mark.timeout(300)
@pytest.mark.usefixtures("fast_retries")
def test_alerts_arrive_after_the_receiver_returns_and_the_owner_hears_of_one_that_never_does(
    data_dir: Path,
) -> None:
    save_test_profiles()
    receiver = WebhookLog()  # not started: connections are refused
    dead = f"webhook://127.0.0.1:{free_port()}/never"
    _subscribe("即时预警", receiver.url(), receiver.url("/owner"))
    _subscribe("从不恢复", dead, receiver.url("/owner"))
    sender = create_celery()
    ids = store_batch(battery_notices(ITEMS, prefix="down"))
    worker = start_worker()
    seen_at: dict[int, list[tuple[int, float]]] = defaultdict(list)  # alert: (attempt, wait)

    def alive() -> None:
        assert worker.poll() is None, "the worker exited"

    try:
        sender.send_task("tagger.tag_items", args=[ids])
        first: float | None = None
        while first is None or time.monotonic() - first < DOWN_FOR:  # watch it retry
            for alert_id, (attempts, wait) in _scheduled_waits(receiver.url()).items():
                if not seen_at[alert_id] or seen_at[alert_id][-1][0] < attempts:
                    seen_at[alert_id].append((attempts, wait))
                    first = first or time.monotonic()
            alive()
            time.sleep(0.05)
        receiver.start()
        back_at = time.monotonic()
        wait_for(
            lambda: {s for _, s in _attempts(receiver.url()).values()} == {"sent"}
            and {s for _, s in _attempts(dead).values()} == {"failed"},
            120, "every alert sent, or failed for good on the dead channel", alive,
        )  # fmt: skip
    finally:
        sender.close()
        stop_worker(worker)
        receiver.stop()

    sent = _attempts(receiver.url())
    assert sent and all(attempts >= 4 for attempts, _ in sent.values())  # it did retry
    assert seen_at, "no failed attempt was seen while the receiver was down"
    for alert_id, waits in seen_at.items():  # about 1, 2, 4, 8 s: doubling, ±10 % jitter
        gaps = [wait for _, wait in waits]
        assert len(gaps) >= 3 and 0.85 < gaps[0] < 1.15, (alert_id, waits)
        assert all(1.6 < later / earlier < 2.5 for earlier, later in pairwise(gaps)), waits
    carried = receiver.deliveries_by_alert()
    assert set(carried) == set(sent) and all(len(d) == 1 for d in carried.values())
    failed = _attempts(dead)
    assert set(failed) == set(sent)
    assert all(attempts == 8 for attempts, _ in failed.values())  # 1 + 7 retries in 36 s
    notices = [p for p in receiver.posts if p[1] == "/owner"]
    assert len(notices) == len(failed)  # one notice per failed delivery, none twice
    last = max(when for when, *_ in receiver.hook_posts()) - back_at
    print(f"scheduled waits {[round(g, 1) for g in gaps]} s; all {len(sent)} alerts arrived "
          f"within {last:.1f} s of the receiver's return; {len(notices)} owner notices")  # fmt: skip
