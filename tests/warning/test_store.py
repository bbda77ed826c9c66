"""Stored alerts: exactly one per (enterprise, item version, rule), on SQLite and PostgreSQL."""

from __future__ import annotations

import gc
import weakref
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from core.db import session_scope
from core.models import AlertRow, Enterprise, Item
from core.records import item_to_record
from core.types import ChainTag, Party, Tags
from warning import store
from warning.engine import evaluate_item
from warning.profiles import parse_profiles
from warning.store import (
    DECIDE_BATCH,
    NOT_US,
    alert_notes,
    change_alert_status,
    evaluate_new_alert_ids,
    evaluate_stored_items,
    get_alert,
    profile_index,
    save_profiles,
    stored_suppressions,
)

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
    version: int = 1,
    title: str = "Certain Lithium-Ion Batteries; 337-TA-1400",
    item_id: str = "fr:1",
    published_at: datetime = datetime(2025, 3, 3, tzinfo=UTC),
) -> None:
    tags = Tags(
        chains=[ChainTag(id="A5", score=0.9, evidence=["lithium-ion batteries"])],
        kind="dispute",
        jurisdictions=["US"],
        case_refs=["337-TA-1400"],
    )
    with session_scope() as session:
        row = session.get(Item, item_id) or Item(id=item_id, source_id="federal_register")
        row.title, row.version, row.kind = title, version, "dispute"
        row.content_hash = f"h{version}"
        row.jurisdictions, row.case_refs = ["US"], ["337-TA-1400"]
        row.published_at = published_at
        row.tags = tags.model_dump(mode="json")
        session.add(row)


def _alert_count() -> int:
    with session_scope() as session:
        return int(session.scalar(select(func.count()).select_from(AlertRow)) or 0)


def test_an_evaluation_as_of_a_day_leaves_items_published_after_it_for_later(
    database: str,
) -> None:
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
    _store_item(item_id="fr:late", published_at=datetime(2025, 3, 4, 0, 0, 1, tzinfo=UTC))
    _store_item(item_id="fr:eve", published_at=datetime(2025, 3, 3, 23, 59, 59, tzinfo=UTC))
    with session_scope() as session:
        alerts = evaluate_stored_items(session, as_of=date(2025, 3, 3))
        assert [(a.item_id, a.deadline) for a in alerts] == [("fr:eve", date(2025, 3, 23))]
        assert store.count_published_after(session, date(2025, 3, 3)) == 1
    with session_scope() as session:
        assert session.get(Item, "fr:late").evaluated_version is None  # not used up
        later = evaluate_stored_items(session, as_of=date(2025, 3, 4))
        assert [a.item_id for a in later] == ["fr:late"]


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


def test_a_profile_stored_before_the_vocabularies_still_loads_and_others_still_alert(
    database: str,
) -> None:
    # Stored by an earlier version: a chain and a status the vocabularies now refuse, and
    # shares over 100%. Import refuses such a profile now; read back, it is kept as it is.
    older = {
        "id": "older-co",
        "name": {"en": "Older Co."},
        "chains": ["XX9", "a5"],
        "destinations": [
            {"country": "US", "export_share": 0.8},
            {"country": "de", "export_share": 0.5},
        ],
        "ip_assets": [{"type": "patent", "jurisdiction": "US", "status": "in limbo"}],
        "contacts": ["call Mr Li"],
    }
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
        session.add(Enterprise(id="older-co", name_en="Older Co.", profile=older))
    _store_item()
    with session_scope() as session:
        kept = store.get_profile(session, "older-co")
        assert kept.chains == ["XX9", "A5"] and [d.country for d in kept.destinations] == [
            "US",
            "DE",
        ]
        assert kept.ip_assets[0].status == "in limbo" and kept.contacts == ["call Mr Li"]
        alerts = evaluate_stored_items(session)
    assert sorted(a.enterprise_id for a in alerts) == ["older-co", "wuxi-battery"]


def test_items_past_one_decided_batch_all_get_their_alerts(database: str) -> None:
    count = 2 * DECIDE_BATCH + 1  # the worker decides a batch, then stores its alerts
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
    for n in range(count):
        _store_item(item_id=f"fr:{n:03d}")
    with session_scope() as session:
        created = evaluate_new_alert_ids(session)
    with session_scope() as session:
        alerted = session.scalars(select(AlertRow.item_id).order_by(AlertRow.item_id)).all()
        unevaluated = session.scalar(
            select(func.count()).select_from(Item).where(Item.evaluated_version.is_(None))
        )
    assert alerted == [f"fr:{n:03d}" for n in range(count)]
    assert len(created) == count and unevaluated == 0
    with session_scope() as session:
        assert evaluate_new_alert_ids(session) == []


def test_stored_alert_reads_back_as_evaluated(database: str) -> None:
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
    _store_item()
    with session_scope() as session:
        expected = evaluate_item(item_to_record(session.get(Item, "fr:1")), profile_index(session))
    with session_scope() as session:
        [row] = evaluate_stored_items(session)
        assert row.status == "new" and row.created_at is not None
        assert (row.title, row.explanation, row.action) == (
            expected[0].title,
            expected[0].explanation,
            expected[0].action,
        )
        assert row.explanation["en"].startswith("A US ITC Section 337 investigation (337-TA-1400)")
        assert "“" not in row.explanation["en"] and "（337-TA-1400）" in row.explanation["zh"]


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


NAMED = """
id: wuxi-netlink
name: {zh: 无锡锡联网络设备有限公司, en: "Wuxi Xilian Network Equipment Co., Ltd."}
aliases: [Xilian Networks]
chains: [L1]
destinations: [{country: US, export_share: 0.4}]
"""


def _store_named_item(version: int, party: str) -> None:
    tags = Tags(
        kind="dispute",
        jurisdictions=["US"],
        case_refs=["337-TA-1460"],
        parties=[Party(name=party, role="respondent")],
    )
    with session_scope() as session:
        row = session.get(Item, "fr:2") or Item(id="fr:2", source_id="federal_register")
        row.title, row.version, row.kind = (
            f"Certain Routers; 337-TA-1460 (v{version})",
            version,
            "dispute",
        )
        row.content_hash = f"n{version}"
        row.jurisdictions, row.case_refs = ["US"], ["337-TA-1460"]
        row.published_at = datetime(2025, 3, 3, tzinfo=UTC)
        row.tags = tags.model_dump(mode="json")
        session.add(row)


def test_not_us_dismissal_suppresses_the_same_party_in_future(database: str) -> None:
    with session_scope() as session:
        save_profiles(session, parse_profiles(NAMED))
    _store_named_item(1, "Xilian Networks Inc.")
    with session_scope() as session:
        [alert] = evaluate_stored_items(session)
        assert alert.rule_id == "named_party_337"
        change_alert_status(session, alert.id, "dismiss", "a Delaware company", NOT_US, "advisor")
    with session_scope() as session:
        assert stored_suppressions(session) == {"wuxi-netlink": frozenset({"xilian networks"})}
        assert get_alert(session, alert.id).status == "dismissed"
        assert [n.reason for n in alert_notes(session, alert.id)] == ["not_us"]
    _store_named_item(2, "Xilian Networks, Inc.")
    with session_scope() as session:
        assert evaluate_stored_items(session) == []
    _store_named_item(3, "Wuxi Xilian Network Equipment Co Ltd")
    with session_scope() as session:
        assert [a.rule_id for a in evaluate_stored_items(session)] == ["named_party_337"]


def test_other_dismissals_do_not_suppress(database: str) -> None:
    with session_scope() as session:
        save_profiles(session, parse_profiles(NAMED))
    _store_named_item(1, "Xilian Networks Inc.")
    with session_scope() as session:
        [alert] = evaluate_stored_items(session)
        change_alert_status(session, alert.id, "dismiss", "", "duplicate")
    _store_named_item(2, "Xilian Networks Inc.")
    with session_scope() as session:
        assert [a.item_version for a in evaluate_stored_items(session)] == [2]
        assert stored_suppressions(session) == {}


def test_new_alert_ids_are_returned_once(database: str) -> None:
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
    _store_item()
    with session_scope() as session:
        first = evaluate_new_alert_ids(session, ["fr:1"])
    with session_scope() as session:
        assert evaluate_new_alert_ids(session, ["fr:1"]) == []
        assert [get_alert(session, i).rule_id for i in first] == ["itc337_in_market_chain"]


def test_health_check_loads_the_stored_items_of_the_last_12_months(database: str) -> None:
    from datetime import date

    from warning.health import health_check_of

    with session_scope() as session:
        save_profiles(session, parse_profiles(NAMED))
    _store_named_item(1, "Xilian Networks Inc.")  # published 2025-03-03
    with session_scope() as session:
        inside = health_check_of("wuxi-netlink", date(2025, 12, 31), session)
        outside = health_check_of("wuxi-netlink", date(2026, 6, 30), session)
    assert inside.items_considered == 1 and outside.items_considered == 0
    d7 = next(d for d in inside.dimensions if d.id == "D7")
    assert d7.score == 65.0 and any(e.item_id == "fr:2" for e in d7.evidence)


def test_a_changed_profile_is_matched_as_changed_on_the_next_evaluation(database: str) -> None:
    _store_item()
    outside = PROFILE.replace("country: US", "country: JP")
    with session_scope() as session:
        save_profiles(session, parse_profiles(outside))
    with session_scope() as session:
        assert evaluate_stored_items(session) == []  # not exporting to the US: no 337 alert

    with session_scope() as session:  # the enterprise starts exporting to the US
        save_profiles(session, parse_profiles(PROFILE))
    with session_scope() as session:
        assert {a.rule_id for a in evaluate_stored_items(session)} == {"itc337_in_market_chain"}


def test_the_matching_index_is_reused_until_a_profile_changes(database: str) -> None:
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
    with session_scope() as session:
        first = profile_index(session)
    with session_scope() as session:
        assert profile_index(session) is first
        row = session.get(Enterprise, "wuxi-battery")
        assert row is not None
        row.profile = {**row.profile, "watch_terms": ["电芯"]}
    with session_scope() as session:
        changed = profile_index(session)
        assert changed is not first
        assert changed.facts[0].id == "wuxi-battery"


def _change_profile() -> None:
    with session_scope() as session:
        row = session.get(Enterprise, "wuxi-battery")
        assert row is not None
        row.profile = {**row.profile, "watch_terms": [*row.profile.get("watch_terms", []), "x"]}


def test_the_kept_index_is_left_out_of_collector_passes_and_freed_when_replaced(
    database: str,
) -> None:
    # A full pass of the cyclic collector walked the whole index (0.7-0.9 s at 100,000
    # profiles) in the middle of some item's matching; the index is frozen once built, and
    # given back to the collector when a profile change replaces it.
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
    with session_scope() as session:
        first = profile_index(session)
    gc.collect()
    walked = {id(o) for o in gc.get_objects()}
    assert id(first) not in walked and id(first.facts) not in walked
    # The old index is freed before the new one is built (a rebuild does not hold two).
    cached_when_freed: list[int] = []
    weakref.finalize(first, lambda: cached_when_freed.append(len(store._INDEX_CACHE)))
    del first
    _change_profile()
    with session_scope() as session:
        second = profile_index(session)
    assert cached_when_freed == [0]
    # An index holding a reference cycle is collected once replaced, though it was frozen.
    second.__dict__["_cycle"] = {"index": second}
    gone = weakref.ref(second)
    del second
    _change_profile()
    with session_scope() as session:
        third = profile_index(session)
    gc.collect()
    assert gone() is None
    assert third.facts[0].id == "wuxi-battery"
