"""The enterprises API and the alert status actions, over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.db import session_scope
from core.models import Item
from core.types import Party, Tags
from tests.credentials import admin_headers
from warning.store import evaluate_stored_items

# pygal's import hook (reports) warns when `limits` (auth) imports `deprecated`: not ours.
pytestmark = pytest.mark.filterwarnings("ignore:PluginImportFixer:ImportWarning")

PROFILE = {
    "id": "wuxi-netlink",
    "name": {"zh": "无锡锡联网络设备有限公司", "en": "Wuxi Xilian Network Equipment Co., Ltd."},
    "aliases": ["Xilian Networks"],
    "chains": ["L1"],
    "destinations": [{"country": "US", "export_share": 0.4}],
}


@pytest.fixture
def client(db: str, data_dir: Path) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(), headers=admin_headers()) as test_client:
        yield test_client


def _store_named_item(version: int = 1) -> None:
    tags = Tags(
        kind="dispute",
        jurisdictions=["US"],
        case_refs=["337-TA-1460"],
        parties=[Party(name="Xilian Networks Inc.", role="respondent")],
    )
    with session_scope() as session:
        row = session.get(Item, "fr:9") or Item(id="fr:9", source_id="federal_register")
        row.title, row.version, row.kind = (
            f"Certain Routers; 337-TA-1460 v{version}",
            version,
            "dispute",
        )
        row.content_hash, row.jurisdictions = f"h{version}", ["US"]
        row.published_at = datetime(2025, 3, 3, tzinfo=UTC)
        row.tags = tags.model_dump(mode="json")
        session.add(row)
    with session_scope() as session:
        evaluate_stored_items(session)


def test_enterprise_crud(client: TestClient) -> None:
    created = client.post("/api/v1/enterprises", json=PROFILE)
    assert created.status_code == 201, created.text
    assert client.get("/api/v1/enterprises/wuxi-netlink").json()["aliases"] == ["Xilian Networks"]
    again = client.post("/api/v1/enterprises", json=PROFILE)
    assert again.status_code == 422 and again.json()["error"]["fields"][0]["field"] == "id"
    changed = {**PROFILE, "aliases": ["XLNET"]}
    assert client.put("/api/v1/enterprises/wuxi-netlink", json=changed).status_code == 200
    assert client.get("/api/v1/enterprises").json()["enterprises"][0]["aliases"] == ["XLNET"]
    mismatch = client.put("/api/v1/enterprises/other", json=changed)
    assert mismatch.status_code == 422
    assert client.delete("/api/v1/enterprises/wuxi-netlink").status_code == 204
    missing = client.get("/api/v1/enterprises/wuxi-netlink")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


def test_invalid_profile_gets_the_file_import_message(client: TestClient) -> None:
    from warning.profiles import ProfileError, parse_profiles

    body = json.dumps({**PROFILE, "destinations": [{"country": "US", "export_share": 3}]}, indent=1)
    response = client.post(
        "/api/v1/enterprises", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    with pytest.raises(ProfileError) as excinfo:
        parse_profiles(body, "request body")
    assert error["message"] == str(excinfo.value)
    [field] = error["fields"]
    line = next(n for n, text in enumerate(body.splitlines(), 1) if "export_share" in text)
    assert field["field"] == "destinations.0.export_share" and field["line"] == line


def test_import_many_as_yaml(client: TestClient) -> None:
    demo = Path(__file__).resolve().parents[2] / "api" / "demo" / "profiles.yml"
    response = client.post(
        "/api/v1/enterprises/import",
        content=demo.read_bytes(),
        headers={"content-type": "application/yaml"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["imported"] == ["wuxi-netlink", "binhu-medtech", "wuxi-xineng"]


def test_alert_actions_notes_and_status_filter(client: TestClient) -> None:
    assert client.post("/api/v1/enterprises", json=PROFILE).status_code == 201
    _store_named_item()
    [alert] = client.get("/api/v1/alerts", params={"status": "new"}).json()["alerts"]
    url = f"/api/v1/alerts/{alert['id']}"
    assert client.post(f"{url}/acknowledge", json={}).json()["status"] == "acknowledged"
    note = client.post(f"{url}/notes", json={"text": "asked counsel"})
    assert note.status_code == 201
    dismissed = client.post(
        f"{url}/dismiss", json={"reason": "not_us", "note": "US namesake"}
    ).json()
    assert dismissed["status"] == "dismissed"
    assert [n["action"] for n in dismissed["notes"]] == ["acknowledge", "note", "dismiss"]
    assert client.get("/api/v1/alerts", params={"status": "new"}).json()["alerts"] == []
    listed = client.get("/api/v1/alerts", params=[("status", "dismissed"), ("status", "resolved")])
    assert [a["id"] for a in listed.json()["alerts"]] == [alert["id"]]
    _store_named_item(version=2)  # the same party again: suppressed
    assert len(client.get("/api/v1/alerts").json()["alerts"]) == 1
    assert client.post(f"{url}/resolve").json()["status"] == "resolved"


def test_alert_history_is_signed_by_the_caller_not_the_body(client: TestClient) -> None:
    assert client.post("/api/v1/enterprises", json=PROFILE).status_code == 201
    _store_named_item()
    [alert] = client.get("/api/v1/alerts").json()["alerts"]
    url = f"/api/v1/alerts/{alert['id']}"
    forged = [
        client.post(f"{url}/notes", json={"text": "not me", "author": "Director Zhang"}),
        client.post(f"{url}/acknowledge", json={"author": "Director Zhang"}),
        client.post(f"{url}/dismiss", json={"reason": "not_us", "author": "张总"}),
        client.post(f"{url}/resolve", json={"author": "Director Zhang"}),
    ]
    for refused in forged:
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["fields"][0]["field"] == "author"
    unchanged = client.get(url).json()
    assert unchanged["status"] == "new" and unchanged["notes"] == []
    own = client.post(f"{url}/notes", json={"text": "mine", "author": "operator test key"})
    assert own.status_code == 201 and own.json()["author"] == "operator test key"
    acknowledged = client.post(f"{url}/acknowledge", json={"note": "on it"}).json()
    assert [n["author"] for n in acknowledged["notes"]] == ["operator test key"] * 2


def test_alert_action_errors(client: TestClient) -> None:
    assert client.post("/api/v1/alerts/999/acknowledge").status_code == 404
    assert client.post("/api/v1/alerts/999/dismiss", json={}).status_code == 422
    bad = client.get("/api/v1/alerts", params={"status": "archived"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "status"
