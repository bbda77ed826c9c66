"""The subscriptions API (volume guard, redaction, deliveries), the feeds and the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import feedparser
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from core.db import session_scope
from core.logging_ import configure_logging
from core.settings import get_settings
from tests.credentials import admin_headers
from tests.delivery.conftest import Mailbox, make_alerts, store_337_items
from warning.delivery_queue import queue_deliveries
from warning.delivery_store import deliver_pending


def _body(**extra: object) -> dict[str, object]:
    return {
        "name": "电池337",
        "enterprise_id": "wuxi-battery",
        "channels": ["mailtos://bob:hunter2@smtp.example.com?to=ops@example.com"],
        "owner_contact": "mailtos://bob:hunter2@smtp.example.com?to=owner@example.com",
        **extra,
    }


@pytest.fixture
def api(profiles: list[str]) -> TestClient:
    return TestClient(create_app(), headers=admin_headers())


@pytest.fixture
def runner() -> Iterator[CliRunner]:
    """A CLI runner; logging is pointed back at the real stderr afterwards (the CLI binds it
    to the runner's stream, which closes)."""
    yield CliRunner()
    configure_logging("WARNING")


def test_creating_a_subscription_returns_its_feed_and_hides_secrets(api: TestClient) -> None:
    created = api.post("/api/v1/subscriptions", json=_body())
    assert created.status_code == 201, created.text
    out = created.json()
    assert out["feed_token"] and out["signing_secret"]
    assert out["feeds"]["atom"].endswith(f".atom?token={out['feed_token']}")
    listed = api.get("/api/v1/subscriptions").text
    assert "hunter2" not in listed and out["feed_token"] not in listed
    assert "bob:***@smtp.example.com" in listed


def test_bad_subscriptions_are_refused_with_the_field_named(api: TestClient) -> None:
    bad_channel = api.post("/api/v1/subscriptions", json=_body(channels=["json://x.example"]))
    assert bad_channel.status_code == 422
    assert bad_channel.json()["error"]["fields"][0]["field"] == "channels"
    private = api.post("/api/v1/subscriptions", json=_body(channels=["webhook://10.0.0.8/h"]))
    assert "not a public address" in private.json()["error"]["fields"][0]["message"]
    unknown = api.post("/api/v1/subscriptions", json=_body(enterprise_id="nobody"))
    assert unknown.status_code == 422
    assert unknown.json()["error"]["fields"][0]["field"] == "enterprise_id"
    no_filter = api.post("/api/v1/subscriptions", json=_body(enterprise_id=None))
    assert no_filter.status_code == 422


def test_the_volume_guard_warns_when_a_subscription_would_send_too_much(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_337_items(20)  # 20 alerts in the last 100 days: 0.2 a day
    store_337_items(30, start=datetime.now(UTC) - timedelta(days=120), prefix="old")
    monkeypatch.setenv("IPRWATCH_ALERT_VOLUME_WARN_PER_DAY", "0.1")
    get_settings.cache_clear()
    loud = api.post("/api/v1/subscriptions/estimate", json=_body(language="en")).json()
    assert loud["alerts"] == 20 and loud["alerts_per_day"] == 0.2
    assert "above the threshold of 0.1" in loud["warning"]
    created = api.post("/api/v1/subscriptions", json=_body()).json()
    assert "超过 0.1 条的上限" in created["volume"]["warning"]
    quiet = api.post("/api/v1/subscriptions/estimate", json=_body(min_severity="high"))
    assert quiet.json()["alerts"] == 20  # the 337 rule is critical
    other = api.post("/api/v1/subscriptions/estimate", json=_body(enterprise_id="wuxi-netlink"))
    assert other.json() == dict(other.json(), alerts=0, warning=None)


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_feed_opens_only_with_its_token_and_lists_the_alerts(api: TestClient, fmt: str) -> None:
    make_alerts(3)
    make_alerts(2, chain="L1", prefix="net")  # the other enterprise's alerts
    out = api.post("/api/v1/subscriptions", json=_body(language="en")).json()
    sub_id, token = out["subscription"]["id"], out["feed_token"]
    assert api.get(f"/api/v1/feeds/{sub_id}.{fmt}?token=wrong").status_code == 404
    assert api.get(f"/api/v1/feeds/{sub_id + 1}.{fmt}?token={token}").status_code == 404
    response = api.get(f"/api/v1/feeds/{sub_id}.{fmt}?token={token}")
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert len(feed.entries) == 3
    assert all("Section 337" in e.title and "Wuxi Battery" in e.title for e in feed.entries)
    assert feed.entries[0].link.startswith("http://127.0.0.1:8000/alerts/")


def test_a_paused_subscription_sends_nothing_until_resumed(
    api: TestClient, smtp_server: Mailbox
) -> None:
    out = api.post(
        "/api/v1/subscriptions",
        json=_body(channels=[smtp_server.url("ops@example.com")]),
    ).json()
    sub_id = out["subscription"]["id"]
    make_alerts(1)  # queued before the pause
    with session_scope() as session:
        queue_deliveries(session)
    paused = api.patch(f"/api/v1/subscriptions/{sub_id}", json={"active": False})
    assert paused.json()["active"] is False
    make_alerts(1, prefix="during")
    assert deliver_pending() == [] and smtp_server.envelopes == []
    api.patch(f"/api/v1/subscriptions/{sub_id}", json={"active": True})
    assert [o.status for o in deliver_pending()] == ["sent", "sent"]
    assert len(smtp_server.envelopes) == 2


def test_deleting_a_subscription_closes_its_feed(api: TestClient) -> None:
    out = api.post("/api/v1/subscriptions", json=_body()).json()
    sub_id = out["subscription"]["id"]
    assert api.delete(f"/api/v1/subscriptions/{sub_id}").status_code == 204
    assert api.get(f"/api/v1/feeds/{sub_id}.atom?token={out['feed_token']}").status_code == 404
    assert api.delete(f"/api/v1/subscriptions/{sub_id}").status_code == 404


@pytest.mark.usefixtures("profiles")
def test_the_cli_adds_lists_delivers_and_removes(smtp_server: Mailbox, runner: CliRunner) -> None:
    added = runner.invoke(
        cli,
        ["subscriptions", "add", "--name", "cli", "--enterprise", "wuxi-battery",
         "--channel", smtp_server.url("ops@example.com"),
         "--owner", smtp_server.url("owner@example.com"), "--lang", "en"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    sub = json.loads(added.stdout.splitlines()[0])
    assert sub["volume"]["warning"] is None
    make_alerts(2)
    delivered = runner.invoke(cli, ["deliver"])
    assert delivered.exit_code == 0, delivered.output
    assert len(smtp_server.envelopes) == 2
    listed = runner.invoke(cli, ["subscriptions", "list"])
    assert json.loads(listed.stdout)["id"] == sub["id"]
    assert runner.invoke(cli, ["subscriptions", "remove", str(sub["id"])]).exit_code == 0
    gone = runner.invoke(cli, ["subscriptions", "remove", str(sub["id"])])
    assert gone.exit_code == 2


@pytest.mark.usefixtures("profiles")
def test_the_cli_refuses_an_unsupported_channel(runner: CliRunner) -> None:
    result = runner.invoke(
        cli,
        ["subscriptions", "add", "--name", "x", "--enterprise", "wuxi-battery",
         "--channel", "http://example.com", "--owner", "mailto://a.example?to=o@a.example"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "unsupported channel" in result.output
