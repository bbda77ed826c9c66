"""Signing in: JSON and web form, failures audited, brute force rate limited."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import session_scope
from core.models import AuditEntry
from tests.auth.conftest import PASSWORDS, Tenants, database_dump, make_app


def _audit(action: str) -> list[AuditEntry]:
    with session_scope() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_login_returns_the_tenant_and_me_agrees(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login",
        json={"email": "advisor@example.com", "password": PASSWORDS["advisor@example.com"]},
    )
    assert response.status_code == 200
    me = client.get("/api/v1/auth/me").json()
    assert me["role"] == "advisor"
    assert me["org_id"] == "hengyuan"
    assert me["enterprise_ids"] == ["ent-a", "ent-c"]
    assert me["aggregates_only"] is False
    assert me["csrf_token"] == response.json()["csrf_token"]
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert [e.actor for e in _audit("login.success")] == [f"user:{me['id']}"]


def test_wrong_password_fails_and_is_audited_without_the_password(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login",
        json={"email": "acme@example.com", "password": "guess-number-one"},
    )
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    failures = _audit("login.failure")
    assert len(failures) == 1
    assert failures[0].detail == {"email": "acme@example.com"}
    assert failures[0].actor == "anonymous"
    assert failures[0].ip
    assert "guess-number-one" not in database_dump()


def test_unknown_email_and_wrong_password_look_the_same(client: TestClient) -> None:
    unknown = client.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": "whatever-123"}
    )
    wrong = client.post(
        "/api/v1/auth/login", json={"email": "beta@example.com", "password": "whatever-123"}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


def test_login_brute_force_gets_429_with_retry_after(
    tenants: Tenants, monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.settings import get_settings

    monkeypatch.setenv("IPRWATCH_RATE_LIMIT_LOGIN", "3/minute")
    get_settings.cache_clear()
    client = TestClient(make_app())
    for attempt in range(3):
        response = client.post(
            "/api/v1/auth/login",
            json={"email": "acme@example.com", "password": f"guess-{attempt:04d}"},
        )
        assert response.status_code == 401
    blocked = client.post(
        "/api/v1/auth/login",
        json={"email": "acme@example.com", "password": PASSWORDS["acme@example.com"]},
    )
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(blocked.headers["Retry-After"]) <= 60
    assert len(_audit("login.rate_limited")) == 1


def test_web_login_form_signs_in_and_header_shows_the_user(client: TestClient) -> None:
    form = client.get("/login", params={"lang": "en"})
    assert form.status_code == 200
    assert '<label for="login-email">' in form.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    response = client.post(
        "/login",
        data={
            "email": "acme@example.com",
            "password": PASSWORDS["acme@example.com"],
            "csrf_token": token.group(1),
            "next": "/search",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/search"
    page = client.get("/alerts")
    assert "acme" in page.text
    assert 'action="/logout"' in page.text
    logout_token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert logout_token is not None
    out = client.post("/logout", data={"csrf_token": logout_token.group(1)}, follow_redirects=False)
    assert out.status_code == 303
    assert client.get("/api/v1/auth/me").status_code == 401


def test_web_login_page_is_chinese_by_default(client: TestClient) -> None:
    page = client.get("/login")
    assert '<html lang="zh-CN">' in page.text
    assert "电子邮箱" in page.text


def test_web_login_without_the_form_token_is_refused(client: TestClient) -> None:
    response = client.post(
        "/login",
        data={"email": "acme@example.com", "password": PASSWORDS["acme@example.com"]},
        follow_redirects=False,
    )
    assert response.status_code == 400
    assert client.get("/api/v1/auth/me").status_code == 401


def test_web_login_never_redirects_off_site(client: TestClient, tenants: Tenants) -> None:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    response = client.post(
        "/login",
        data={
            "email": "acme@example.com",
            "password": PASSWORDS["acme@example.com"],
            "csrf_token": token.group(1),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"
