"""Administration through the API, and the audit log it leaves (without secrets)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.auth import audit, redact
from core.db import session_scope
from tests.auth.conftest import Tenants, database_dump, login


def test_admin_creates_an_organisation_and_a_user_who_can_sign_in(client: TestClient) -> None:
    token = login(client, "admin@example.com")
    headers = {"X-CSRF-Token": token}
    org = client.post(
        "/api/v1/admin/orgs",
        json={"id": "gamma", "kind": "exporter", "name_zh": "伽马科技"},
        headers=headers,
    )
    assert org.status_code == 201
    user = client.post(
        "/api/v1/admin/users",
        json={
            "email": "Gamma@Example.com",
            "password": "gamma-secret-99",
            "org_id": "gamma",
            "role": "exporter",
        },
        headers=headers,
    )
    assert user.status_code == 201
    assert user.json()["email"] == "gamma@example.com"
    assert "password" not in user.text
    assert "gamma-secret-99" not in database_dump()
    with TestClient(client.app) as gamma:
        response = gamma.post(
            "/api/v1/auth/login", json={"email": "gamma@example.com", "password": "gamma-secret-99"}
        )
        assert response.status_code == 200
        assert response.json()["org_id"] == "gamma"


def test_bad_admin_input_gets_a_clear_422(client: TestClient) -> None:
    headers = {"X-CSRF-Token": login(client, "admin@example.com")}
    wrong_role = client.post(
        "/api/v1/admin/users",
        json={
            "email": "x@example.com",
            "password": "long-enough-1",
            "org_id": "acme",
            "role": "admin",
        },
        headers=headers,
    )
    assert wrong_role.status_code == 422
    assert "exporter organisation cannot have a admin user" in wrong_role.json()["error"]["message"]
    short = client.post(
        "/api/v1/admin/users",
        json={"email": "y@example.com", "password": "short", "org_id": "acme", "role": "exporter"},
        headers=headers,
    )
    assert short.status_code == 422
    assert "at least 10 characters" in short.json()["error"]["message"]
    dup = client.post(
        "/api/v1/admin/orgs",
        json={"id": "acme", "kind": "exporter", "name_en": "A"},
        headers=headers,
    )
    assert dup.status_code == 422


def test_audit_records_who_did_what_without_secrets(client: TestClient) -> None:
    headers = {"X-CSRF-Token": login(client, "admin@example.com")}
    client.post(
        "/api/v1/admin/users",
        json={
            "email": "z@example.com",
            "password": "zulu-secret-77",
            "org_id": "beta",
            "role": "exporter",
        },
        headers=headers,
    )
    created = client.post(
        "/api/v1/admin/keys",
        json={"org_id": "beta", "name": "feed reader", "scopes": ["alerts:read"]},
        headers=headers,
    ).json()
    client.delete(f"/api/v1/admin/keys/{created['id']}", headers=headers)
    entries = client.get("/api/v1/admin/audit").json()["entries"]
    actions = [e["action"] for e in entries]
    assert actions[:4] == ["api_key.revoke", "api_key.create", "user.create", "login.success"]
    admin_actor = entries[0]["actor"]
    assert admin_actor.startswith("user:")
    assert {e["actor"] for e in entries[:3]} == {admin_actor}
    assert entries[1]["org_id"] == "beta"
    assert entries[1]["detail"]["prefix"] == created["prefix"]
    text = str(entries)
    assert created["key"] not in text
    assert "zulu-secret-77" not in text
    assert created["key"] not in database_dump()


def test_audit_log_pages_with_a_cursor(client: TestClient, tenants: Tenants) -> None:
    with session_scope() as session:
        for n in range(5):
            audit(session, "cli", "test.action", "thing", n, org_id="acme")
    login(client, "admin@example.com")
    first = client.get("/api/v1/admin/audit", params={"action": "test.action", "limit": 3}).json()
    assert [e["target_id"] for e in first["entries"]] == ["4", "3", "2"]
    rest = client.get(
        "/api/v1/admin/audit",
        params={"action": "test.action", "limit": 3, "cursor": first["next_cursor"]},
    ).json()
    assert [e["target_id"] for e in rest["entries"]] == ["1", "0"]
    assert rest["next_cursor"] is None


def test_secrets_in_details_are_redacted() -> None:
    assert redact({"email": "a@b.c", "password": "p", "nested": [{"api_key": "k", "n": 1}]}) == {
        "email": "a@b.c",
        "password": "[redacted]",
        "nested": [{"api_key": "[redacted]", "n": 1}],
    }
