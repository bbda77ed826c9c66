"""Principals are cached per API key, yet a revocation, a deactivated user or a withdrawn
enterprise assignment takes effect on the very next request, in every API process."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from api.auth import assign_enterprise, create_api_key, revoke_api_key, unassign_enterprise
from core.db import session_scope
from tests.auth.conftest import Tenants, bearer, login, make_app, new_key
from tests.servers import serve_api, wait_ready


def _revoke(key: str) -> None:
    from api.auth import find_api_key

    with session_scope() as session:
        row = find_api_key(session, key)
        assert row is not None
        revoke_api_key(session, row.id)


def test_revoked_key_is_refused_on_the_very_next_request(tenants: Tenants) -> None:
    key = new_key("acme", ["alerts:read"])
    with TestClient(make_app()) as client:
        for _ in range(3):  # the principal is now cached
            assert client.get("/t/alerts", headers=bearer(key)).status_code == 200
        _revoke(key)
        refused = client.get("/t/alerts", headers=bearer(key))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"


def test_revoking_through_the_admin_api_refuses_the_key_at_once(tenants: Tenants) -> None:
    key = new_key("acme", ["alerts:read"], name="to revoke")
    with TestClient(make_app()) as client:
        assert client.get("/t/alerts", headers=bearer(key)).status_code == 200
        token = login(client, "admin@example.com")
        listed = client.get("/api/v1/admin/keys").json()["keys"]
        key_id = next(k["id"] for k in listed if k["name"] == "to revoke")
        revoked = client.delete(f"/api/v1/admin/keys/{key_id}", headers={"X-CSRF-Token": token})
        assert revoked.status_code == 200
        client.cookies.clear()
        assert client.get("/t/alerts", headers=bearer(key)).status_code == 401


def test_deactivating_a_keys_user_refuses_the_key_at_once(tenants: Tenants) -> None:
    with session_scope() as session:
        user_id = tenants.user_ids["acme@example.com"]
        key = create_api_key(session, "acme", "personal", ["alerts:read"], user_id).plaintext
    with TestClient(make_app()) as client:
        assert client.get("/t/alerts", headers=bearer(key)).status_code == 200
        token = login(client, "admin@example.com")
        patched = client.patch(
            f"/api/v1/admin/users/{user_id}",
            json={"active": False},
            headers={"X-CSRF-Token": token},
        )
        assert patched.status_code == 200
        client.cookies.clear()
        assert client.get("/t/alerts", headers=bearer(key)).status_code == 401


def test_a_withdrawn_assignment_hides_the_enterprise_at_once(tenants: Tenants) -> None:
    key = new_key("hengyuan", ["enterprises:read"])
    with TestClient(make_app()) as client:
        assert client.get("/t/enterprises", headers=bearer(key)).json() == ["ent-a", "ent-c"]
        with session_scope() as session:
            unassign_enterprise(session, "hengyuan", "ent-c")
        assert client.get("/t/enterprises", headers=bearer(key)).json() == ["ent-a"]
        assert client.get("/t/enterprises/ent-c", headers=bearer(key)).status_code == 404
        with session_scope() as session:
            assign_enterprise(session, "hengyuan", "ent-b")
        assert client.get("/t/enterprises", headers=bearer(key)).json() == ["ent-a", "ent-b"]


def test_using_a_key_does_not_drop_the_cached_principals(tenants: Tenants) -> None:
    from api.auth._generation import current_generation

    key = new_key("acme", ["alerts:read"])
    with session_scope() as session:
        before = current_generation(session)
    with TestClient(make_app()) as client:
        for _ in range(3):
            assert client.get("/t/alerts", headers=bearer(key)).status_code == 200
        login(client, "acme@example.com")  # records last_login_at
    with session_scope() as session:
        assert current_generation(session) == before


def _codes(base: str, key: str, count: int) -> set[int]:
    """Status codes of ``count`` requests, each on a new connection (so that the kernel
    hands them to either worker process)."""
    codes = set()
    for _ in range(count):
        with httpx.Client(base_url=base, headers=bearer(key), timeout=10) as client:
            codes.add(client.get("/api/v1/alerts").status_code)
    return codes


@pytest.mark.timeout(180)
def test_revocation_reaches_every_worker_process_on_the_next_request(db: str) -> None:
    from benchmarks._bench_kit import free_port
    from core.models import Organisation

    with session_scope() as session:
        if session.get(Organisation, "acme") is None:
            from api.auth import create_org

            create_org(session, "acme", "exporter", name_en="Acme")
        key = create_api_key(session, "acme", "polling", ["alerts:read"]).plaintext
    port = free_port()
    server = serve_api(port, workers=2)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_ready(base, server)
        assert _codes(base, key, 30) == {200}  # both workers now hold the principal
        _revoke(key)
        assert _codes(base, key, 30) == {401}
    finally:
        server.terminate()
        server.wait(timeout=30)
