"""Candidate generation finds exactly what brute force finds, on a varied set."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest

from core.types import ChainTag, EnterpriseProfile, ItemRecord, Party, Tags
from tests.warning.cases import AS_OF, CASES, PROFILE, item, variant_profiles
from warning.engine import decide_item, evaluate_item, evaluate_naive
from warning.jurisdictions import asset_covers, concerned_destinations, parse_nesting
from warning.matching import ItemView, ProfileIndex
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


def _clones(profiles: list[EnterpriseProfile], copies: int) -> list[EnterpriseProfile]:
    """Profiles identical to the given ones but for id and, for half, their names: the
    groups that grouped evaluation decides once."""
    out = []
    for n, profile in enumerate(profiles):
        for k in range(copies):
            update: dict[str, object] = {"id": f"{profile.id}-c{k}"}
            if k % 2:
                update["name"] = profile.name.model_copy(update={"en": f"Clone {n} {k} Ltd."})
                update["aliases"] = []
            out.append(profile.model_copy(update=update))
    return out


def _far_markets(count: int) -> list[EnterpriseProfile]:
    """Profiles exporting to many rare markets, so some fall outside the index's bit columns
    (more than 64 markets) and are looked at one by one."""
    codes = [a + b for a in "QXZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"][:count]
    return [
        PROFILE.model_copy(
            update={
                "id": f"far{n:02d}",
                "destinations": [
                    PROFILE.destinations[0].model_copy(update={"country": code}),
                    PROFILE.destinations[1],
                ],
            }
        )
        for n, code in enumerate(codes)
    ]


def _grouped_items() -> list[ItemRecord]:
    """Items that fan out to many profiles, with parties, codes and standards."""
    return [
        item(
            "Certain 5G routers and Ethernet switch gateways; Institution of Investigation",
            summary="Section 337; respondents include Xilian Networks and Arista Networks; "
            "products under HTSUS 8517.62.0020 and 8507.60.",
            chains=("L1", "L4", "A5"),
            case_refs=("337-TA-1499",),
            parties=(
                Party(name="Wuxi Xilian Networks Co., Ltd.", role="respondent"),
                Party(name="Arista Networks, Inc.", role="complainant"),
            ),
            item_id="g:337",
        ),
        item(
            "EUIPO: new fees for EU trade marks; battery cell and servo drive makers affected",
            kind="rule_change",
            jurisdictions=("EU", "EUIPO"),
            chains=("A5", "F4"),
            ip_types=("trademark", "design"),
            item_id="g:eu",
        ),
        item(
            "UPC Munich grants injunction over 5G router SEP; LTE and Wi-Fi 6 licensing disputed",
            kind="decision",
            jurisdictions=("UPC", "DE"),
            chains=("L1",),
            parties=(Party(name="Huaxin Electronics", role="defendant"),),
            item_id="g:upc",
        ),
        item(
            "Xilian Networks, Arista Networks' router and XLNETX (not XLNET) sued; "
            "5G-router-maker Kelian Communication.",
            summary="Huaxin Electronics/Xilian Networks battery cell servo drive 锡联网络",
            chains=("L1", "A5"),
            item_id="g:words",
        ),
        item(
            "Madrid System fee change for all designations",
            kind="rule_change",
            jurisdictions=("WIPO",),
            chains=("L1", "L2", "L3"),
            ip_types=("trademark", "patent"),
            item_id="g:wipo",
        ),
    ]


def test_grouped_evaluation_gives_the_alerts_of_naive_evaluation() -> None:
    base = variant_profiles() + _random_profiles(120, seed=11)
    profiles = base + _clones(base[:40], copies=3) + _far_markets(70)
    index = ProfileIndex.build(profiles, AS_OF)
    assert index.columns.overflow.any()  # some profiles take the one-by-one path
    suppressions = {
        p.id: frozenset(["xilian networks", "huaxin electronics", "kelian communication"])
        for p in profiles[::3]
    }
    rules = load_rules()
    grouped_alerts = 0
    for record in _grouped_items() + _varied_items():
        for dismissed in ({}, suppressions):
            decided = decide_item(record, index, rules, AS_OF, dismissed)
            fast = decided.alerts()
            naive = evaluate_naive(record, index, rules, AS_OF, dismissed)
            assert len(decided) == len(fast)
            assert _dumps(fast) == _dumps(naive), record.title
            grouped_alerts += sum(
                len(d.positions) for d in decided.decisions if len(d.positions) > 1
            )
    assert grouped_alerts > 500  # most alerts came from groups decided once


def test_thousands_of_candidates_in_hundreds_of_groups_get_the_alerts_of_naive_evaluation() -> None:
    # past 1,024 candidates their key rows are ordered by a radix sort, and past 64 groups
    # each rule's projections are found with numpy: both must still match naive evaluation
    index = ProfileIndex.build(_random_profiles(1800, seed=5), AS_OF)
    rules = load_rules()
    largest = 0
    for record in _grouped_items():
        decided = decide_item(record, index, rules, AS_OF)
        fast = decided.alerts()
        assert _dumps(fast) == _dumps(evaluate_naive(record, index, rules, AS_OF)), record.title
        largest = max(largest, len(fast))
    assert largest > 1100


def _dumps(alerts: list) -> list[dict]:  # type: ignore[type-arg]
    return [a.model_dump() for a in sorted(alerts, key=lambda a: (a.enterprise_id, a.rule_id))]


def test_a_dismissed_party_is_suppressed_for_that_enterprise_only_among_identical_ones() -> None:
    fires, _ = CASES["named_party_337"]
    twin = PROFILE.model_copy(update={"id": "twin"})
    index = ProfileIndex.build([PROFILE, twin], AS_OF)
    suppressions = {PROFILE.id: frozenset(["xilian networks"])}
    alerts = evaluate_item(fires, index, None, AS_OF, suppressions)
    named = {a.enterprise_id for a in alerts if a.rule_id == "named_party_337"}
    assert named == {"twin"}


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


def test_norway_is_an_epc_state_for_items_and_for_european_patents() -> None:
    # A bare NO in the nesting file read as false: EPO items never reached exporters to
    # Norway, and a European patent did not count as a right there.
    assert concerned_destinations(["EPO"], ["NO", "CN"]) == ["NO"]
    assert asset_covers("EP", "NO")
    assert not asset_covers("EM", "NO")  # not in the EU


def test_a_nesting_file_with_a_code_yaml_reads_as_a_boolean_is_refused() -> None:
    good = 'groups:\n  EPO: [DE, "NO"]\nno_rights: [WO]\n'
    assert parse_nesting(good)["groups"] == {"EPO": ["DE", "NO"]}
    with pytest.raises(ValueError, match=r"groups\.EPO: False is not a jurisdiction code \(quote"):
        parse_nesting("groups:\n  EPO: [DE, NO]\n")
    with pytest.raises(ValueError, match=r"no_rights: 'w o' is not a jurisdiction code"):
        parse_nesting("groups:\n  EU: [DE]\nno_rights: [w o]\n")
    with pytest.raises(ValueError, match="expected a mapping with 'groups'"):
        parse_nesting("- DE\n")


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


def _owner(profile_id: str, keywords: list[str], chains: list[str]) -> EnterpriseProfile:
    return EnterpriseProfile.model_validate(
        {
            "id": profile_id,
            "name": {"en": f"Wuxi {profile_id.capitalize()} Co., Ltd."},
            "chains": chains,
            "products": [{"name": "p", "keywords": keywords}],
            "destinations": [{"country": "US"}],
        }
    )


def test_a_keyword_owner_no_rule_is_found_through_is_no_candidate_but_still_evidence() -> None:
    # "chain" found: in the item's chain and market; "keyword" only owns a word the item names
    profiles = [_owner("chain", ["router"], ["L1"]), _owner("keyword", ["router"], ["A5"])]
    index = ProfileIndex.build(profiles, AS_OF)
    record = item("Acme sues over routers", summary="The router infringes.", item_id="k:1")
    found = index.candidates(ItemView.of(record), {"chain"})
    assert [index.facts[p].id for p in found.plain.tolist()] == ["chain"]
    assert not found.detailed
    decided = decide_item(record, index, load_rules(), AS_OF)
    alerts = decided.alerts()
    assert {a.rule_id for a in alerts} == {"dispute_in_market_chain", "portfolio_gap_patent"}
    for alert in alerts:  # the keyword still shows as what the item and profile share
        terms = alert.explanation["matched"]["terms"]
        assert [(t["term"], t["text"]) for t in terms] == [
            ("router", "routers"),
            ("router", "router"),
        ]
    assert _keys(alerts) == _keys(evaluate_naive(record, index, load_rules(), AS_OF))


_TERM_RULE = """
rules:
  - id: router_named
    title: {zh: 路由器, en: Router named}
    severity: low
    risk_code: PAT_LIT
    when: '"router" in match.keywords'
    candidates: [keywords]
    explanation: {zh: "{keywords}", en: "{keywords}"}
    action: {zh: 无, en: none}
"""


def test_remembered_outcomes_follow_the_terms_not_their_order_in_the_item(tmp_path: Path) -> None:
    # the first item numbers "router" before "switch", the second the other way round: an
    # outcome remembered by hit number would give the switch owners the router alert
    (tmp_path / "rules.yaml").write_text(_TERM_RULE, encoding="utf-8")
    rules = load_rules(tmp_path)
    profiles = [_owner(f"r{n}", ["router"], ["L1"]) for n in range(3)]
    profiles += [_owner(f"s{n}", ["switch"], ["L1"]) for n in range(3)]
    index = ProfileIndex.build(profiles, AS_OF)
    first = item("A router and a switch", item_id="t:1")
    second = item("A switch and a router", item_id="t:2")
    for record in (first, second, first):
        alerts = evaluate_item(record, index, rules, AS_OF)
        assert sorted(a.enterprise_id for a in alerts) == ["r0", "r1", "r2"], record.title
        assert _keys(alerts) == _keys(evaluate_naive(record, index, rules, AS_OF))
