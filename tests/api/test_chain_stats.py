"""An alliance's chain dashboard data: aggregated, de-identified, its own chains only."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.api.world import ITEMS, World, _alert, build_world, install_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("stats-world") / "var")


def _add_chain_members(count: int) -> None:
    """More L1 enterprises, each with an alert on the 337 dispute."""
    from core.db import session_scope
    from warning.profiles import parse_profiles
    from warning.store import save_profiles

    profiles = "\n".join(
        f"- {{id: l1-co-{n}, name: {{en: L1 Co {n}}}, chains: [L1], "
        f"destinations: [{{country: US}}]}}"
        for n in range(count)
    )
    with session_scope() as session:
        save_profiles(session, parse_profiles(profiles))
        for n in range(count):
            session.add(_alert(f"l1-co-{n}", ITEMS[0].id))


def _stats(world: World, role: str, **params: str) -> dict[str, object]:
    from api.app import create_app

    with TestClient(create_app()) as client:
        response = client.get("/api/v1/stats/chains", params=params, headers=world.headers(role))
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_small_groups_are_suppressed_and_no_enterprise_is_named(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install_world(world, tmp_path, monkeypatch)
    few = _stats(world, "alliance")
    assert few["chains"] == ["L1", "L4"]
    assert few["enterprises"] is None  # two enterprises with alerts: too few to show
    assert few["top_risks"] == few["countries"] == few["disputes_by_month"] == []
    assert few["suppressed_groups"]
    _add_chain_members(2)  # four L1/L4 enterprises now have alerts
    many = _stats(world, "alliance")
    assert many["enterprises"] == 4
    risks = {g["key"]: g for g in many["top_risks"]}  # type: ignore[attr-defined]
    assert risks["us_337"]["enterprises"] == 4 and risks["us_337"]["alerts"] >= 4
    assert {g["key"]: g["enterprises"] for g in many["countries"]} == {"US": 4}  # type: ignore[attr-defined]
    assert "2025-03" in [m["key"] for m in many["disputes_by_month"]]  # type: ignore[attr-defined]
    groups = [*many["top_risks"], *many["countries"], *many["disputes_by_month"]]  # type: ignore[misc]
    assert all(g["enterprises"] >= 3 for g in groups)
    text = str(many)
    assert "ent-a" not in text and "l1-co" not in text and "Alpha" not in text


def test_an_alliance_sees_only_its_own_chains(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from api.app import create_app

    install_world(world, tmp_path, monkeypatch)
    with TestClient(create_app()) as client:
        other = client.get(
            "/api/v1/stats/chains", params={"chain": "L1"}, headers=world.headers("alliance-2")
        )
        assert other.status_code == 404
        assert other.json()["error"]["code"] == "not_found"
    assert _stats(world, "admin", chain="L1")["chains"] == ["L1"]
