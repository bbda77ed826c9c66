"""Deliveries through the database: exactly one per alert and channel, also after a crash;
retries with backoff for about 48 hours, then failed with the owner told."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from core.db import session_scope
from core.models import Item, utcnow
from tests.credentials import admin_headers
from tests.delivery.conftest import PROFILES, Mailbox, Receiver, deliveries, make_alerts, subscribe
from warning.delivery import DeliveryFailure, owner_notice
from warning.delivery_claim import LEASE
from warning.delivery_queue import aware
from warning.delivery_store import claim, deliver_alert, deliver_pending, send_digests
from warning.delivery_tasks import deliver
from warning.profiles import parse_profiles
from warning.store import change_alert_status, save_profiles
from warning.subscriptions import SubscriptionSpec, create_subscription


@pytest.fixture(params=["sqlite", "postgresql"])
def profiles(request: pytest.FixtureRequest) -> list[str]:
    """The profiles, on SQLite and on PostgreSQL (the claim must be atomic on both)."""
    request.getfixturevalue("db" if request.param == "sqlite" else "postgres_url")
    with session_scope() as session:
        return save_profiles(session, parse_profiles(PROFILES))


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_an_instant_alert_reaches_webhook_and_email_once(
    receiver: Receiver, smtp_server: Mailbox
) -> None:
    subscribe([receiver.url(), smtp_server.url("ops@example.com")], owner=receiver.url("/owner"))
    [alert_id] = make_alerts(1)
    outcomes = deliver_pending()
    assert [o.status for o in outcomes] == ["sent", "sent"]
    assert deliver_pending() == []
    assert len(receiver.requests) == 1 and len(smtp_server.envelopes) == 1
    assert {d.alert_id for d in deliveries()} == {alert_id}
    assert all(d.status == "sent" for d in deliveries())


@pytest.mark.usefixtures("profiles")
def test_an_email_digest_reads_line_by_line_with_the_titles_as_crawled(
    smtp_server: Mailbox,
) -> None:
    subscribe([smtp_server.url("ops@example.com")], "daily", owner=smtp_server.url("o@example.com"))
    make_alerts(2, product="Lithium-Ion Batteries <18650> & Packs")
    assert deliver_pending() == []  # queued for the digest
    assert [o.status for o in send_digests("daily")] == ["sent"]
    [mail] = smtp_server.messages()
    text = mail.get_body(preferencelist=("plain",)).get_content()
    lines = text.splitlines()
    assert sum(line.startswith("原因: ") for line in lines) == 2  # one line each, not one blob
    assert "Certain Lithium-Ion Batteries <18650> & Packs; Inv. No. 337-TA-1400" in text
    html = mail.get_body(preferencelist=("html",))
    if html is not None:  # a client showing HTML shows the same words, escaped
        assert "&lt;18650&gt; &amp; Packs" in html.get_content()


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_new_subscription_does_not_receive_the_backlog(receiver: Receiver) -> None:
    make_alerts(3)
    subscribe([receiver.url()], owner=receiver.url("/owner"))
    assert deliver_pending() == []
    make_alerts(1, prefix="new")
    assert [o.status for o in deliver_pending()] == ["sent"]
    assert len(receiver.requests) == 1


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_alert_not_sent_twice_when_the_task_runs_again_after_sending(receiver: Receiver) -> None:
    subscribe([receiver.url()], owner=receiver.url("/owner"))
    make_alerts(1)
    with session_scope() as session:
        from warning.delivery_queue import queue_deliveries

        [(alert_id, channel)] = queue_deliveries(session)
    # A worker that crashed after sending gets the same task again (acks_late).
    assert deliver.apply(args=[alert_id, channel]).get() == "sent"
    assert deliver.apply(args=[alert_id, channel]).get() == "skipped"
    assert len(receiver.requests) == 1


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_alert_sent_once_after_a_crash_between_claim_and_send(receiver: Receiver) -> None:
    subscribe([receiver.url()], owner=receiver.url("/owner"))
    make_alerts(1)
    with session_scope() as session:
        from warning.delivery_queue import queue_deliveries

        [(alert_id, channel)] = queue_deliveries(session)
    crashed_at = utcnow()
    with session_scope() as session:  # the worker claims, then dies before sending
        [row] = deliveries()
        assert claim(session, [row.id], crashed_at) == [row.id]
    redelivered = deliver_alert(alert_id, channel, now=crashed_at + timedelta(seconds=5))
    assert redelivered.status == "skipped" and redelivered.retry_in
    assert receiver.requests == []  # the lease still holds: no second worker sends
    after_lease = crashed_at + LEASE + timedelta(seconds=1)
    assert deliver_alert(alert_id, channel, now=after_lease).status == "sent"
    assert deliver_alert(alert_id, channel, now=after_lease).status == "skipped"
    assert len(receiver.requests) == 1


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_failures_back_off_for_about_48_hours_then_fail_and_tell_the_owner(
    receiver: Receiver, smtp_server: Mailbox
) -> None:
    receiver.always = 503
    sub_id = subscribe([receiver.url()], owner=smtp_server.url("owner@example.com"))
    make_alerts(1)
    start = utcnow()
    now, waits = start, []
    outcome = deliver_pending(now)[0]
    while outcome.status == "retry":
        assert outcome.retry_in is not None
        waits.append(outcome.retry_in)
        [row] = deliveries()
        now = aware(row.next_attempt_at) or now
        outcome = deliver_pending(now)[0]
    assert outcome.status == "failed"
    assert all(waits[n + 1] > waits[n] for n in range(8))  # doubling until the cap
    assert timedelta(hours=44) < now - start < timedelta(hours=56)
    [row] = deliveries()
    assert row.status == "failed" and row.attempts == len(waits) + 1
    assert len(receiver.requests) == row.attempts
    [notice] = smtp_server.messages()
    assert "投递失败" in str(notice["Subject"])
    assert deliver_pending(now + timedelta(days=1)) == []  # no more tries, no second notice
    assert len(smtp_server.envelopes) == 1
    api = TestClient(create_app(), headers=admin_headers())
    failed = api.get(f"/api/v1/subscriptions/{sub_id}/deliveries?status=failed").json()
    assert failed["deliveries"][0]["last_error"] == "webhook answered HTTP 503"
    assert api.get(f"/api/v1/subscriptions/{sub_id}").json()["deliveries"] == {"failed": 1}


@pytest.mark.parametrize(("action", "reason"), [("dismiss", "not_relevant"), ("resolve", None)])
@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_an_instant_alert_decided_while_it_waits_to_be_retried_is_withdrawn_not_sent(
    receiver: Receiver, smtp_server: Mailbox, action: str, reason: str | None
) -> None:
    receiver.statuses = [503]  # the first attempt fails; the retry would get through
    sub_id = subscribe([receiver.url()], owner=smtp_server.url("owner@example.com"))
    [alert_id] = make_alerts(1)
    [first] = deliver_pending()
    assert first.status == "retry" and len(receiver.requests) == 1
    with session_scope() as session:
        change_alert_status(session, alert_id, action, "", reason, "li")
    [row] = deliveries()
    retry_at = aware(row.next_attempt_at)
    assert retry_at is not None
    assert [o.status for o in deliver_pending(retry_at)] == ["withdrawn"]
    assert deliver.apply(args=[alert_id, row.channel]).get() == "skipped"  # a queued task too
    assert len(receiver.requests) == 1, "the decided alert was not sent again"
    assert smtp_server.envelopes == [], "a withdrawal is no failure: the owner is not told"
    [row] = deliveries()
    assert row.status == "withdrawn" and row.attempts == 1 and row.sent_at is None
    assert deliver_pending(retry_at + timedelta(days=3)) == []
    api = TestClient(create_app(), headers=admin_headers())
    assert api.get(f"/api/v1/subscriptions/{sub_id}").json()["deliveries"] == {"withdrawn": 1}
    [listed] = api.get(f"/api/v1/subscriptions/{sub_id}/deliveries?status=withdrawn").json()[
        "deliveries"
    ]
    assert listed["alert_id"] == alert_id and "dismissed or resolved" in listed["last_error"]


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_queued_instant_task_withdraws_an_alert_dismissed_before_it_ran(
    receiver: Receiver,
) -> None:
    subscribe([receiver.url()], owner=receiver.url("/owner"))
    dismissed, acknowledged = make_alerts(2)
    with session_scope() as session:
        from warning.delivery_queue import queue_deliveries

        queued = dict(queue_deliveries(session))
        change_alert_status(session, dismissed, "dismiss", "", "not_us", "li")
        change_alert_status(session, acknowledged, "acknowledge", "", None, "li")
    assert deliver.apply(args=[dismissed, queued[dismissed]]).get() == "withdrawn"
    assert deliver.apply(args=[acknowledged, queued[acknowledged]]).get() == "sent"
    [request] = receiver.requests  # an acknowledged alert is still being handled: it goes
    assert json.loads(request.body)["alerts"][0]["id"] == acknowledged


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_an_address_two_subscriptions_name_gets_each_alert_once_and_at_once(
    receiver: Receiver, smtp_server: Mailbox
) -> None:
    shared, mail = receiver.url(), smtp_server.url("ops@example.com")
    daily = subscribe([shared], "daily", name="all, daily", language="en")  # the older one
    instant = subscribe([shared, mail], name="at once", language="en")
    also = subscribe([shared], name="at once too", language="en")
    other = subscribe([shared], name="netlink", enterprise="wuxi-netlink", language="en")
    alert_ids = make_alerts(2)
    assert [o.status for o in deliver_pending()] == ["sent"] * 4  # 2 alerts x (hook, mail)
    assert send_digests("daily") == [], "the daily digest does not send them again"
    assert send_digests("weekly") == [] and deliver_pending() == []
    sent = [json.loads(r.body)["alerts"][0]["id"] for r in receiver.requests]
    assert sorted(sent) == sorted(alert_ids), "one message per alert at the shared address"
    assert len(smtp_server.envelopes) == 2
    assert {d.subscription_id for d in deliveries()} == {instant}
    api = TestClient(create_app(), headers=admin_headers())
    listed = {s["id"]: s for s in api.get("/api/v1/subscriptions").json()["subscriptions"]}
    assert listed[instant]["deliveries"] == {"sent": 4} and listed[daily]["deliveries"] == {}
    assert listed[instant]["shared_channels"] == [shared], "the mailbox is its own"
    assert listed[daily]["shared_channels"] == listed[also]["shared_channels"] == [shared]
    assert listed[other]["shared_channels"] == [], "another enterprise's alerts never overlap"


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_deleting_the_subscription_that_sent_to_a_shared_address_sends_nothing_twice(
    receiver: Receiver,
) -> None:
    first = subscribe([receiver.url()], name="first", language="en")
    second = subscribe([receiver.url()], "daily", name="second", language="en")
    make_alerts(2)
    assert [o.status for o in deliver_pending()] == ["sent", "sent"]
    api = TestClient(create_app(), headers=admin_headers())
    assert api.delete(f"/api/v1/subscriptions/{first}").status_code == 204
    assert deliver_pending() == [] and send_digests("daily") == []
    assert len(receiver.requests) == 2, "the alerts already sent there are not sent again"
    assert api.get(f"/api/v1/subscriptions/{second}").json()["deliveries"] == {"sent": 2}
    [new] = make_alerts(1, prefix="new")
    assert deliver_pending() == [] and [o.status for o in send_digests("daily")] == ["sent"]
    digest = json.loads(receiver.requests[-1].body)
    assert [a["id"] for g in digest["groups"] for a in g["alerts"]] == [new]


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_the_owners_webhook_notice_names_the_channel_and_the_attempts(receiver: Receiver) -> None:
    receiver.statuses = [410]  # the digest is refused for good; the owner's notice gets through
    subscribe([receiver.url()], frequency="daily", owner=receiver.url("/owner"))
    alert_ids = make_alerts(25)
    assert deliver_pending() == []  # queued for the digest
    [outcome] = send_digests("daily")
    assert outcome.status == "failed" and outcome.deliveries == 25
    _digest, notice = receiver.requests
    payload = json.loads(notice.body)
    assert notice.path == "/owner" and payload["type"] == "delivery_failed"
    assert sorted(payload["alert_ids"]) == sorted(alert_ids)
    assert payload["channel"] == receiver.url() and payload["attempts"] == 1


@pytest.mark.parametrize(("lang", "more"), [("zh", "另有 5 条"), ("en", "and 5 more")])
def test_the_owners_notice_says_how_many_alert_ids_it_leaves_out(lang: str, more: str) -> None:
    failure = DeliveryFailure(
        7, "电池预警", "webhook://hooks.example/x", 9, list(range(1, 26)), "x"
    )
    body = owner_notice(failure, lang).body
    assert "20" in body and ", 21" not in body and more in body
    few = owner_notice(replace(failure, alert_ids=[1, 2]), lang).body
    assert "more" not in few and "另有" not in few


@pytest.mark.usefixtures("profiles")
def test_a_private_target_is_refused_at_once_and_the_owner_is_told(smtp_server: Mailbox) -> None:
    with pytest.raises(ValueError, match="not a public address"):
        subscribe(["webhook://169.254.169.254/hook"], owner=smtp_server.url("owner@example.com"))
    subscribe(["webhook://localhost:9/hook"], owner=smtp_server.url("owner@example.com"))
    make_alerts(1)
    [outcome] = deliver_pending()
    assert outcome.status == "failed" and "non-public" in outcome.reason
    assert len(smtp_server.envelopes) == 1


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_saved_search_subscription_gets_only_alerts_on_items_it_finds(
    receiver: Receiver,
) -> None:
    from search.backend import get_backend
    from search.document import build_document
    from search.query import SearchQuery
    from search.saved import save_search

    with session_scope() as session:
        saved_id = save_search(session, "储能 337", SearchQuery(q="Energy Storage")).id
    spec = SubscriptionSpec(
        name="储能", saved_search_id=saved_id, channels=[receiver.url()],
        owner_contact=receiver.url("/owner"), language="en",
    )  # fmt: skip
    with session_scope() as session:
        create_subscription(session, spec)
    wanted = make_alerts(2, chain="L1", prefix="ess", product="Energy Storage Systems")
    make_alerts(3, prefix="bat")
    with session_scope() as session:
        get_backend().index([build_document(item) for item in session.scalars(select(Item))])
    assert [o.status for o in deliver_pending()] == ["sent", "sent"]
    assert {d.alert_id for d in deliveries()} == set(wanted)
