"""Abuse of the API (issue #9): oversized uploads and path traversal in report downloads.

(Brute force on sign-in is ``tests/auth/test_login.py::test_login_brute_force_gets_429…``.)
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from api.body_limit import MAX_REQUEST_BYTES
from tests.api.conftest import PROFILE

ONE_PROFILE = PROFILE.strip().replace("\n", "\n  ")


def _oversized_import() -> str:
    """A valid YAML profile file just over the cap (many profiles; each would be stored)."""
    parts, size, number = [], 0, 0
    while size <= MAX_REQUEST_BYTES:
        text = "- " + ONE_PROFILE.replace("wuxi-battery", f"bulk-{number}") + "\n"
        parts.append(text)
        size += len(text.encode())
        number += 1
    return "".join(parts)


def _enterprise_ids(client: TestClient) -> list[str]:
    return [e["id"] for e in client.get("/api/v1/enterprises").json()["enterprises"]]


def _assert_too_large(response: object) -> None:
    assert response.status_code == 413, response.text  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "payload_too_large"
    assert str(MAX_REQUEST_BYTES) in error["message"] and "nothing was stored" in error["message"]


def test_oversized_profile_import_is_refused_and_stores_nothing(client: TestClient) -> None:
    before = _enterprise_ids(client)
    body = _oversized_import()
    response = client.post(
        "/api/v1/enterprises/import", content=body, headers={"content-type": "application/yaml"}
    )
    _assert_too_large(response)
    assert _enterprise_ids(client) == before
    # The same file cut under the cap is imported: the cap, not the content, refused it.
    small = body[: body.index("- id: bulk-50")]
    accepted = client.post(
        "/api/v1/enterprises/import", content=small, headers={"content-type": "application/yaml"}
    )
    assert accepted.status_code == 201, accepted.text
    assert len(accepted.json()["imported"]) == 50


def test_oversized_streamed_upload_without_length_is_cut_off(client: TestClient) -> None:
    before = _enterprise_ids(client)
    body = _oversized_import().encode()

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count
        for start in range(0, len(body), 65536):
            yield body[start : start + 65536]

    response = client.post(
        "/api/v1/enterprises/import", content=chunks(), headers={"content-type": "application/yaml"}
    )
    _assert_too_large(response)
    assert _enterprise_ids(client) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/v1/enterprises"),
        ("PUT", "/api/v1/enterprises/wuxi-battery"),
        ("POST", "/api/v1/searches"),
        ("POST", "/api/v1/subscriptions"),
        ("POST", "/api/v1/alerts/1/notes"),
        ("POST", "/api/v1/auth/login"),
    ],
)
def test_every_body_has_the_same_cap(client: TestClient, method: str, path: str) -> None:
    filler = "x" * (MAX_REQUEST_BYTES + 1)
    response = client.request(
        method,
        path,
        content=f'{{"name": "{filler}"}}',
        headers={"content-type": "application/json"},
    )
    _assert_too_large(response)


TRAVERSALS = [
    "../../../../etc/passwd",
    "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "%252e%252e%252fetc%252fpasswd",
    "..%5c..%5c..%5cetc%5cpasswd",
    "....//....//etc/passwd",
    "%2Fetc%2Fpasswd",
    "1%2F..%2F..%2Fetc%2Fpasswd",
    "1%00.pdf",
]


@pytest.mark.parametrize("kind", ["briefings", "health-checks"])
def test_report_downloads_refuse_path_traversal(client: TestClient, kind: str) -> None:
    for ident in TRAVERSALS:
        for suffix in ("", "/html", "/pdf"):
            response = client.get(f"/api/v1/{kind}/{ident}{suffix}")
            where = f"{kind}/{ident}{suffix}: {response.status_code} {response.text[:200]}"
            assert response.status_code in (404, 422), where
            assert response.headers["content-type"].startswith("application/json"), where
            assert response.json()["error"]["code"] in ("not_found", "invalid_request"), where
            assert "root:" not in response.text, where


@pytest.mark.parametrize("page", ["/briefings", "/health-checks"])
def test_report_pages_refuse_path_traversal(client: TestClient, page: str) -> None:
    for ident in TRAVERSALS:
        response = client.get(f"{page}/{ident}", params={"format": "pdf"})
        assert response.status_code in (303, 404, 422), f"{page}/{ident}: {response.status_code}"
        assert "root:" not in response.text
