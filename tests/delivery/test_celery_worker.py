"""A real Celery worker on Redis delivers a new alert to a local webhook, signed, once."""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from api.runtime import start_worker, stop_worker
from core.celery_app import create_celery
from core.db import session_scope
from core.models import Subscription
from core.settings import get_settings
from tests.conftest import require_service
from tests.delivery.conftest import Receiver, make_alerts
from warning.delivery import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature
from warning.subscriptions import SubscriptionSpec, create_subscription

REDIS_DB = "/11"  # not the database other suites flush


def _redis_url() -> str:
    import redis

    base = require_service("IPRWATCH_TEST_REDIS_URL", "Redis")
    url = urlunsplit(urlsplit(base)._replace(path=REDIS_DB))
    redis.Redis.from_url(url).flushdb()
    return url


@pytest.mark.slow
@pytest.mark.timeout(180)
@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_celery_worker_on_redis_delivers_a_new_alert_once(
    data_dir: Path, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IPRWATCH_BROKER_URL", _redis_url())
    get_settings.cache_clear()
    spec = SubscriptionSpec(
        name="instant",
        enterprise_id="wuxi-battery",
        channels=[receiver.url()],
        owner_contact=receiver.url("/owner"),
        language="en",
    )
    with session_scope() as session:
        sub_id = create_subscription(session, spec).row.id
    alert_ids = make_alerts(2)
    worker = start_worker()
    sender = create_celery()
    try:
        sender.send_task("warning.deliver_new_alerts", args=[alert_ids])
        sender.send_task("warning.deliver_new_alerts", args=[alert_ids])  # a duplicate
        deadline = time.monotonic() + 120
        while len(receiver.requests) < 2 and time.monotonic() < deadline:
            assert worker.poll() is None, "the worker exited"
            time.sleep(0.2)
        time.sleep(2)  # room for a wrong second delivery to arrive
    finally:
        sender.close()
        stop_worker(worker)
    assert len(receiver.requests) == 2
    with session_scope() as session:
        sub = session.get(Subscription, sub_id)
        assert sub is not None
        secret = sub.signing_secret
    delivered = set()
    for request in receiver.requests:
        timestamp = int(request.headers[TIMESTAMP_HEADER])
        assert verify_signature(secret, timestamp, request.body, request.headers[SIGNATURE_HEADER])
        delivered |= {a["id"] for a in json.loads(request.body)["alerts"]}
    assert delivered == set(alert_ids)
