"""Each rule fires on a realistic item and stays quiet on a near miss."""

from __future__ import annotations

import pytest

from tests.warning.cases import AS_OF, CASES, PROFILE
from warning.engine import decide_item, evaluate_items
from warning.matching import ProfileIndex
from warning.rules import load_rules


def _fired(item: object) -> set[str]:
    return {a.rule_id for a in evaluate_items([item], [PROFILE], AS_OF)}  # type: ignore[list-item]


def test_at_least_fifteen_rules_and_each_has_a_case() -> None:
    ids = {rule.id for rule in load_rules()}
    assert len(ids) >= 15
    assert ids == set(CASES)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_fires_on_its_item(rule_id: str) -> None:
    fires, _ = CASES[rule_id]
    assert rule_id in _fired(fires)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_stays_quiet_on_a_near_miss(rule_id: str) -> None:
    _, near_miss = CASES[rule_id]
    assert rule_id not in _fired(near_miss)


def test_337_deadline_counts_20_days_from_institution() -> None:
    fires, _ = CASES["itc337_in_market_chain"]
    [alert] = [
        a
        for a in evaluate_items([fires], [PROFILE], AS_OF)
        if a.rule_id == "itc337_in_market_chain"
    ]
    assert alert.deadline is not None and alert.deadline.isoformat() == "2025-06-21"
    assert "19 CFR 210.13" in alert.explanation["deadline_basis"]["en"]


def test_schedule_a_deadline_is_the_tro_expiry_and_evidence_has_spans() -> None:
    fires, _ = CASES["schedule_a_products"]
    [alert] = [
        a for a in evaluate_items([fires], [PROFILE], AS_OF) if a.rule_id == "schedule_a_products"
    ]
    assert alert.deadline is not None and alert.deadline.isoformat() == "2025-06-17"
    [term] = [t for t in alert.explanation["matched"]["terms"] if t["kind"] == "keyword"]
    assert term["field"] == "summary"
    assert fires.summary[term["start"] : term["end"]] == term["text"] == "Ethernet switch"


def test_named_party_alert_carries_the_fuzzy_score_and_the_party() -> None:
    fires, _ = CASES["named_party_337"]
    [alert] = [
        a for a in evaluate_items([fires], [PROFILE], AS_OF) if a.rule_id == "named_party_337"
    ]
    [party] = alert.explanation["matched"]["parties"]
    assert party["party"] == "Xilian Networks Inc." and party["matched"] == "Xilian Networks"
    assert party["score"] >= 88
    assert alert.score == pytest.approx(party["score"] / 100)
    assert "Xilian Networks Inc." in alert.explanation["en"]
    assert "贵司" in alert.explanation["zh"]


def test_a_party_naming_the_enterprise_in_another_word_order_scores_as_the_same_name() -> None:
    fires, _ = CASES["named_party_337"]
    assert fires.tags is not None
    [party] = fires.tags.parties
    parties = (party.model_copy(update={"name": "Networks Xilian Inc."}),)
    tags = fires.tags.model_copy(update={"parties": parties})
    reordered = fires.model_copy(update={"parties": parties, "tags": tags})
    [alert] = [
        a for a in evaluate_items([reordered], [PROFILE], AS_OF) if a.rule_id == "named_party_337"
    ]
    [matched] = alert.explanation["matched"]["parties"]
    assert matched["party"] == "Networks Xilian Inc." and matched["matched"] == "Xilian Networks"
    assert matched["score"] == 100
    assert matched["key"] == "networks xilian"  # what a "not us" dismissal suppresses: as named


def test_portfolio_gap_names_the_uncovered_market_and_share() -> None:
    fires, _ = CASES["portfolio_gap_patent"]
    [alert] = [
        a for a in evaluate_items([fires], [PROFILE], AS_OF) if a.rule_id == "portfolio_gap_patent"
    ]
    assert alert.explanation["matched"]["no_patent_markets"] == ["US"]
    assert "35% of exports" in alert.explanation["en"]


def test_a_rule_file_with_a_bad_condition_is_refused(tmp_path: object) -> None:
    from pathlib import Path

    from warning.rules import RuleError

    directory = Path(str(tmp_path))
    (directory / "bad.yaml").write_text(
        "rules:\n  - id: broken_rule\n    title: {zh: 坏, en: Bad}\n    severity: high\n"
        "    risk_code: RULE\n    when: 'item.kind =='\n    candidates: [chain]\n"
        "    explanation: {zh: x, en: x}\n    action: {zh: x, en: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="broken_rule"):
        load_rules(directory)


def test_a_worker_switching_rule_sets_gets_the_alerts_of_the_set_it_passes() -> None:
    # the rules an item's facts select are kept per rule set, also by the identity of the
    # tuple a worker passes on every item: alternating sets must not see each other's rules
    index = ProfileIndex.build([PROFILE], AS_OF)
    every = load_rules()
    fires, _ = CASES["portfolio_gap_patent"]
    only = tuple(r for r in every if r.id == "itc337_in_market_chain")
    for _ in range(2):
        assert "portfolio_gap_patent" in {
            a.rule_id for a in decide_item(fires, index, every, AS_OF).alerts()
        }
        assert decide_item(fires, index, only, AS_OF).alerts() == []
        listed = [r for r in every if r.id == "portfolio_gap_patent"]
        assert {a.rule_id for a in decide_item(fires, index, listed, AS_OF).alerts()} == {
            "portfolio_gap_patent"
        }
