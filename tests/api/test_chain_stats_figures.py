"""The chain dashboard's figures on a small dataset whose every count is known by hand.

Seven enterprises: five in chain A5 (one also in F4), one only in F4, one in no watched
chain. Their alerts are spread so that some groups reach the de-identification threshold
(three enterprises) and others stay below it; the expected figures below were counted
from the table in ``_DATASET`` and checked against the first (Python-loop) implementation.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

ENTERPRISES = {  # id: chains
    "e1": ["A5"],
    "e2": ["A5", "F4"],
    "e3": ["A5"],
    "e4": ["A5"],
    "e5": ["A5"],
    "e6": ["F4"],
    "e7": ["B1"],
}
ITEMS = {  # id: (kind, jurisdictions, published, tagged chains)
    "i-us-mar": ("dispute", ["US"], datetime(2025, 3, 10, 9, tzinfo=UTC), ["A5"]),
    "i-us-de-apr": ("dispute", ["US", "DE"], datetime(2025, 4, 2, 9, tzinfo=UTC), ["A5", "F4"]),
    "i-upc-apr": ("dispute", ["UPC", "DE"], datetime(2025, 4, 20, 9, tzinfo=UTC), ["F4"]),
    "i-rule": ("rule_change", ["US"], datetime(2025, 4, 25, 9, tzinfo=UTC), ["A5"]),
    # a ruling in a dispute (no member has an alert on it): dispute activity all the same
    "i-ruling-apr": ("decision", ["US"], datetime(2025, 4, 12, 9, tzinfo=UTC), ["A5"]),
    "i-undated": ("dispute", ["JP"], None, ["A5"]),
    "i-untagged": ("dispute", ["US"], datetime(2025, 4, 3, 9, tzinfo=UTC), None),
}
_DATASET = [  # (enterprise, item, rule, risk)
    ("e1", "i-us-mar", "r1", "us_337"),
    ("e2", "i-us-mar", "r1", "us_337"),
    ("e3", "i-us-mar", "r1", "us_337"),
    ("e3", "i-us-mar", "r2", "us_litigation"),
    ("e1", "i-us-de-apr", "r1", "us_337"),
    ("e2", "i-us-de-apr", "r1", "us_337"),
    ("e4", "i-us-de-apr", "r3", "eu_injunction"),
    ("e5", "i-upc-apr", "r3", "eu_injunction"),
    ("e4", "i-upc-apr", "r3", "eu_injunction"),
    ("e2", "i-rule", "r4", "rule_change"),
    ("e6", "i-us-mar", "r1", "us_337"),
    ("e6", "i-undated", "r5", "jp_dispute"),
    ("e7", "i-us-mar", "r1", "us_337"),
    ("e7", "i-us-de-apr", "r1", "us_337"),
]
ALERT_CREATED = datetime(2025, 5, 1, 12, tzinfo=UTC)


def _group(key: str, enterprises: int, alerts: int) -> dict[str, Any]:
    return {"key": key, "enterprises": enterprises, "alerts": alerts}


EXPECTED_A5 = {
    "chains": ["A5"],
    "enterprises": 5,
    "disputes_by_month": [_group("2025-03", 3, 4), _group("2025-04", 4, 5)],
    "top_risks": [_group("us_337", 3, 5)],
    "countries": [_group("DE", 4, 5), _group("US", 4, 8)],  # equal: by key
    "min_group": 3,
    # risks us_litigation (1), eu_injunction (2), rule_change (1); country UPC (2)
    "suppressed_groups": 4,
}
EXPECTED_A5_F4 = {
    "chains": ["A5", "F4"],
    "enterprises": 6,
    "disputes_by_month": [_group("2025-03", 4, 5), _group("2025-04", 4, 5)],
    "top_risks": [_group("us_337", 4, 6)],
    "countries": [_group("US", 5, 9), _group("DE", 4, 5)],
    "min_group": 3,
    # the four small risks (jp_dispute too), UPC and JP, and 2025-05 (the undated
    # dispute, counted in the month its alert was raised: one enterprise)
    "suppressed_groups": 7,
}
EXPECTED_F4 = {
    "chains": ["F4"],
    "enterprises": None,  # two enterprises (e2, e6): below the threshold
    "disputes_by_month": [],
    "top_risks": [],
    "countries": [],
    "min_group": 3,
    "suppressed_groups": 9,
}


def _store_dataset() -> None:
    from core.db import session_scope
    from core.models import AlertRow, Enterprise, Item

    with session_scope() as session:
        for enterprise_id, chains in ENTERPRISES.items():
            profile = {"id": enterprise_id, "name": {"en": enterprise_id}, "chains": chains}
            session.add(Enterprise(id=enterprise_id, name_en=enterprise_id, profile=profile))
        for item_id, (kind, jurisdictions, published, chains) in ITEMS.items():
            tags = {"chains": [{"id": c, "score": 1.0} for c in chains]} if chains else None
            session.add(
                Item(
                    id=item_id,
                    source_id="test",
                    content_hash=item_id,
                    title=item_id,
                    kind=kind,
                    jurisdictions=jurisdictions,
                    published_at=published,
                    tags=tags,
                )
            )
        session.flush()
        for enterprise_id, item_id, rule, risk in _DATASET:
            session.add(
                AlertRow(
                    enterprise_id=enterprise_id,
                    item_id=item_id,
                    item_version=1,
                    rule_id=rule,
                    severity="high",
                    risk_code=risk,
                    created_at=ALERT_CREATED,
                )
            )


@pytest.fixture(params=["sqlite", "postgresql"])
def dataset(request: pytest.FixtureRequest) -> None:
    """The dataset in SQLite, and in PostgreSQL when it is available."""
    request.getfixturevalue("db" if request.param == "sqlite" else "postgres_url")
    _store_dataset()


@pytest.mark.parametrize(
    ("chains", "expected"),
    [(["A5"], EXPECTED_A5), (["A5", "F4"], EXPECTED_A5_F4), (["F4"], EXPECTED_F4)],
)
def test_chain_figures_match_the_hand_counted_dataset(
    dataset: None, chains: list[str], expected: dict[str, Any]
) -> None:
    from api.stats import chain_statistics
    from core.db import session_scope

    with session_scope() as session:
        assert chain_statistics(session, chains) == expected


def test_stored_chains_lists_every_chain_a_profile_names(dataset: None) -> None:
    from api.stats import stored_chains
    from core.db import session_scope

    with session_scope() as session:
        assert stored_chains(session) == ["A5", "B1", "F4"]


@pytest.mark.parametrize(
    ("chains", "months", "countries"),
    [
        (["A5"], [("2025-03", 1), ("2025-04", 2)], {"US": 3, "DE": 1, "JP": 1}),
        (["F4"], [("2025-04", 2)], {"DE": 2, "US": 1, "UPC": 1}),
        (["A5", "F4"], [("2025-03", 1), ("2025-04", 3)], {"US": 3, "DE": 2, "UPC": 1, "JP": 1}),
    ],
)
def test_chain_disputes_count_each_tagged_dispute_once(
    dataset: None, chains: list[str], months: list[tuple[str, int]], countries: dict[str, int]
) -> None:
    from api._web_views import chain_disputes
    from core.db import session_scope

    with session_scope() as session:
        disputes = chain_disputes(session, chains)
    assert disputes["months"] == months
    assert disputes["total"] == sum(n for _, n in months)
    assert disputes["peak"] == max(n for _, n in months)
    assert dict(disputes["countries"]) == countries
    ranked = [n for _, n in disputes["countries"]]
    assert ranked == sorted(ranked, reverse=True)
