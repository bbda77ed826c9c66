"""Saved searches: stored queries that users save, list, run and delete (API and CLI)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import ITEMS, PROFILE
from tests.cli.test_cli import CAFC_FEED, _lines, iprwatch
from tests.credentials import admin_headers

BATTERY_QUERY = {"q": "lithium", "jurisdictions": ["US"]}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    """The records database: SQLite always, PostgreSQL when it is available."""
    fixture = "db" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def client(database: str, data_dir: Path) -> Iterator[TestClient]:
    """The API over stored, tagged and indexed items and one enterprise profile."""
    from api.app import create_app
    from api.pipeline import process_items
    from core.db import session_scope
    from crawlers.store import store_items
    from warning.profiles import parse_profiles
    from warning.store import save_profiles

    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
        ids: list[str] = []
        for source in sorted({i.source for i in ITEMS}):
            result = store_items(session, source, [i for i in ITEMS if i.source == source])
            ids += [item_id for item_id, _ in result.written]
        session.flush()
        process_items(session, ids)
    with TestClient(create_app(), headers=admin_headers()) as test_client:
        yield test_client


def _save(client: TestClient, name: str, query: dict[str, Any], **extra: Any) -> Any:
    return client.post("/api/v1/searches", json={"name": name, "query": query, **extra})


def test_saved_search_runs_like_the_same_search(client: TestClient) -> None:
    created = _save(client, "US lithium", BATTERY_QUERY)
    assert created.status_code == 201, created.text
    saved = created.json()
    assert saved["name"] == "US lithium" and saved["query"] == BATTERY_QUERY

    run = client.get(f"/api/v1/searches/{saved['id']}/run").json()
    direct = client.get("/api/v1/items", params={"q": "lithium", "country": "US"}).json()
    assert run["total"] == direct["total"] == 1
    assert [h["id"] for h in run["hits"]] == [h["id"] for h in direct["hits"]]
    assert "<mark>" in run["hits"][0]["snippet"]
    assert run["facets"]["jurisdiction"] == {"US": 1}


def test_saved_chinese_search_finds_chinese_item(client: TestClient) -> None:
    saved = _save(client, "光伏禁令", {"q": "光伏", "jurisdictions": ["UPC"]}).json()
    run = client.get(f"/api/v1/searches/{saved['id']}/run").json()
    assert [h["title"] for h in run["hits"]] == [ITEMS[2].title]


def test_saved_searches_are_listed_by_owner_and_can_be_renamed(client: TestClient) -> None:
    _save(client, "shared", {"q": "patent"})
    mine = _save(client, "battery watch", BATTERY_QUERY, enterprise_id="wuxi-battery").json()
    everything = client.get("/api/v1/searches").json()["searches"]
    assert [s["name"] for s in everything] == ["battery watch", "shared"]
    owned = client.get("/api/v1/searches", params={"enterprise": "wuxi-battery"}).json()["searches"]
    assert [s["id"] for s in owned] == [mine["id"]]

    renamed = client.patch(f"/api/v1/searches/{mine['id']}", json={"name": "电池预警"})
    assert renamed.json()["name"] == "电池预警"
    assert client.get(f"/api/v1/searches/{mine['id']}").json()["query"] == BATTERY_QUERY


def test_deleted_saved_search_is_gone(client: TestClient) -> None:
    saved = _save(client, "temporary", {"q": "patent"}).json()
    assert client.delete(f"/api/v1/searches/{saved['id']}").status_code == 204
    for path in (f"/api/v1/searches/{saved['id']}", f"/api/v1/searches/{saved['id']}/run"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    assert client.get("/api/v1/searches").json()["searches"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "bad kind", "query": {"kinds": ["lawsuit"]}}, "query.kinds"),
        ({"name": "bad dates", "query": {"since": "2025-02-01", "until": "2025-01-01"}}, "query"),
        ({"name": "bad filter", "query": {"colour": "red"}}, "query.colour"),
        ({"name": "nobody's", "query": {}, "enterprise_id": "no-such"}, "enterprise_id"),
        ({"name": "   ", "query": {"q": "patent"}}, "name"),
    ],
)
def test_invalid_saved_search_gets_422_naming_the_field(
    client: TestClient, body: dict[str, Any], field: str
) -> None:
    response = client.post("/api/v1/searches", json=body)
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["error"]["fields"]] == [field]
    assert client.get("/api/v1/searches").json()["searches"] == []


def test_same_name_twice_for_one_owner_is_refused(client: TestClient) -> None:
    assert _save(client, "watch", {"q": "patent"}).status_code == 201
    again = _save(client, "watch", {"q": "lithium"})
    assert again.status_code == 422
    assert again.json()["error"]["fields"][0]["field"] == "name"
    other_owner = _save(client, "watch", {"q": "lithium"}, enterprise_id="wuxi-battery")
    assert other_owner.status_code == 201


def test_saved_search_pages_with_its_cursor(client: TestClient) -> None:
    saved = _save(client, "all patents", {"ip_types": ["patent"], "limit": 1}).json()
    first = client.get(f"/api/v1/searches/{saved['id']}/run").json()
    assert len(first["hits"]) == 1 and first["next_cursor"]
    second = client.get(
        f"/api/v1/searches/{saved['id']}/run", params={"cursor": first["next_cursor"]}
    ).json()
    assert second["hits"] and second["hits"][0]["id"] != first["hits"][0]["id"]
    foreign = client.get("/api/v1/items", params={"q": "patent", "limit": 1}).json()
    stray = client.get(
        f"/api/v1/searches/{saved['id']}/run", params={"cursor": foreign["next_cursor"]}
    )
    assert stray.status_code == 422
    assert stray.json()["error"]["fields"][0]["field"] == "cursor"


def test_cli_saves_lists_runs_and_deletes_a_search(tmp_path: Path) -> None:
    workdir = tmp_path / "var"
    iprwatch("crawl", "cafc_opinions", "--replay", str(CAFC_FEED), data_dir=workdir)
    searched = iprwatch("search", "Kyocera", "--country", "US", "--save", "kyocera us",
                        data_dir=workdir)  # fmt: skip
    assert searched.returncode == 0, searched.stderr
    assert "saved search" in searched.stderr

    listed = _lines(iprwatch("searches", "list", data_dir=workdir).stdout)
    assert [(s["name"], s["query"]) for s in listed] == [
        ("kyocera us", {"q": "Kyocera", "jurisdictions": ["US"]})
    ]
    ran = iprwatch("searches", "run", "kyocera us", data_dir=workdir)
    assert ran.returncode == 0, ran.stderr
    assert [h["id"] for h in _lines(ran.stdout)] == [h["id"] for h in _lines(searched.stdout)]

    deleted = iprwatch("searches", "delete", "kyocera us", data_dir=workdir)
    assert deleted.returncode == 0, deleted.stderr
    gone = iprwatch("searches", "run", "kyocera us", data_dir=workdir)
    assert gone.returncode == 2 and "no saved search named 'kyocera us'" in gone.stderr
    assert _lines(iprwatch("searches", "list", data_dir=workdir).stdout) == []


def test_cli_refuses_to_save_for_an_unknown_owner_or_without_a_name(tmp_path: Path) -> None:
    workdir = tmp_path / "var"
    iprwatch("crawl", "cafc_opinions", "--replay", str(CAFC_FEED), data_dir=workdir)
    stray = iprwatch("search", "Kyocera", "--save", "k", "--owner", "typo-ent", data_dir=workdir)
    assert stray.returncode == 2
    assert "no enterprise 'typo-ent'" in stray.stderr and "Traceback" not in stray.stderr
    unnamed = iprwatch("search", "Kyocera", "--save", "", data_dir=workdir)
    assert unnamed.returncode == 2 and "name" in unnamed.stderr
    assert _lines(iprwatch("searches", "list", data_dir=workdir).stdout) == []
