"""A subscription paused or deleted while one of its deliveries is in a sender's hands, at an
address another subscription also names: the alert reaches that address once, and a send
that fails is retried by the other subscription with its attempts kept. On SQLite and on
PostgreSQL, with a receiver that holds the request open while the subscription stops."""

from __future__ import annotations

import json
import multiprocessing
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from api.app import create_app
from core.db import session_scope
from core.models import utcnow
from tests.credentials import admin_headers
from tests.delivery.conftest import PROFILES, Receiver, deliveries, make_alerts, subscribe
from warning.delivery import DELIVERY_HEADER
from warning.delivery_claim import lease
from warning.delivery_queue import aware, queue_deliveries
from warning.delivery_store import Outcome, deliver_alert, deliver_pending, send_digests
from warning.profiles import parse_profiles
from warning.store import save_profiles


@pytest.fixture(params=["sqlite", "postgresql"])
def profiles(request: pytest.FixtureRequest) -> list[str]:
    """The profiles, on SQLite and on PostgreSQL."""
    request.getfixturevalue("db" if request.param == "sqlite" else "postgres_url")
    with session_scope() as session:
        return save_profiles(session, parse_profiles(PROFILES))


def _stop(api: TestClient, subscription_id: int, how: str) -> None:
    """Pause or delete the subscription through the API, as its owner would."""
    path = f"/api/v1/subscriptions/{subscription_id}"
    if how == "pause":
        assert api.patch(path, json={"active": False}).status_code == 200
    else:
        assert api.delete(path).status_code == 204


def _stopped_while_in_flight(
    receiver: Receiver, api: TestClient, send: Callable[[], Outcome], leaving: int, how: str
) -> Outcome:
    """Run ``send`` in another thread; while the receiver holds its request open, pause or
    delete ``leaving``; then let the request finish. The sender's outcome."""
    receiver.arrived.clear()
    receiver.hold = True
    with ThreadPoolExecutor(max_workers=1) as pool:
        sending = pool.submit(send)
        assert receiver.arrived.wait(timeout=30), "the send reached the receiver"
        try:
            _stop(api, leaving, how)
        finally:
            receiver.hold = False
            receiver.release.set()
        return sending.result(timeout=60)


def _queued_alone() -> tuple[int, str]:
    """Raise one alert and queue it; its (alert id, channel)."""
    make_alerts(1)
    with session_scope() as session:
        [(alert_id, channel)] = queue_deliveries(session)
    return alert_id, channel


def _sent_by_a_sender_that_died(receiver: Receiver, alert_id: int, channel: str) -> datetime:
    """One failed try an hour ago, then a retry by a worker killed after its message reached
    the receiver, before it recorded the send: the row is left claimed, its lease long run
    out. The time of that retry (the claim)."""
    receiver.statuses = [503]
    first_try = utcnow() - timedelta(hours=1)
    assert deliver_alert(alert_id, channel, first_try).status == "retry"
    [row] = deliveries()
    second_try = aware(row.next_attempt_at)
    assert second_try is not None
    receiver.arrived.clear()
    receiver.hold = True
    worker = multiprocessing.get_context("spawn").Process(
        target=deliver_alert, args=(alert_id, channel, second_try)
    )
    worker.start()
    try:
        assert receiver.arrived.wait(timeout=60), "the worker's message went out"
    finally:
        worker.kill()  # it dies before recording the send
        worker.join(timeout=30)
        receiver.hold = False
        receiver.release.set()
    return second_try


@pytest.mark.parametrize("how", ["pause", "delete"])
@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_send_in_flight_when_its_subscription_stops_is_the_one_delivery_there(
    receiver: Receiver, how: str
) -> None:
    shared = receiver.url("/shared")
    leaving = subscribe([shared], name="at once")
    heir = subscribe([shared], "daily", name="daily")
    alert_id, channel = _queued_alone()  # by the instant one, the soonest
    api = TestClient(create_app(), headers=admin_headers())
    send = lambda: deliver_alert(alert_id, channel)  # noqa: E731
    assert _stopped_while_in_flight(receiver, api, send, leaving, how).status == "sent"
    with session_scope() as session:
        queue_deliveries(session)  # the sweep does not queue it for the other one
    assert deliver_pending() == [] and send_digests("daily") == []
    assert len(receiver.requests) == 1, "the address got the alert once"
    assert api.get(f"/api/v1/subscriptions/{heir}").json()["deliveries"] == {"sent": 1}
    [row] = deliveries()
    assert (row.subscription_id, row.status, row.attempts) == (heir, "sent", 1)


@pytest.mark.parametrize("how", ["pause", "delete"])
@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_send_in_flight_that_fails_when_its_subscription_stops_is_retried_by_the_other(
    receiver: Receiver, how: str
) -> None:
    shared = receiver.url("/shared")
    leaving = subscribe([shared], name="at once")
    heir = subscribe([shared], "daily", name="daily")
    alert_id, channel = _queued_alone()
    receiver.statuses = [503, 503]
    assert deliver_alert(alert_id, channel).status == "retry"  # one failed try before
    [row] = deliveries()
    second_try = aware(row.next_attempt_at)
    assert second_try is not None
    api = TestClient(create_app(), headers=admin_headers())
    send = lambda: deliver_alert(alert_id, channel, second_try)  # noqa: E731
    assert _stopped_while_in_flight(receiver, api, send, leaving, how).status == "retry"
    [row] = deliveries()
    assert (row.subscription_id, row.mode, row.status) == (heir, "daily", "pending")
    assert row.attempts == 2, "its attempts are kept"
    assert "503" in (row.last_error or "")
    third_try = aware(row.next_attempt_at)
    assert third_try is not None and third_try > second_try
    assert deliver_pending(third_try - timedelta(seconds=1)) == [], "not before its backoff"
    [outcome] = deliver_pending(third_try)
    assert (outcome.status, outcome.deliveries) == ("sent", 1)
    digest = json.loads(receiver.requests[-1].body)
    assert digest["type"] == "digest", "in the other subscription's cadence"
    assert [a["id"] for g in digest["groups"] for a in g["alerts"]] == [alert_id]
    with session_scope() as session:
        queue_deliveries(session)
    later = third_try + timedelta(days=1)
    assert deliver_pending(later) == [] and send_digests("daily", later) == []
    assert len(receiver.requests) == 3, "two failed tries and one delivery, no more"
    [row] = deliveries()
    assert (row.subscription_id, row.status, row.attempts) == (heir, "sent", 3)


@pytest.mark.parametrize("how", ["pause", "delete"])
@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_delivery_whose_sender_died_is_handed_over_as_a_failed_try_and_its_repeat_can_be_dropped(
    receiver: Receiver, how: str
) -> None:
    """A worker killed after its message went out, before it recorded it: the subscription
    that takes the row over sends it again under the same delivery id (receivers drop the
    repeat), with the attempts made so far and the last error."""
    shared = receiver.url("/shared")
    leaving = subscribe([shared], name="at once")
    heir = subscribe([shared], name="at once too")
    alert_id, channel = _queued_alone()
    second_try = _sent_by_a_sender_that_died(receiver, alert_id, channel)
    [dead] = deliveries()
    assert (dead.status, dead.attempts) == ("sending", 2)
    api = TestClient(create_app(), headers=admin_headers())
    _stop(api, leaving, how)  # an hour later: the lease ran out long ago
    [taken] = deliveries()
    assert (taken.id, taken.subscription_id, taken.status) == (dead.id, heir, "pending")
    assert taken.attempts == 2 and "503" in (taken.last_error or "")
    assert aware(taken.next_attempt_at) == second_try + lease(), "due when the lease ran out"
    [outcome] = deliver_pending()
    assert outcome.status == "sent"
    with session_scope() as session:
        queue_deliveries(session)
    assert deliver_pending() == []
    _failed, died, again = receiver.requests
    assert again.headers[DELIVERY_HEADER] == died.headers[DELIVERY_HEADER], "a repeat to drop"
    assert json.loads(again.body)["alerts"][0]["id"] == alert_id
    [row] = deliveries()
    assert (row.subscription_id, row.status, row.attempts) == (heir, "sent", 3)


@pytest.mark.parametrize(("how", "status"), [("pause", "withdrawn"), ("delete", "skipped")])
@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_send_in_flight_that_fails_at_an_address_of_its_own_is_not_retried_after_it_stops(
    receiver: Receiver, how: str, status: str
) -> None:
    """Nobody else names the address: a paused subscription's failed send is withdrawn (not
    sent late on resuming), a deleted one's goes with it (and the sender does not crash)."""
    leaving = subscribe([receiver.url("/own")], name="at once")
    alert_id, channel = _queued_alone()
    receiver.statuses = [503]
    api = TestClient(create_app(), headers=admin_headers())
    send = lambda: deliver_alert(alert_id, channel)  # noqa: E731
    assert _stopped_while_in_flight(receiver, api, send, leaving, how).status == status
    if how == "pause":
        resumed = api.patch(f"/api/v1/subscriptions/{leaving}", json={"active": True})
        assert resumed.status_code == 200
        [row] = deliveries()
        assert (row.status, row.last_error) == ("withdrawn", "subscription paused")
    else:
        assert deliveries() == []
    later = utcnow() + timedelta(days=1)
    assert deliver_pending(later) == [] and send_digests("daily", later) == []
    assert len(receiver.requests) == 1, "the failed send is not tried again"


@pytest.mark.parametrize("how", ["pause", "delete"])
@pytest.mark.usefixtures("allow_loopback")
def test_a_sender_presumed_dead_that_records_its_send_during_the_handover_is_not_sent_again(
    receiver: Receiver, postgres_url: str, how: str
) -> None:
    """The worker whose lease ran out was only slow: it records its send while the
    subscription is being paused or deleted. The handover waits for that record and leaves
    the row sent; before, it turned the row back to waiting and the other subscription sent
    the alert a second time. PostgreSQL only: SQLite lets one writer in at a time."""
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILES))
    shared = receiver.url("/shared")
    leaving = subscribe([shared], name="at once")
    subscribe([shared], name="at once too")
    alert_id, channel = _queued_alone()
    _sent_by_a_sender_that_died(receiver, alert_id, channel)
    [claimed] = deliveries()
    api = TestClient(create_app(), headers=admin_headers())
    engine = create_engine(postgres_url)
    try:
        with engine.connect() as slow_sender, ThreadPoolExecutor(max_workers=1) as pool:
            recording = slow_sender.begin()  # the slow sender's "sent", not committed yet
            slow_sender.execute(
                text("UPDATE deliveries SET status = 'sent', sent_at = now() WHERE id = :id"),
                {"id": claimed.id},
            )
            stopping = pool.submit(_stop, api, leaving, how)
            _wait_until_blocked_on_a_lock(engine)
            recording.commit()
            stopping.result(timeout=60)
    finally:
        engine.dispose()
    [row] = deliveries()
    assert row.status == "sent", "the handover read the send the slow sender recorded"
    later = utcnow() + timedelta(days=1)
    with session_scope() as session:
        queue_deliveries(session)
    assert deliver_pending(later) == [] and send_digests("daily", later) == []
    assert len(receiver.requests) == 2, "the failed try and the slow sender's message, no more"


def _wait_until_blocked_on_a_lock(engine: Engine) -> None:
    """Until a session of the database waits for a row lock (the handover, waiting for the
    slow sender's transaction)."""
    deadline = time.monotonic() + 30
    with engine.connect() as watcher:
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
            ).scalar_one()
            if waiting:
                return
            watcher.rollback()
            time.sleep(0.02)
    raise AssertionError("the pause or deletion never reached the slow sender's row")
