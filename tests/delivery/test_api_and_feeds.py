"""The subscriptions API (volume guard, redaction, deliveries), the feeds and the CLI."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import feedparser
import httpx
import lxml.html
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from api.app import create_app
from api.cli import app as cli
from core.db import session_scope
from core.logging_ import configure_logging
from core.models import SavedSearch
from core.settings import get_settings
from tests.credentials import admin_headers
from tests.delivery.conftest import Mailbox, Receiver, free_port, make_alerts, store_337_items
from tests.servers import ROOT, wait_ready
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


def test_a_paused_subscription_sends_nothing_then_or_late_after_resuming(
    api: TestClient, smtp_server: Mailbox
) -> None:
    out = api.post(
        "/api/v1/subscriptions",
        json=_body(channels=[smtp_server.url("ops@example.com")]),
    ).json()
    sub_id = out["subscription"]["id"]
    [before] = make_alerts(1)  # queued before the pause
    with session_scope() as session:
        queue_deliveries(session)
    paused = api.patch(f"/api/v1/subscriptions/{sub_id}", json={"active": False})
    assert paused.json()["active"] is False
    assert paused.json()["deliveries"] == {"withdrawn": 1}
    [during] = make_alerts(1, prefix="during")
    assert deliver_pending() == [] and smtp_server.envelopes == []
    resumed = api.patch(f"/api/v1/subscriptions/{sub_id}", json={"active": True}).json()
    assert resumed["deliveries"] == {"withdrawn": 1}, "the paused period writes no rows"
    assert deliver_pending() == [], "nothing from the paused period goes out late"
    [after] = make_alerts(1, prefix="after")
    assert [o.status for o in deliver_pending()] == ["sent"]
    [mail] = smtp_server.messages()
    assert f"/alerts/{after}?" in mail.get_body(preferencelist=("plain",)).get_content()
    listed = api.get(f"/api/v1/subscriptions/{sub_id}/deliveries?status=withdrawn").json()
    reasons = {d["alert_id"]: d["last_error"] for d in listed["deliveries"]}
    assert reasons == {before: "subscription paused"}, f"alert {during} writes no row"
    feed = api.get(out["feeds"]["atom"].split("8000", 1)[1])  # the feed still lists them all
    assert len(feedparser.parse(feed.content).entries) == 3


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


def _search_subscription(api: TestClient, receiver_url: str) -> tuple[int, int, str]:
    """A shared saved search and a subscription following it: (search id, subscription
    id, feed token)."""
    saved = api.post("/api/v1/searches", json={"name": "电池", "query": {"q": "Batteries"}})
    assert saved.status_code == 201, saved.text
    out = api.post(
        "/api/v1/subscriptions",
        json=_body(enterprise_id=None, saved_search_id=saved.json()["id"],
                   channels=[receiver_url], owner_contact=receiver_url),
    ).json()  # fmt: skip
    return saved.json()["id"], out["subscription"]["id"], out["feed_token"]


@pytest.mark.usefixtures("allow_loopback")
def test_a_saved_search_a_subscription_follows_is_not_deleted(
    api: TestClient, receiver: Receiver, runner: CliRunner
) -> None:
    saved_id, _, _ = _search_subscription(api, receiver.url())
    refused = api.delete(f"/api/v1/searches/{saved_id}")
    assert refused.status_code == 422
    assert "followed by 1 subscription" in refused.json()["error"]["message"]
    by_cli = runner.invoke(cli, ["searches", "delete", str(saved_id)])
    assert by_cli.exit_code == 2 and "delete those subscriptions first" in by_cli.output
    assert api.get(f"/api/v1/searches/{saved_id}").status_code == 200


@pytest.mark.usefixtures("allow_loopback")
def test_a_subscription_whose_saved_search_is_gone_stops_no_other_delivery(
    api: TestClient, receiver: Receiver
) -> None:
    saved_id, sub_id, token = _search_subscription(api, receiver.url("/search"))
    api.post("/api/v1/subscriptions", json=_body(channels=[receiver.url("/battery")]))
    with session_scope() as session:  # gone as earlier versions let it go
        session.delete(session.get(SavedSearch, saved_id))
    make_alerts(2)
    assert [o.status for o in deliver_pending()] == ["sent", "sent"]
    assert [r.path for r in receiver.requests] == ["/battery", "/battery"]
    feed = api.get(f"/api/v1/feeds/{sub_id}.atom?token={token}")
    assert feed.status_code == 200
    assert feedparser.parse(feed.content).entries == []


def test_a_subscription_named_with_spaces_only_is_refused_and_keeps_its_name(
    api: TestClient, runner: CliRunner
) -> None:
    blank = api.post("/api/v1/subscriptions", json=_body(name="   "))
    assert blank.status_code == 422
    assert blank.json()["error"]["fields"][0]["field"] == "name"
    sub_id = api.post("/api/v1/subscriptions", json=_body(name=" 电池337 ")).json()["subscription"][
        "id"
    ]
    renamed = api.patch(f"/api/v1/subscriptions/{sub_id}", json={"name": " \t "})
    assert renamed.status_code == 422
    assert api.get(f"/api/v1/subscriptions/{sub_id}").json()["name"] == "电池337"
    by_cli = runner.invoke(
        cli,
        ["subscriptions", "add", "--name", "  ", "--enterprise", "wuxi-battery",
         "--owner", "mailto://a.example?to=o@a.example"],
    )  # fmt: skip
    assert by_cli.exit_code == 2 and "name" in by_cli.output


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_feed_reader_shows_each_line_and_the_title_as_crawled(api: TestClient, fmt: str) -> None:
    make_alerts(1, product="Lithium-Ion Batteries <Cells> & Packs")
    out = api.post("/api/v1/subscriptions", json=_body(language="en")).json()
    feed = api.get(f"/api/v1/feeds/{out['subscription']['id']}.{fmt}?token={out['feed_token']}")
    [entry] = feedparser.parse(feed.content).entries
    [content] = entry.content if fmt == "atom" else [entry.summary_detail]
    shown = content.value
    if content.type == "text/html":  # as a reader displays HTML: spaces collapse, <br> breaks
        collapsed = re.sub(r"<br\s*/?>", "\n", re.sub(r"\s+", " ", shown))
        shown = lxml.html.fromstring(f"<div>{collapsed}</div>").text_content()
    lines = [line.strip() for line in shown.splitlines()]
    assert "Certain Lithium-Ion Batteries <Cells> & Packs; Inv. No. 337-TA-1400" in lines[0]
    assert [line.split(":")[0] for line in lines[1:3]] == ["Why", "What to do"]


def test_the_access_log_does_not_give_away_feed_tokens(api: TestClient) -> None:
    out = api.post("/api/v1/subscriptions", json=_body()).json()
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
    ]  # as the Dockerfile: access log on
    server = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, server)
        feed = httpx.get(f"{out['feeds']['atom'].replace('http://127.0.0.1:8000', base)}")
        assert feed.status_code == 200
    finally:
        server.terminate()
        logged = b"".join(server.communicate(timeout=30)).decode()
    assert "/api/v1/feeds/" in logged and "token=***" in logged
    assert out["feed_token"] not in logged
