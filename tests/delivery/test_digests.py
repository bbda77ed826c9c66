"""Digests: grouped by enterprise and severity, capped per message with a link for the rest,
sent once on their schedule."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlalchemy import select

from core.db import session_scope
from core.models import Delivery
from tests.delivery.conftest import Receiver, make_alerts
from tests.delivery.test_channels import ALERT
from warning.delivery import digest_message
from warning.delivery_store import deliver_pending, send_digests
from warning.store import change_alert_status
from warning.subscriptions import SubscriptionSpec, create_subscription


def test_a_digest_groups_by_enterprise_and_severity_most_severe_first() -> None:
    alerts = [
        replace(ALERT, id=1, severity="low"),
        replace(ALERT, id=2, severity="critical"),
        replace(
            ALERT,
            id=3,
            enterprise_id="binhu-medtech",
            severity="high",
            enterprise_name={"en": "Hubin Medical"},
        ),
        replace(ALERT, id=4, severity="critical"),
    ]
    message = digest_message(alerts, "en", "http://iprwatch.test", cap=10, more_link="-")
    groups = [(g["enterprise_id"], g["severity"], [a["id"] for a in g["alerts"]])
              for g in message.payload["groups"]]  # fmt: skip
    assert groups == [
        ("binhu-medtech", "high", [3]),
        ("wuxi-battery", "critical", [4, 2]),
        ("wuxi-battery", "low", [1]),
    ]
    assert message.body.index("## Hubin Medical") < message.body.index("## Wuxi Battery Co.")
    assert message.payload["more"] == 0 and "more alert" not in message.body


def test_a_digest_lists_at_most_the_cap_and_links_to_the_rest() -> None:
    alerts = [replace(ALERT, id=n, severity="low" if n > 2 else "critical") for n in range(1, 8)]
    message = digest_message(alerts, "zh", "http://iprwatch.test", cap=3, more_link="http://x/a")
    listed = [a["id"] for g in message.payload["groups"] for a in g["alerts"]]
    assert listed == [2, 1, 7]  # both critical ones, then the newest low one
    assert message.payload["more"] == 4
    assert "另有 4 条预警未列出：http://x/a" in message.body
    assert message.title == "IPRWatch 预警摘要：7 条"


def _daily_digest_to(receiver: Receiver) -> None:
    """A daily English digest of wuxi-battery's alerts to ``receiver`` (owner told there)."""
    spec = SubscriptionSpec(
        name="daily",
        enterprise_id="wuxi-battery",
        frequency="daily",
        channels=[receiver.url()],
        owner_contact=receiver.url("/owner"),
        language="en",
    )
    with session_scope() as session:
        create_subscription(session, spec)


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_daily_digest_is_sent_once_capped_with_a_link(
    receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("IPRWATCH_DIGEST_MAX_ALERTS", "5")
    get_settings.cache_clear()
    _daily_digest_to(receiver)
    make_alerts(8)
    assert deliver_pending() == []  # digests wait for their schedule
    assert receiver.requests == []
    [outcome] = send_digests("daily")
    assert outcome.status == "sent" and outcome.deliveries == 8
    assert send_digests("daily") == [] and send_digests("weekly") == []
    [request] = receiver.requests
    payload = json.loads(request.body)
    assert payload["type"] == "digest" and payload["total"] == 8 and payload["more"] == 3
    assert payload["more_link"].endswith("/alerts?lang=en&enterprise=wuxi-battery")
    with session_scope() as session:
        statuses = set(session.scalars(select(Delivery.status)))
    assert statuses == {"sent"}


@pytest.mark.usefixtures("profiles", "allow_loopback")
def test_a_digest_leaves_out_alerts_dismissed_or_resolved_before_it_goes(
    receiver: Receiver,
) -> None:
    _daily_digest_to(receiver)
    dismissed, resolved, acknowledged, fresh = make_alerts(4)
    assert deliver_pending() == []
    with session_scope() as session:
        change_alert_status(session, dismissed, "dismiss", "", "not_relevant", "li")
        change_alert_status(session, resolved, "resolve", "", None, "li")
        change_alert_status(session, acknowledged, "acknowledge", "", None, "li")
    [outcome] = send_digests("daily")
    assert outcome.status == "sent" and outcome.deliveries == 2
    [request] = receiver.requests
    payload = json.loads(request.body)
    listed = {a["id"] for g in payload["groups"] for a in g["alerts"]}
    assert listed == {acknowledged, fresh} and payload["total"] == 2
    with session_scope() as session:
        statuses = dict(session.execute(select(Delivery.alert_id, Delivery.status)).tuples().all())
    assert statuses == {
        dismissed: "withdrawn",
        resolved: "withdrawn",
        acknowledged: "sent",
        fresh: "sent",
    }
    assert send_digests("daily") == [], "withdrawn rows are not due again"


def test_beat_sends_digests_daily_and_weekly_and_sweeps_every_minute() -> None:
    from celery.schedules import crontab

    from core.celery_app import app

    app.loader.import_default_modules()
    app.finalize()
    schedule = app.conf.beat_schedule
    daily, weekly = schedule["daily digests"], schedule["weekly digests"]
    assert daily["task"] == weekly["task"] == "warning.deliver_digests"
    assert (daily["args"], weekly["args"]) == (("daily",), ("weekly",))
    assert daily["schedule"] == crontab(minute="30", hour="0")
    assert weekly["schedule"] == crontab(minute="30", hour="0", day_of_week="mon")
    assert schedule["deliver due"]["task"] == "warning.deliver_due"
    assert schedule["deliver due"]["schedule"] == 60.0
