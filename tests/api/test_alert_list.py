"""The alert list, written without FastAPI's generic encoder, says what the detail says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient

from api.schemas import AlertOut, AlertPage


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
