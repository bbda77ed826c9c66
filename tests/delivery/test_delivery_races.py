"""What changes between a delivery's claim and its send, and while a subscription is paused:
nothing decided, paused or deleted goes out, and what a user is shown names no subscription
they cannot see. On SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest
import structlog
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.auth import SCOPES, assign_enterprise, create_api_key, create_org
from core.db import session_scope
from core.models import Delivery, Item, Subscription, utcnow
from tests.credentials import admin_headers
from tests.delivery.conftest import PROFILES, Mailbox, Receiver, deliveries, make_alerts, subscribe
from warning.delivery_pause import pause_subscription
from warning.delivery_queue import aware, queue_deliveries
from warning.delivery_store import (
    claim,
    deliver_pending,
    retry_schedule,
    send_claimed,
    send_digests,
)
from warning.profiles import parse_profiles
from warning.store import change_alert_status, save_profiles
from warning.subscription_removal import remove_subscription


@pytest.fixture(params=["sqlite", "postgresql"])
def profiles(request: pytest.FixtureRequest) -> list[str]:
    """The profiles, on SQLite and on PostgreSQL."""
    request.getfixturevalue("db" if request.param == "sqlite" else "postgres_url")
    with session_scope() as session:
        return save_profiles(session, parse_profiles(PROFILES))


def _claim_all(frequency: str = "instant") -> tuple[list[int], datetime]:
    """Queue the alerts and claim their rows as a sender does; the ids and the claim time."""
    with session_scope() as session:
        queue_deliveries(session)
    now = utcnow()
    with session_scope() as session:
        ids = [d.id for d in deliveries() if d.mode == frequency]
        assert claim(session, ids, now) == ids
    return ids, now


@pytest.mark.parametrize(("action", "reason"), [("dismiss", "not_relevant"), ("resolve", None)])
@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_an_alert_decided_between_claim_and_send_is_withdrawn_not_sent(
    receiver: Receiver, action: str, reason: str | None
) -> None:
    sub_id = subscribe([receiver.url()])
    [alert_id] = make_alerts(1)
    ids, claimed_at = _claim_all()
    with session_scope() as session:  # a user decides it while the sender holds the claim
        change_alert_status(session, alert_id, action, "", reason, "li")
    outcome = send_claimed(ids, claimed_at)
    assert outcome.status == "withdrawn"
    assert receiver.requests == [], "the decided alert never reached the webhook"
    [row] = deliveries()
    assert row.status == "withdrawn" and row.sent_at is None
    assert "dismissed or resolved" in (row.last_error or "")
    assert deliver_pending() == [] and receiver.requests == []
    api = TestClient(create_app(), headers=admin_headers())
    assert api.get(f"/api/v1/subscriptions/{sub_id}").json()["deliveries"] == {"withdrawn": 1}


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_digest_leaves_out_an_alert_dismissed_between_claim_and_send(
    receiver: Receiver,
) -> None:
    subscribe([receiver.url()], "daily", name="电池摘要")
    dismissed, kept = make_alerts(2)
    ids, claimed_at = _claim_all("daily")
    with session_scope() as session:
        change_alert_status(session, dismissed, "dismiss", "", "not_us", "li")
    assert send_claimed(ids, claimed_at).status == "sent"
    [request] = receiver.requests
    digest = json.loads(request.body)
    assert digest["total"] == 1
    assert [a["id"] for g in digest["groups"] for a in g["alerts"]] == [kept]
    assert {d.alert_id: d.status for d in deliveries()} == {
        dismissed: "withdrawn",
        kept: "sent",
    }


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_subscription_paused_between_claim_and_send_sends_nothing(receiver: Receiver) -> None:
    sub_id = subscribe([receiver.url()])
    make_alerts(1)
    ids, claimed_at = _claim_all()
    api = TestClient(create_app(), headers=admin_headers())
    assert api.patch(f"/api/v1/subscriptions/{sub_id}", json={"active": False}).status_code == 200
    outcome = send_claimed(ids, claimed_at)
    assert outcome.status == "withdrawn" and outcome.reason == "subscription paused"
    assert receiver.requests == []
    assert [d.last_error for d in deliveries()] == ["subscription paused"]


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_subscription_deleted_between_claim_and_send_sends_nothing(receiver: Receiver) -> None:
    sub_id = subscribe([receiver.url()])
    make_alerts(1)
    ids, claimed_at = _claim_all()
    with session_scope() as session:
        assert remove_subscription(session, sub_id)
    outcome = send_claimed(ids, claimed_at)
    assert outcome.status == "skipped" and outcome.reason == "deleted meanwhile"
    assert receiver.requests == [], "a deleted subscription's address gets nothing more"


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_pausing_hands_what_waits_at_a_shared_address_to_the_other_subscription(
    receiver: Receiver,
) -> None:
    shared, own = receiver.url("/shared"), receiver.url("/own")
    instant = subscribe([shared, own], name="at once")
    daily = subscribe([shared], "daily", name="daily")
    alert_ids = make_alerts(2)
    with session_scope() as session:
        queue_deliveries(session)  # queued under the instant one; not sent yet
        row = session.get_one(Subscription, instant)
        result = pause_subscription(session, row)
    assert (result.taken_over, result.withdrawn) == (2, 2)
    assert deliver_pending() == [], "nothing goes to the paused subscription's own address"
    [outcome] = send_digests("daily")
    assert outcome.status == "sent" and outcome.deliveries == 2
    [request] = receiver.requests
    assert request.path == "/shared"
    digest = json.loads(request.body)
    assert sorted(a["id"] for g in digest["groups"] for a in g["alerts"]) == sorted(alert_ids)
    by_sub = {(d.subscription_id, d.status) for d in deliveries()}
    assert by_sub == {(daily, "sent"), (instant, "withdrawn")}


def _retry_until(start: datetime, until: datetime | None = None) -> tuple[str, datetime]:
    """Send what is due at ``start``, then at each retry time, until a delivery ends or the
    next retry falls at or after ``until``; the last status and the time of the last try."""
    now, status = start, deliver_pending(start)[0].status
    while status == "retry":
        [row] = deliveries()
        next_try = aware(row.next_attempt_at)
        assert next_try is not None
        if until is not None and next_try >= until:
            break
        now, status = next_try, deliver_pending(next_try)[0].status
    return status, now


def _failing_for_40_hours(
    receiver: Receiver, smtp_server: Mailbox
) -> tuple[int, int, datetime, datetime, Delivery]:
    """Two instant subscriptions at one address that answers 503 for good; the first has
    retried its alert for 40 hours. Its id, the other's, the first try, the last, its row."""
    receiver.always = 503
    owner = smtp_server.url("owner@example.com")
    first = subscribe([receiver.url()], name="at once", owner=owner)
    heir = subscribe([receiver.url()], name="at once too", owner=owner)
    make_alerts(1)
    start = utcnow()
    status, last_try = _retry_until(start, until=start + timedelta(hours=40))
    [before] = deliveries()
    assert status == "retry" and before.subscription_id == first and before.attempts > 5
    return first, heir, start, last_try, before


def _given_up_48_hours_after(
    start: datetime, last_try: datetime, taken: Delivery, receiver: Receiver, smtp_server: Mailbox
) -> datetime:
    """Retry the taken-over row until it ends: it waits for its own retry time, then fails
    44-56 hours after ``start`` with the full schedule spent and the owner told once. When."""
    assert deliver_pending(last_try) == [], "the taken-over delivery waits for its retry time"
    status, gave_up = _retry_until(aware(taken.next_attempt_at) or last_try)
    assert status == "failed"
    assert timedelta(hours=44) < gave_up - start < timedelta(hours=56), "not another 48 hours"
    [failed] = deliveries()
    assert failed.attempts == len(retry_schedule()) + 1 == len(receiver.requests)
    assert len(smtp_server.envelopes) == 1, "the owner is told once"
    return gave_up


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_delivery_taken_over_on_pausing_is_given_up_48_hours_after_its_first_try(
    receiver: Receiver, smtp_server: Mailbox
) -> None:
    paused, heir, start, last_try, before = _failing_for_40_hours(receiver, smtp_server)
    with session_scope() as session:
        row = session.get_one(Subscription, paused)
        assert pause_subscription(session, row, last_try).taken_over == 1
    [taken] = deliveries()
    assert taken.subscription_id == heir and taken.attempts == before.attempts
    assert aware(taken.next_attempt_at) == aware(before.next_attempt_at), "no fresh backoff"
    _given_up_48_hours_after(start, last_try, taken, receiver, smtp_server)


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_delivery_taken_over_on_deleting_is_given_up_48_hours_after_its_first_try(
    receiver: Receiver, smtp_server: Mailbox
) -> None:
    deleted, heir, start, last_try, before = _failing_for_40_hours(receiver, smtp_server)
    api = TestClient(create_app(), headers=admin_headers())
    assert api.delete(f"/api/v1/subscriptions/{deleted}").status_code == 204
    [taken] = deliveries()
    assert taken.subscription_id == heir and taken.attempts == before.attempts
    assert aware(taken.next_attempt_at) == aware(before.next_attempt_at), "no fresh backoff"
    assert taken.last_error == before.last_error
    with session_scope() as session:
        assert queue_deliveries(session) == [], "the sweep does not queue the alert afresh"
    gave_up = _given_up_48_hours_after(start, last_try, taken, receiver, smtp_server)
    with session_scope() as session:
        queue_deliveries(session)
    assert deliver_pending(gave_up + timedelta(hours=1)) == [], "nothing is tried again"
    assert len(receiver.requests) == len(retry_schedule()) + 1


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_an_alert_waiting_when_its_subscription_is_deleted_goes_once_by_the_other(
    receiver: Receiver,
) -> None:
    shared, own = receiver.url("/shared"), receiver.url("/own")
    deleted = subscribe([shared, own], name="at once")
    heir = subscribe([shared], "daily", name="daily")
    [alert_id] = make_alerts(1)
    with session_scope() as session:
        queue_deliveries(session)  # queued under the instant one; not sent yet
        assert remove_subscription(session, deleted)
    [taken] = deliveries()
    assert (taken.subscription_id, taken.mode, taken.status) == (heir, "daily", "pending")
    assert deliver_pending() == [], "nothing goes to the deleted subscription's own address"
    [outcome] = send_digests("daily")
    assert outcome.status == "sent" and outcome.deliveries == 1
    with session_scope() as session:
        queue_deliveries(session)
    assert deliver_pending() == [] and send_digests("daily") == []
    [request] = receiver.requests
    assert request.path == "/shared"
    digest = json.loads(request.body)
    assert [a["id"] for g in digest["groups"] for a in g["alerts"]] == [alert_id]


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_deleted_subscriptions_waiting_deliveries_go_with_it_at_an_address_of_its_own(
    receiver: Receiver, smtp_server: Mailbox
) -> None:
    receiver.always = 503
    owner = smtp_server.url("owner@example.com")
    deleted = subscribe([receiver.url("/own")], name="at once", owner=owner)
    other = subscribe([receiver.url("/other")], name="elsewhere", owner=owner)
    make_alerts(1)
    assert [o.status for o in deliver_pending()] == ["retry", "retry"]
    with session_scope() as session:
        assert remove_subscription(session, deleted)
        queue_deliveries(session)
    [left] = deliveries()
    assert (left.subscription_id, left.attempts) == (other, 1), "nobody takes the row over"
    later = utcnow() + timedelta(hours=1)
    assert [o.status for o in deliver_pending(later)] == ["retry"]
    assert [r.path for r in receiver.requests].count("/own") == 1, "never tried again"
    assert smtp_server.envelopes == []


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_resuming_after_a_long_pause_writes_no_row_per_missed_alert_and_sends_none(
    receiver: Receiver,
) -> None:
    hook, other_hook = receiver.url("/a"), receiver.url("/b")
    sub_id = subscribe([hook, other_hook])
    api = TestClient(create_app(), headers=admin_headers())
    assert api.get(f"/api/v1/subscriptions/{sub_id}").json()["resumed_at"] is None
    paused = api.patch(f"/api/v1/subscriptions/{sub_id}", json={"active": False})
    assert paused.status_code == 200 and paused.json()["resumed_at"] is None, "not resumed yet"
    missed = make_alerts(500, prefix="during")
    assert len(missed) == 500
    assert deliver_pending() == [] and send_digests("daily") == []
    rows_before = len(deliveries())
    before_resume = utcnow()
    resumed = api.patch(f"/api/v1/subscriptions/{sub_id}", json={"active": True})
    assert resumed.status_code == 200 and resumed.json()["active"] is True
    resumed_at = datetime.fromisoformat(resumed.json()["resumed_at"])
    assert before_resume <= resumed_at <= utcnow(), "the time it was resumed, with its offset"
    [listed] = api.get("/api/v1/subscriptions").json()["subscriptions"]
    assert listed["resumed_at"] == resumed.json()["resumed_at"]
    assert len(deliveries()) == rows_before == 0, "the paused period costs no delivery row"
    with session_scope() as session:
        queue_deliveries(session)  # the full sweep (``iprwatch deliver``) queues none either
    assert deliver_pending() == [] and send_digests("daily") == []
    assert receiver.requests == [], "nothing of the paused period goes out late"
    [after] = make_alerts(1, prefix="after")
    assert [o.status for o in deliver_pending()] == ["sent", "sent"]
    sent = {(r.path, json.loads(r.body)["alerts"][0]["id"]) for r in receiver.requests}
    assert sent == {("/a", after), ("/b", after)}
    assert {d.alert_id for d in deliveries()} == {after}


def _exporter_headers() -> dict[str, str]:
    """An API key of the exporter organisation that sees wuxi-battery (and nothing else)."""
    with session_scope() as session:
        create_org(session, "wuxi-battery-org", "exporter", name_en="Wuxi Battery")
        assign_enterprise(session, "wuxi-battery-org", "wuxi-battery")
        key = create_api_key(session, "wuxi-battery-org", "ERP", list(SCOPES))
    return {"Authorization": f"Bearer {key.plaintext}"}


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_an_exporter_is_not_told_that_an_admins_subscription_shares_its_address(
    receiver: Receiver,
) -> None:
    admin = TestClient(create_app(), headers=admin_headers())
    exporter = TestClient(create_app(), headers=_exporter_headers())
    address = receiver.url()
    search = admin.post(
        "/api/v1/searches", json={"name": "全部电池", "query": {"q": "Lithium"}}
    ).json()
    shared = admin.post(
        "/api/v1/subscriptions",
        json={"name": "运营监控", "saved_search_id": search["id"], "frequency": "daily",
              "channels": [address], "owner_contact": address},
    )  # fmt: skip
    assert shared.status_code == 201, shared.text
    mine = exporter.post(
        "/api/v1/subscriptions",
        json={"name": "电池预警", "enterprise_id": "wuxi-battery", "channels": [address],
              "owner_contact": address},
    )  # fmt: skip
    assert mine.status_code == 201, mine.text
    mine_id = mine.json()["subscription"]["id"]
    assert mine.json()["subscription"]["shared_channels"] == []
    assert exporter.get(f"/api/v1/subscriptions/{mine_id}").json()["shared_channels"] == []
    [listed] = exporter.get("/api/v1/subscriptions").json()["subscriptions"]
    assert listed["shared_channels"] == []
    page = exporter.get("/subscriptions?lang=zh").text
    assert '<span class="tag">webhook</span>' in page and "webhook · 与其他订阅共用" not in page
    assert admin.get(f"/api/v1/subscriptions/{mine_id}").json()["shared_channels"] == [address]
    assert '<span class="tag">webhook · shared</span>' in admin.get("/subscriptions?lang=en").text
    alert_ids = make_alerts(2)  # the address still gets each alert once
    assert [o.status for o in deliver_pending()] == ["sent", "sent"]
    assert send_digests("daily") == []
    sent = sorted(json.loads(r.body)["alerts"][0]["id"] for r in receiver.requests)
    assert sent == sorted(alert_ids)


@pytest.mark.parametrize(
    ("lang", "paused_text", "resumed_text"),
    [("zh", "待发送的预警已撤回", "不再补发"), ("en", "is withdrawn", "not sent late")],
)
@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_pausing_on_the_web_page_withdraws_what_waits_and_says_so(
    receiver: Receiver, lang: str, paused_text: str, resumed_text: str
) -> None:
    sub_id = subscribe([receiver.url()])
    make_alerts(1)
    with session_scope() as session:
        queue_deliveries(session)
    web = TestClient(create_app(), headers=admin_headers(), cookies={"lang": lang})
    paused = web.post(f"/subscriptions/{sub_id}/pause")
    assert paused.status_code == 200 and paused_text in paused.text
    resumed = web.post(f"/subscriptions/{sub_id}/resume")
    assert resumed.status_code == 200 and resumed_text in resumed.text
    assert deliver_pending() == [] and receiver.requests == []
    assert [(d.status, d.last_error) for d in deliveries()] == [
        ("withdrawn", "subscription paused")
    ]


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_webhook_secret_in_the_url_never_reaches_the_logs(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    path_token, query_token = "T0123456789abcdefXYZ", "s3cr3t-query-token"
    caplog.set_level(logging.INFO)
    receiver.statuses = [503]  # one failure logged, then the retry gets through
    with structlog.testing.capture_logs() as events:
        subscribe([receiver.url(f"/hooks/{path_token}?token={query_token}")])
        make_alerts(1)
        [first] = deliver_pending()
        [row] = deliveries()
        [second] = deliver_pending(row.next_attempt_at)
    assert (first.status, second.status) == ("retry", "sent")
    assert receiver.requests[-1].path == f"/hooks/{path_token}?token={query_token}"
    assert "HTTP Request: POST" in caplog.text, "the request is still logged, redacted"
    logged = caplog.text + json.dumps(events, ensure_ascii=False, default=str)
    assert path_token not in logged and query_token not in logged


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_deleting_a_shared_subscription_shows_no_other_tenants_alerts_to_the_heir(
    receiver: Receiver,
) -> None:
    from search.backend import get_backend
    from search.document import build_document

    admin = TestClient(create_app(), headers=admin_headers())
    exporter = TestClient(create_app(), headers=_exporter_headers())
    address = receiver.url()
    search = admin.post("/api/v1/searches", json={"name": "锂电", "query": {"q": "Lithium"}})
    shared = admin.post(
        "/api/v1/subscriptions",
        json={"name": "运营监控", "saved_search_id": search.json()["id"], "channels": [address],
              "owner_contact": address},
    ).json()["subscription"]["id"]  # fmt: skip
    mine = exporter.post(
        "/api/v1/subscriptions",
        json={"name": "电池预警", "enterprise_id": "wuxi-battery", "channels": [address],
              "owner_contact": address},
    ).json()["subscription"]["id"]  # fmt: skip
    [battery] = make_alerts(1)
    [netlink] = make_alerts(1, chain="L1", prefix="net")  # another enterprise's alert
    with session_scope() as session:
        get_backend().index([build_document(item) for item in session.scalars(select(Item))])
    assert [o.status for o in deliver_pending()] == ["sent", "sent"]  # by the shared one
    assert admin.delete(f"/api/v1/subscriptions/{shared}").status_code == 204
    listed = exporter.get(f"/api/v1/subscriptions/{mine}/deliveries").json()["deliveries"]
    assert [d["alert_id"] for d in listed] == [battery], f"alert {netlink} is not theirs"
    assert exporter.get(f"/api/v1/subscriptions/{mine}").json()["deliveries"] == {"sent": 1}
    assert deliver_pending() == [] and len(receiver.requests) == 2, "nothing is sent twice"


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_channel_removed_before_its_delivery_went_is_withdrawn_without_a_false_alarm(
    receiver: Receiver, smtp_server: Mailbox
) -> None:
    kept, removed = smtp_server.url("ops@example.com"), receiver.url("/old-hook")
    sub_id = subscribe([kept, removed])
    make_alerts(1)
    with session_scope() as session:
        queue_deliveries(session)
        session.get_one(Subscription, sub_id).channels = [kept]  # as the edit form stores it
    assert sorted(o.status for o in deliver_pending()) == ["sent", "withdrawn"]
    assert receiver.requests == [], "nothing goes to the channel taken off"
    assert len(smtp_server.envelopes) == 1, "one alert to the kept channel, no failure notice"
    api = TestClient(create_app(), headers=admin_headers())
    assert api.get(f"/api/v1/subscriptions/{sub_id}").json()["deliveries"] == {
        "sent": 1,
        "withdrawn": 1,
    }


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_an_alert_joining_a_digest_on_its_last_retry_keeps_its_own_48_hours(
    receiver: Receiver, smtp_server: Mailbox
) -> None:
    """A digest retried for two days fails on its last try; an alert that joined it an hour
    before is not failed with it after one try: it keeps its own retries, and goes out once
    the address is back."""
    receiver.always = 503
    subscribe([receiver.url()], "daily", owner=smtp_server.url("owner@example.com"))
    [old_alert] = make_alerts(1)
    with session_scope() as session:
        queue_deliveries(session)
    start = utcnow()
    [first] = send_digests("daily", start)
    assert first.status == "retry"
    now = start
    while True:
        [row] = deliveries()
        next_try = aware(row.next_attempt_at)
        assert next_try is not None and row.status == "pending"
        now = next_try
        if row.attempts == len(retry_schedule()):  # the next try is its last
            break
        assert deliver_pending(now)[0].status == "retry"
    [new_alert] = make_alerts(1, prefix="late")
    with session_scope() as session:
        queue_deliveries(session)
    outcomes = deliver_pending(now)
    assert [o.status for o in outcomes] == ["retry"]
    rows = {d.alert_id: d for d in deliveries()}
    assert rows[old_alert].status == "failed"
    assert rows[new_alert].status == "pending" and rows[new_alert].attempts == 1
    assert len(smtp_server.envelopes) == 1, "the owner is told of the spent one"
    assert rows[old_alert].owner_notified_at and not rows[new_alert].owner_notified_at
    receiver.always = None
    retry_at = aware(rows[new_alert].next_attempt_at)
    assert retry_at is not None
    assert [o.status for o in deliver_pending(retry_at)] == ["sent"]
    assert {d.alert_id: d.status for d in deliveries()} == {
        old_alert: "failed",
        new_alert: "sent",
    }
