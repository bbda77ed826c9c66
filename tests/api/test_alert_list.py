"""The alert list, written without FastAPI's generic encoder, says what the detail says."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.schemas import AlertOut, AlertPage
from tests.api.test_web import _store_late_news
from tests.browser._site import Site, build_site
from tests.credentials import admin_headers


def test_listed_alerts_match_their_detail_and_the_documented_model(client: TestClient) -> None:
    response = client.get("/api/v1/alerts")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    page = AlertPage.model_validate_json(response.content)
    assert page.alerts, "the fixture raises alerts"
    for listed in response.json()["alerts"]:
        assert set(listed) == set(AlertOut.model_fields)
        detail = client.get(f"/api/v1/alerts/{listed['id']}").json()
        assert listed == {name: detail[name] for name in AlertOut.model_fields}


def test_pages_follow_the_cursor_without_gaps_or_repeats(client: TestClient) -> None:
    every = [a["id"] for a in client.get("/api/v1/alerts", params={"limit": 200}).json()["alerts"]]
    seen: list[int] = []
    cursor: str | None = None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/v1/alerts", params=params).json()
        seen += [a["id"] for a in page["alerts"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == every == sorted(every, reverse=True)
    assert len(every) >= 2


def _utc(moment: str) -> datetime:
    parsed = datetime.fromisoformat(moment)
    assert parsed.utcoffset() == timedelta(0), f"{moment} does not say it is UTC"
    return parsed


def test_alert_note_and_subscription_times_say_they_are_utc(client: TestClient) -> None:
    listed = client.get("/api/v1/alerts").json()["alerts"][0]
    created = _utc(listed["created_at"])
    assert abs(datetime.now(UTC) - created) < timedelta(hours=1)  # not eight hours off
    note = client.post(f"/api/v1/alerts/{listed['id']}/notes", json={"text": "seen"}).json()
    _utc(note["created_at"])
    detail = client.get(f"/api/v1/alerts/{listed['id']}").json()
    assert _utc(detail["created_at"]) == created
    assert [_utc(n["created_at"]) for n in detail["notes"]]
    subscription = {
        "name": "x",
        "enterprise_id": "wuxi-battery",
        "owner_contact": "mailto://o@a.example",
    }
    client.post("/api/v1/subscriptions", json=subscription)
    [stored] = client.get("/api/v1/subscriptions").json()["subscriptions"]
    _utc(stored["created_at"])


@pytest.fixture(params=["sqlite", "postgresql"])
def site(request: pytest.FixtureRequest) -> Site:
    """The web tests' site (tenants, items dated relative to today, their alerts), over
    SQLite, and over PostgreSQL when it is available."""
    request.getfixturevalue("db" if request.param == "sqlite" else "postgres_url")
    return build_site()


def _states(api: TestClient) -> dict[int, str | None]:
    """Each listed alert's ``deadline_state``, checked against its own detail."""
    listed = api.get("/api/v1/alerts", params={"limit": 200}).json()["alerts"]
    states = {a["id"]: a["deadline_state"] for a in listed}
    for alert_id, state in states.items():
        assert api.get(f"/api/v1/alerts/{alert_id}").json()["deadline_state"] == state
    return states


def test_each_alert_says_where_its_deadline_stands_as_the_dashboard_does(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An API client learns what the dashboard shows without joining the items itself: the
    337 answer still due is running, the UPC deadline past is overdue, news of a case 400
    days after institution is ``lapsed_at_publication`` (not overdue), a resolved alert is
    closed, an alert without a deadline has none; with a fixed data set the states count
    to the day it stands at (``IPRWATCH_DATA_AS_OF``), as the dashboard's do."""
    from core.settings import get_settings

    lapsed_id, _ = _store_late_news(site.today)
    with TestClient(create_app(), headers=admin_headers()) as api:
        wuxi = api.get("/api/v1/alerts", params={"enterprise": "wuxi-battery", "limit": 200})
        by_rule: dict[str, list[dict[str, Any]]] = {}
        for alert in wuxi.json()["alerts"]:
            by_rule.setdefault(alert["rule_id"], []).append(alert)
        [running] = by_rule["named_party_337"]
        [overdue] = by_rule["upc_injunction_in_chain"]
        past = [a for a in by_rule["itc337_in_market_chain"] if a["deadline"] < overdue["deadline"]]
        [old_337] = [a for a in past if a["id"] != lapsed_id]
        no_deadline = by_rule["watch_term_in_item"][0]
        resolved = api.post(f"/api/v1/alerts/{old_337['id']}/resolve").json()
        assert resolved["deadline_state"] == "closed"

        states = _states(api)
        assert states[running["id"]] == "running"
        assert states[overdue["id"]] == "overdue"
        assert states[lapsed_id] == "lapsed_at_publication"
        assert states[old_337["id"]] == "closed"
        assert no_deadline["deadline"] is None and states[no_deadline["id"]] is None
        assert set(states.values()) == {
            "running",
            "overdue",
            "lapsed_at_publication",
            "closed",
            None,
        }
        schema = api.get("/openapi.json").json()["components"]["schemas"]["AlertOut"]
        assert "deadline_state" in schema["required"]

        stands_at = date.fromisoformat(overdue["deadline"]) - timedelta(days=1)
        monkeypatch.setenv("IPRWATCH_DATA_AS_OF", stands_at.isoformat())
        get_settings.cache_clear()
        states = _states(api)  # the same alerts generation: a cached page would not do
        assert states[overdue["id"]] == "running"
        assert states[lapsed_id] == "lapsed_at_publication"
