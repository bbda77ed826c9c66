"""Candidate generation finds exactly what brute force finds, on a varied set."""

from __future__ import annotations

import random
from datetime import date

from core.types import ChainTag, EnterpriseProfile, ItemRecord, Party, Tags
from tests.warning.cases import AS_OF, CASES, PROFILE, item, variant_profiles
from warning.engine import evaluate_item, evaluate_naive
from warning.jurisdictions import asset_covers, concerned_destinations
from warning.matching import ProfileIndex
from warning.rules import load_rules


def _keys(alerts: list) -> list[tuple[str, str, str, str]]:  # type: ignore[type-arg]
    return sorted((a.enterprise_id, a.item_id, a.rule_id, a.explanation["en"]) for a in alerts)


def _random_profiles(count: int, seed: int) -> list[EnterpriseProfile]:
    rng = random.Random(seed)
    chains = ["L1", "L2", "L3", "L4", "A5", "F4", "A1"]
    countries = ["US", "DE", "FR", "JP", "VN", "GB", "KR", "IN"]
    words = ["switch", "gateway", "battery cell", "sequencer", "servo drive", "router", "5G router"]
    names = ["Xilian Networks", "Huaxin Electronics", "Kelian Communication", "Arista Networks"]
    profiles = []
    for n in range(count):
        assets = [
            {
                "type": rng.choice(["patent", "trademark", "design"]),
                "jurisdiction": rng.choice([*countries, "EP", "EM", "WO", "CN"]),
            }
            for _ in range(rng.randint(0, 3))
        ]
        profiles.append(
            EnterpriseProfile.model_validate(
                {
                    "id": f"p{n:03d}",
                    "name": {
                        "en": f"{rng.choice(['Wuxi', 'Suzhou', 'Nanjing'])} {rng.choice(names)} Co., Ltd."
                    },
                    "aliases": rng.sample(names, k=rng.randint(0, 1)),
                    "chains": rng.sample(chains, k=rng.randint(0, 2)),
                    "products": [
                        {
                            "name": "p",
                            "keywords": rng.sample(words, k=2),
                            "hs": rng.sample(["8517.62", "8507", "9027.89"], k=1),
                        }
                    ],
                    "destinations": [
                        {"country": c} for c in rng.sample(countries, k=rng.randint(1, 3))
                    ],
                    "ip_assets": assets,
                    "competitors": rng.sample(names, k=rng.randint(0, 1)),
                    "watch_terms": rng.sample(words, k=rng.randint(0, 1)),
                }
            )
        )
    return profiles


def _varied_items() -> list[ItemRecord]:
    items = [case for pair in CASES.values() for case in pair]
    extra = [
        item(
            "EU customs detain routers", kind="enforcement", jurisdictions=("EU",), item_id="x:eu"
        ),
        item(
            "WIPO treaty on designs",
            kind="rule_change",
            jurisdictions=("WIPO",),
            ip_types=("design", "patent"),
            item_id="x:wipo",
        ),
        item(
            "EPO changes opposition rules",
            kind="rule_change",
            jurisdictions=("EPO",),
            item_id="x:epo",
        ),
        item("无锡锡联网络被诉侵犯交换机专利", jurisdictions=("US",), item_id="x:zh"),
        item(
            "Kelian Communication and Huaxin Electronics named in battery cell suit",
            chains=("A5", "L1"),
            parties=(
                Party(name="Kelian Communication Co.", role="defendant"),
                Party(name="Huaxin Electronics", role="defendant"),
            ),
            item_id="x:parties",
        ),
        ItemRecord(
            id="x:untagged",
            title="Section 337 complaint over 5G router and servo drive",
            jurisdictions=["US"],
            kind="dispute",
        ),
    ]
    return items + extra


def test_candidate_generation_finds_the_same_alerts_as_naive_evaluation() -> None:
    profiles = variant_profiles() + _random_profiles(60, seed=7)
    index = ProfileIndex.build(profiles, AS_OF)
    rules = load_rules()
    total = 0
    for record in _varied_items():
        indexed = evaluate_item(record, index, rules, AS_OF)
        naive = evaluate_naive(record, index, rules, AS_OF)
        assert _keys(indexed) == _keys(naive), record.title
        assert [
            a.model_dump() for a in sorted(indexed, key=lambda a: (a.enterprise_id, a.rule_id))
        ] == [a.model_dump() for a in sorted(naive, key=lambda a: (a.enterprise_id, a.rule_id))]
        total += len(indexed)
    assert total > 100  # the set is varied enough to mean something


def test_suppressed_party_no_longer_matches_but_the_enterprise_still_does() -> None:
    fires, _ = CASES["named_party_337"]
    index = ProfileIndex.build([PROFILE], AS_OF)
    assert any(a.rule_id == "named_party_337" for a in evaluate_item(fires, index, None, AS_OF))
    suppressions = {PROFILE.id: frozenset(["xilian networks"])}
    assert not any(
        a.rule_id == "named_party_337"
        for a in evaluate_item(fires, index, None, AS_OF, suppressions)
    )
    other, _ = CASES["named_party_dispute"]
    assert any(
        a.rule_id == "named_party_dispute"
        for a in evaluate_item(other, index, None, AS_OF, suppressions)
    )


def test_jurisdictions_nest() -> None:
    assert concerned_destinations(["EU"], ["US", "DE", "FR"]) == ["DE", "FR"]
    assert concerned_destinations(["EUIPO"], ["IT", "CH"]) == ["IT"]
    assert concerned_destinations(["UPC"], ["DE", "ES", "PL"]) == ["DE"]
    assert concerned_destinations(["EPO"], ["GB", "CN", "TR"]) == ["GB", "TR"]
    assert concerned_destinations(["WIPO"], ["VN", "BR"]) == ["VN", "BR"]
    assert concerned_destinations(["US"], ["DE"]) == []
    assert asset_covers("EP", "DE") and asset_covers("EP", "GB") and not asset_covers("EP", "US")
    assert asset_covers("EM", "FR") and not asset_covers("EM", "GB")
    assert not asset_covers("WO", "US")
    # WIPO widens an item only when it names no narrower jurisdiction.
    assert concerned_destinations(["BR", "WIPO"], ["US", "BR"]) == ["BR"]
    assert concerned_destinations(["WIPO"], ["US", "BR"]) == ["US", "BR"]


def test_an_eu_item_reaches_a_french_exporter_and_not_a_swiss_one() -> None:
    fr = PROFILE.model_copy(
        update={
            "id": "fr",
            "destinations": [PROFILE.destinations[0].model_copy(update={"country": "FR"})],
        }
    )
    ch = PROFILE.model_copy(
        update={
            "id": "ch",
            "destinations": [PROFILE.destinations[0].model_copy(update={"country": "CH"})],
        }
    )
    record = item(
        "EU customs detain counterfeit network switches", kind="enforcement", jurisdictions=("EU",)
    )
    index = ProfileIndex.build([fr, ch], date(2025, 6, 30))
    alerts = evaluate_item(record, index, None, AS_OF)
    assert {(a.enterprise_id, a.rule_id) for a in alerts} >= {
        ("fr", "customs_action_in_market_chain")
    }
    assert not [a for a in alerts if a.enterprise_id == "ch"]


def test_an_item_with_no_rule_applying_costs_no_candidates() -> None:
    news = ItemRecord(
        id="n",
        title="WIPO publishes its annual report",
        tags=Tags(chains=[ChainTag(id="L1", score=0.5)]),
    )
    assert evaluate_item(news, ProfileIndex.build([PROFILE], AS_OF), None, AS_OF) == []
