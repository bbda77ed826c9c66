"""API keys: shown once, stored hashed, revocable, scoped, rate limited per key."""

from __future__ import annotations

import hashlib
import uuid

import pytest
from fastapi.testclient import TestClient

from api.auth import RateLimited, RateLimiter
from tests.auth.conftest import Tenants, bearer, database_dump, login, make_app, new_key
from tests.conftest import require_service


def test_key_is_shown_once_and_only_its_hash_is_stored(client: TestClient) -> None:
    token = login(client, "admin@example.com")
    created = client.post(
        "/api/v1/admin/keys",
        json={"org_id": "acme", "name": "ERP sync", "scopes": ["alerts:read"]},
        headers={"X-CSRF-Token": token},
    )
    assert created.status_code == 201
    key = created.json()["key"]
    assert key.startswith("iprw_")
    assert len(key) >= 40
    listed = client.get("/api/v1/admin/keys", params={"org": "acme"})
    assert key not in listed.text
    assert listed.json()["keys"][0]["prefix"] == key[:12]
    dump = database_dump()
    assert key not in dump
    assert key[12:] not in dump
    assert hashlib.sha256(key.encode()).hexdigest() in dump
    with TestClient(make_app()) as machine:
        me = machine.get("/api/v1/auth/me", headers=bearer(key))
        assert me.status_code == 200
        assert me.json()["org_id"] == "acme"
        assert me.json()["kind"] == "key"
        assert machine.get("/api/v1/auth/me", headers={"X-API-Key": key}).status_code == 200


def test_revoked_key_is_rejected_at_once(client: TestClient) -> None:
    key = new_key("acme", ["alerts:read"])
    assert client.get("/t/alerts", headers=bearer(key)).status_code == 200
    with TestClient(make_app()) as admin:
        token = login(admin, "admin@example.com")
        key_id = admin.get("/api/v1/admin/keys").json()["keys"][0]["id"]
        revoked = admin.delete(f"/api/v1/admin/keys/{key_id}", headers={"X-CSRF-Token": token})
        assert revoked.status_code == 200
        assert revoked.json()["revoked_at"] is not None
    rejected = client.get("/t/alerts", headers=bearer(key))
    assert rejected.status_code == 401
    assert rejected.json()["error"]["code"] == "unauthorized"
    assert "Bearer" in rejected.headers["WWW-Authenticate"]


def test_unknown_key_is_a_401_not_anonymous(client: TestClient, tenants: Tenants) -> None:
    forged = "iprw_" + "A" * 43
    assert client.get("/api/v1/auth/me", headers=bearer(forged)).status_code == 401
    assert client.get("/api/v1/sources", headers=bearer(forged)).status_code == 200


def test_scope_is_enforced(client: TestClient) -> None:
    search_only = new_key("acme", ["search:read"])
    denied = client.get("/t/alerts", headers=bearer(search_only))
    assert denied.status_code == 403
    assert "alerts:read" in denied.json()["error"]["message"]
    allowed = client.get("/t/alerts", headers=bearer(new_key("acme", ["alerts:read"])))
    assert allowed.status_code == 200
    assert allowed.json()["actor"].startswith("key:")


def test_key_scopes_never_exceed_the_role(client: TestClient) -> None:
    alliance_key = new_key("iot", ["alerts:read", "stats:read"])
    me = client.get("/api/v1/auth/me", headers=bearer(alliance_key)).json()
    assert me["scopes"] == ["stats:read"]
    assert me["aggregates_only"] is True
    assert client.get("/t/alerts", headers=bearer(alliance_key)).status_code == 403


def test_a_new_key_shows_only_the_scopes_its_role_allows(client: TestClient) -> None:
    csrf = {"X-CSRF-Token": login(client, "admin@example.com")}
    wanted = {"org_id": "iot", "name": "dashboard", "scopes": ["alerts:read", "stats:read"]}
    created = client.post("/api/v1/admin/keys", json=wanted, headers=csrf)
    assert created.status_code == 201, created.text
    assert created.json()["scopes"] == ["stats:read"]  # what it can do, nothing more
    listed = client.get("/api/v1/admin/keys", headers=csrf).json()["keys"]
    assert [k["scopes"] for k in listed if k["name"] == "dashboard"] == [["stats:read"]]
    useless = client.post(
        "/api/v1/admin/keys", json={**wanted, "scopes": ["alerts:read"]}, headers=csrf
    )
    assert useless.status_code == 422
    message = useless.json()["error"]["message"]
    assert "alliance role cannot have alerts:read" in message and "stats:read" in message


def test_unknown_scope_is_refused_with_the_valid_ones(client: TestClient) -> None:
    token = login(client, "admin@example.com")
    response = client.post(
        "/api/v1/admin/keys",
        json={"org_id": "acme", "name": "typo", "scopes": ["alert:read"]},
        headers={"X-CSRF-Token": token},
    )
    assert response.status_code == 422
    assert "alerts:read" in response.json()["error"]["message"]


def test_rate_limit_is_per_key(tenants: Tenants, monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("IPRWATCH_RATE_LIMIT_API_KEY", "5/minute")
    get_settings.cache_clear()
    busy, quiet = new_key("acme", ["alerts:read"]), new_key("beta", ["alerts:read"])
    with TestClient(make_app()) as client:
        for _ in range(5):
            assert client.get("/t/alerts", headers=bearer(busy)).status_code == 200
        limited = client.get("/t/alerts", headers=bearer(busy))
        assert limited.status_code == 429
        assert limited.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(limited.headers["Retry-After"]) <= 60
        assert client.get("/t/alerts", headers=bearer(quiet)).status_code == 200


def test_rate_limit_counts_are_shared_through_redis(data_dir: object) -> None:
    url = require_service("IPRWATCH_TEST_REDIS_URL", "Redis")
    one, two = RateLimiter.from_settings(url), RateLimiter.from_settings(url)
    key_id = uuid.uuid4().int % 10**12  # unique per run: the Redis database is shared
    one.api_key = two.api_key = type(one.api_key)(3)
    try:
        one.hit_api_key(key_id)
        two.hit_api_key(key_id)
        one.hit_api_key(key_id)
        with pytest.raises(RateLimited) as raised:
            two.hit_api_key(key_id)
        assert raised.value.retry_after >= 1
    finally:
        one.storage.clear(one.api_key.key_for("api_key", str(key_id)))
