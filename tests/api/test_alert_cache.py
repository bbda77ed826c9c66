"""Alert pages are cached and carry ETags, yet every change to an alert shows on the very
next request, in every API process; an unchanged page answers ``If-None-Match`` with 304."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from core.db import session_scope
from core.types import ItemRecord
from tests.api.conftest import ITEMS, PROFILE
from tests.credentials import admin_headers, api_key_headers
from tests.servers import serve_api, wait_ready


def _populate(items: list[ItemRecord] | None = None) -> None:
    """The profile, the items and the alerts the rules raise on them."""
    from api.pipeline import process_items
    from crawlers.store import store_items
    from warning.profiles import parse_profiles
    from warning.store import save_profiles

    chosen = ITEMS if items is None else items
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
        ids: list[str] = []
        for source in sorted({i.source for i in chosen}):
            batch = [i for i in chosen if i.source == source]
            ids += [item_id for item_id, _ in store_items(session, source, batch).written]
        session.flush()
        process_items(session, ids)


def _statuses(client: TestClient | httpx.Client) -> dict[int, str]:
    page = client.get("/api/v1/alerts")
    assert page.status_code == 200
    return {a["id"]: a["status"] for a in page.json()["alerts"]}


def test_an_unchanged_page_answers_if_none_match_with_304(client: TestClient) -> None:
    first = client.get("/api/v1/alerts")
    etag = first.headers["etag"]
    assert first.json()["alerts"]
    again = client.get("/api/v1/alerts", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = client.get("/api/v1/alerts", params={"limit": 1}, headers={"If-None-Match": etag})
    assert other.status_code == 200, "another query is another page"
    assert other.headers["etag"] != etag


def test_acknowledging_shows_on_the_next_request_and_changes_the_etag(client: TestClient) -> None:
    before = client.get("/api/v1/alerts")
    alert_id = before.json()["alerts"][0]["id"]
    assert _statuses(client)[alert_id] == "new"  # served from the cache now
    assert client.post(f"/api/v1/alerts/{alert_id}/acknowledge").status_code == 200
    after = client.get("/api/v1/alerts", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert {a["id"]: a["status"] for a in after.json()["alerts"]}[alert_id] == "acknowledged"
    dismissed = client.post(f"/api/v1/alerts/{alert_id}/dismiss", json={"reason": "not relevant"})
    assert dismissed.status_code == 200
    assert _statuses(client)[alert_id] == "dismissed"


def test_new_and_deleted_alerts_show_on_the_next_request(database: str, data_dir: Path) -> None:
    from api.app import create_app
    from warning.store import delete_profile

    _populate(ITEMS[:1])
    with TestClient(create_app(), headers=admin_headers()) as client:
        first = set(_statuses(client))
        assert first
        _populate()  # the other items raise more alerts, stored by the pipeline
        second = set(_statuses(client))
        assert second > first
        with session_scope() as session:
            delete_profile(session, "wuxi-battery")  # its alerts go with it
        assert _statuses(client) == {}


def test_callers_who_see_different_enterprises_never_share_a_page(
    database: str, data_dir: Path
) -> None:
    from api.app import create_app
    from api.auth import assign_enterprise

    _populate()
    stranger = api_key_headers("other-exporter", "exporter", ["alerts:read"])
    with TestClient(create_app(), headers=admin_headers()) as client:
        assert _statuses(client), "the operator sees every enterprise's alerts"
        page = client.get("/api/v1/alerts", headers=stranger)
        assert page.json() == {"alerts": [], "next_cursor": None}
        with session_scope() as session:
            assign_enterprise(session, "other-exporter", "wuxi-battery")
        mine = client.get("/api/v1/alerts", headers=stranger)
        assert mine.json()["alerts"] == client.get("/api/v1/alerts").json()["alerts"]


def test_no_cache_builds_the_same_page_anew(client: TestClient) -> None:
    cached = client.get("/api/v1/alerts")
    fresh = client.get("/api/v1/alerts", headers={"Cache-Control": "no-cache"})
    assert fresh.status_code == 200
    assert (fresh.content, fresh.headers["etag"]) == (cached.content, cached.headers["etag"])


def _status_seen(base: str, headers: dict[str, str], alert_id: int, count: int) -> set[str]:
    """The alert's status in ``count`` lists, each on a new connection (so that the kernel
    hands them to either worker process)."""
    seen = set()
    for _ in range(count):
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            seen.add(_statuses(client)[alert_id])
    return seen


@pytest.mark.timeout(180)
def test_a_change_reaches_every_worker_process_on_the_next_request(db: str) -> None:
    from benchmarks._bench_kit import free_port

    _populate()
    headers = admin_headers()
    port = free_port()
    server = serve_api(port, workers=2)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, server)
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            alert_id = min(_statuses(client))
        assert _status_seen(base, headers, alert_id, 30) == {"new"}  # both workers cache it
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            assert client.post(f"/api/v1/alerts/{alert_id}/acknowledge").status_code == 200
        assert _status_seen(base, headers, alert_id, 30) == {"acknowledged"}
    finally:
        server.terminate()
        server.wait(timeout=30)
