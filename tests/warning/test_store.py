"""Stored alerts: exactly one per (enterprise, item version, rule), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from core.db import session_scope
from core.models import AlertRow, Item
from core.types import ChainTag, Tags
from warning.profiles import parse_profiles
from warning.store import evaluate_stored_items, save_profiles

PROFILE = """
id: wuxi-battery
name: {zh: 无锡某电池有限公司, en: Wuxi Battery Co.}
chains: [A5]
destinations: [{country: US, export_share: 0.4}]
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return str(request.getfixturevalue("db"))
    return str(request.getfixturevalue("postgres_url"))


def _store_item(
    version: int = 1, title: str = "Certain Lithium-Ion Batteries; 337-TA-1400"
) -> None:
    tags = Tags(
        chains=[ChainTag(id="A5", score=0.9, evidence=["lithium-ion batteries"])],
        kind="dispute",
        jurisdictions=["US"],
        case_refs=["337-TA-1400"],
    )
    with session_scope() as session:
        row = session.get(Item, "fr:1") or Item(id="fr:1", source_id="federal_register")
        row.title, row.version, row.kind = title, version, "dispute"
        row.content_hash = f"h{version}"
        row.jurisdictions, row.case_refs = ["US"], ["337-TA-1400"]
        row.published_at = datetime(2025, 3, 3, tzinfo=UTC)
        row.tags = tags.model_dump(mode="json")
        session.add(row)


def _alert_count() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(AlertRow)) or 0)


def test_evaluating_twice_creates_no_duplicate(database: str) -> None:
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
    _store_item()
    with session_scope() as session:
        first = evaluate_stored_items(session)
        assert [a.rule_id for a in first] == ["itc337_in_market_chain"]
    with session_scope() as session:
        assert evaluate_stored_items(session) == []
    assert _alert_count() == 1


def test_a_new_item_version_gets_its_own_alert(database: str) -> None:
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
    _store_item(version=1)
    with session_scope() as session:
        evaluate_stored_items(session)
    _store_item(version=2, title="Certain Lithium-Ion Batteries; 337-TA-1400; Amended Complaint")
    with session_scope() as session:
        again = evaluate_stored_items(session)
    assert [(a.item_version, a.rule_id) for a in again] == [(2, "itc337_in_market_chain")]
    assert _alert_count() == 2
