"""Cookie-authenticated unsafe requests need the session's CSRF token; API keys do not."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.auth.conftest import bearer, login, new_key


def test_cookie_post_without_token_is_refused(client: TestClient) -> None:
    login(client, "acme@example.com")
    response = client.post("/t/notes")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert "CSRF" in response.json()["error"]["message"]


def test_cookie_post_with_wrong_token_is_refused(client: TestClient) -> None:
    login(client, "acme@example.com")
    assert client.post("/t/notes", headers={"X-CSRF-Token": "guessed"}).status_code == 403


def test_cookie_post_with_header_token_is_accepted(client: TestClient) -> None:
    token = login(client, "acme@example.com")
    response = client.post("/t/notes", headers={"X-CSRF-Token": token})
    assert response.status_code == 200
    assert response.json()["written_by"].startswith("user:")


def test_cookie_post_with_form_token_is_accepted(client: TestClient) -> None:
    token = login(client, "acme@example.com")
    assert client.post("/t/notes", data={"csrf_token": token}).status_code == 200


def test_token_from_another_session_is_refused(client: TestClient, app: object) -> None:
    mine = login(client, "acme@example.com")
    with TestClient(client.app) as other:
        login(other, "beta@example.com")
        assert other.post("/t/notes", headers={"X-CSRF-Token": mine}).status_code == 403


def test_api_key_post_needs_no_csrf_token(client: TestClient) -> None:
    key = new_key("acme", ["alerts:write"])
    assert client.post("/t/notes", headers=bearer(key)).status_code == 200


def test_safe_methods_need_no_token(client: TestClient) -> None:
    login(client, "acme@example.com")
    assert client.get("/t/enterprises").status_code == 200
