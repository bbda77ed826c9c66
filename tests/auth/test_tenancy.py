"""Each tenant sees its own enterprises; another tenant's id is a 404 like a missing one."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.auth import deidentify_counts
from tests.auth.conftest import bearer, login, new_key

VISIBLE = {
    "admin@example.com": ["ent-a", "ent-b", "ent-c"],
    "acme@example.com": ["ent-a"],
    "beta@example.com": ["ent-b"],
    "advisor@example.com": ["ent-a", "ent-c"],
    "alliance@example.com": [],
}


@pytest.mark.parametrize("email", sorted(VISIBLE))
def test_each_role_lists_only_its_enterprises(client: TestClient, email: str) -> None:
    login(client, email)
    assert client.get("/t/enterprises").json() == VISIBLE[email]


@pytest.mark.parametrize("email", sorted(VISIBLE))
def test_other_tenants_id_and_missing_id_get_the_same_404(client: TestClient, email: str) -> None:
    login(client, email)
    for ent in ("ent-a", "ent-b", "ent-c"):
        response = client.get(f"/t/enterprises/{ent}")
        if ent in VISIBLE[email]:
            assert response.status_code == 200
            continue
        assert response.status_code == 404
        missing = client.get("/t/enterprises/no-such-ent")
        assert missing.status_code == 404
        assert response.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
        assert set(response.json()["error"]) == set(missing.json()["error"])


def test_organisation_key_sees_what_its_organisation_sees(client: TestClient) -> None:
    key = new_key("hengyuan", ["enterprises:read"])
    assert client.get("/t/enterprises", headers=bearer(key)).json() == ["ent-a", "ent-c"]
    assert client.get("/t/enterprises/ent-b", headers=bearer(key)).status_code == 404


def test_assignment_change_takes_effect_on_the_next_request(client: TestClient) -> None:
    token = login(client, "admin@example.com")
    with TestClient(client.app) as beta:
        login(beta, "beta@example.com")
        assert beta.get("/t/enterprises/ent-c").status_code == 404
        put = client.put(
            "/api/v1/admin/orgs/beta/enterprises/ent-c", headers={"X-CSRF-Token": token}
        )
        assert put.status_code == 200
        assert beta.get("/t/enterprises/ent-c").status_code == 200
        gone = client.delete(
            "/api/v1/admin/orgs/beta/enterprises/ent-c", headers={"X-CSRF-Token": token}
        )
        assert gone.status_code == 204
        assert beta.get("/t/enterprises/ent-c").status_code == 404


@pytest.mark.parametrize(
    "email", ["acme@example.com", "advisor@example.com", "alliance@example.com"]
)
def test_only_admins_reach_the_admin_api(client: TestClient, email: str) -> None:
    token = login(client, email)
    assert client.get("/api/v1/admin/users").status_code == 403
    created = client.post(
        "/api/v1/admin/keys",
        json={"org_id": "beta", "name": "x", "scopes": ["alerts:read"]},
        headers={"X-CSRF-Token": token},
    )
    assert created.status_code == 403


def test_anonymous_callers_get_401_on_protected_routes(client: TestClient) -> None:
    assert client.get("/t/enterprises").status_code == 401
    assert client.get("/api/v1/admin/orgs").status_code == 401


def test_web_pages_send_anonymous_browsers_to_the_sign_in_form(client: TestClient) -> None:
    anonymous = client.get("/t/page", params={"lang": "en"}, follow_redirects=False)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=%2Ft%2Fpage%3Flang%3Den"
    login(client, "beta@example.com")
    assert client.get("/t/page").json()["page_for"].startswith("user:")


def test_small_groups_are_suppressed_from_aggregates() -> None:
    assert deidentify_counts({"L1": 7, "L4": 2, "A5": 3}) == {"L1": 7, "A5": 3}
