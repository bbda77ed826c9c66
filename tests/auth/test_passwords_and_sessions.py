"""Passwords are Argon2id hashes; sessions are signed cookies that end when they should."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.auth import SESSION_COOKIE, authenticate, hash_password, secret_key, verify_password
from core.db import session_scope
from core.models import User
from tests.auth.conftest import PASSWORDS, Tenants, login


def test_password_hash_is_argon2id_and_verifies() -> None:
    stored = hash_password("a long passphrase")
    assert stored.startswith("$argon2id$")
    assert "a long passphrase" not in stored
    assert verify_password(stored, "a long passphrase") == (True, None)
    assert verify_password(stored, "a long passphrasE") == (False, None)
    assert verify_password("not a hash", "a long passphrase") == (False, None)


def test_outdated_hash_is_replaced_on_login(tenants: Tenants) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("acme-password-1")
    with session_scope() as session:
        user = session.scalars(select(User).where(User.email == "acme@example.com")).one()
        user.password_hash = weak
    with session_scope() as session:
        assert authenticate(session, "ACME@example.com ", "acme-password-1") is not None
    with session_scope() as session:
        user = session.scalars(select(User).where(User.email == "acme@example.com")).one()
        assert user.password_hash != weak
        assert not PasswordHasher().check_needs_rehash(user.password_hash)
        assert user.last_login_at is not None
        assert verify_password(user.password_hash, "acme-password-1")[0]


def test_secret_is_generated_once_into_the_data_dir_with_owner_only_access(
    data_dir: Path,
) -> None:
    first = secret_key()
    path = data_dir / "secret_key"
    assert path.read_text().strip() == first
    assert len(first) >= 48
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert secret_key() == first


def test_cookie_signed_with_another_secret_is_not_a_session(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import get_settings

    login(client, "acme@example.com")
    assert client.get("/api/v1/auth/me").status_code == 200
    monkeypatch.setenv("IPRWATCH_SECRET_KEY", "another-secret-entirely-0123456789")
    get_settings.cache_clear()
    assert client.get("/api/v1/auth/me").status_code == 401


def test_tampered_cookie_is_not_a_session(client: TestClient) -> None:
    login(client, "acme@example.com")
    cookie = client.cookies[SESSION_COOKIE]
    client.cookies.set(SESSION_COOKIE, cookie[:-2] + ("AA" if cookie[-2:] != "AA" else "BB"))
    assert client.get("/api/v1/auth/me").status_code == 401


def test_deactivated_user_is_signed_out_at_the_next_request(
    client: TestClient, tenants: Tenants
) -> None:
    login(client, "acme@example.com")
    with session_scope() as session:
        session.get_one(User, tenants.user_ids["acme@example.com"]).active = False
    assert client.get("/api/v1/auth/me").status_code == 401
    response = client.post(
        "/api/v1/auth/login",
        json={"email": "acme@example.com", "password": PASSWORDS["acme@example.com"]},
    )
    assert response.status_code == 401


def test_new_password_ends_existing_sessions(client: TestClient, tenants: Tenants) -> None:
    login(client, "beta@example.com")
    with session_scope() as session:
        user = session.get_one(User, tenants.user_ids["beta@example.com"])
        user.password_hash = hash_password("a brand new password")
    assert client.get("/api/v1/auth/me").status_code == 401


def test_logout_ends_the_session(client: TestClient) -> None:
    token = login(client, "acme@example.com")
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": token}).status_code == 204
    assert client.get("/api/v1/auth/me").status_code == 401


def test_real_app_serves_login_and_anonymous_pages(tenants: Tenants) -> None:
    from api.app import create_app

    with TestClient(create_app()) as client:
        assert client.get("/api/v1/sources").status_code == 200
        page = client.get("/alerts", follow_redirects=False)
        assert page.status_code == 303
        assert page.headers["location"].startswith("/login?next=")
        assert 'href="/login"' in client.get("/sources").text
        login(client, "acme@example.com")
        assert client.get("/api/v1/auth/me").json()["org_id"] == "acme"
        assert "acme" in client.get("/alerts").text
