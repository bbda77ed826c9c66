"""The enterprise IP health check: dimension scoring, the level rule and its evidence."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from core.types import (
    DimensionScore,
    EnterpriseProfile,
    HealthLevel,
    ItemRecord,
    LocalizedName,
    Party,
)
from tests.warning.cases import AS_OF, CASES, PROFILE, SUZHOU_PEER, WUXI_PEER, item
from warning.health import _overall, run_health_check

WEIGHTS = {"D1": 10, "D2": 10, "D3": 15, "D4": 20, "D5": 10, "D6": 10, "D7": 15, "D8": 10}


def _dim(dim_id: str, score: float | None) -> DimensionScore:
    from warning._dimensions import level_of

    return DimensionScore(
        id=dim_id,
        name=LocalizedName(zh=dim_id, en=dim_id),
        weight=WEIGHTS[dim_id],
        score=score,
        level=level_of(score) if score is not None else None,
    )


def test_dimensions_have_the_domain_weights_and_every_score_says_what_it_came_from() -> None:
    result = run_health_check(PROFILE, [], AS_OF)
    assert {d.id: d.weight for d in result.dimensions} == WEIGHTS
    for dim in result.dimensions:
        assert dim.computed_from, dim.id
        if dim.score is None:
            assert (
                dim.not_assessed_reason
                and dim.not_assessed_reason.zh
                and dim.not_assessed_reason.en
            )
        else:
            assert dim.evidence and all(e.text.zh and e.text.en for e in dim.evidence)


def test_coverage_is_weighted_by_export_share() -> None:
    result = run_health_check(PROFILE, [], AS_OF)
    d3 = next(d for d in result.dimensions if d.id == "D3")
    # US 0.35: trade mark only (half); DE 0.20: EP patent only (half); VN 0.05: nothing.
    assert d3.score == pytest.approx(100 * (0.35 * 0.5 + 0.2 * 0.5) / 0.6, abs=0.1)
    assert any(
        (e.text.en or "").startswith("Vietnam (5% of exports): patent no") for e in d3.evidence
    )


def test_a_dimension_without_profile_data_is_not_assessed_and_left_out_of_the_mean() -> None:
    bare = EnterpriseProfile.model_validate({"id": "bare", "name": {"en": "Bare Co."}})
    result = run_health_check(bare, [], AS_OF)
    assessed = {d.id for d in result.dimensions if d.score is not None}
    assert assessed == {"D7"}
    assert result.overall_score == next(d.score for d in result.dimensions if d.id == "D7")


def test_level_thresholds() -> None:
    for score, level in [
        (80, "green"),
        (79.9, "yellow"),
        (60, "yellow"),
        (59, "orange"),
        (40, "orange"),
        (39.9, "red"),
    ]:
        _, got = _overall([_dim(d, score) for d in WEIGHTS])
        assert got == HealthLevel(level), score


def test_too_little_assessed_is_never_a_clean_bill_of_health() -> None:
    score, level = _overall([_dim("D7", 100.0)])
    assert score == 100.0
    assert level == HealthLevel.YELLOW
    _, level = _overall([_dim(d, 100.0) for d in ("D3", "D4", "D7")])  # weight 50 of 100
    assert level == HealthLevel.GREEN


def test_red_in_d4_or_d7_alone_raises_the_overall_to_at_least_orange() -> None:
    high = [_dim(d, 100.0) for d in WEIGHTS if d not in ("D4",)]
    score, level = _overall([*high, _dim("D4", 10.0)])
    assert score is not None and score >= 80
    assert level == HealthLevel.ORANGE
    _, level = _overall([*[_dim(d, 100.0) for d in WEIGHTS if d != "D7"], _dim("D7", 0.0)])
    assert level == HealthLevel.ORANGE
    _, level = _overall([*[_dim(d, 100.0) for d in WEIGHTS if d != "D1"], _dim("D1", 0.0)])
    assert level == HealthLevel.GREEN


def test_disputes_naming_the_enterprise_lower_d7_and_lead_the_top_risks() -> None:
    named, _ = CASES["named_party_337"]
    peer, _ = CASES["peer_respondent_wuxi"]
    old = item(
        "Certain Routers; old case",
        case_refs=("337-TA-1000",),
        item_id="old",
        parties=(Party(name="Xilian Networks Inc.", role="respondent"),),
    )
    old.published_at = datetime(2023, 1, 1, tzinfo=UTC)
    result = run_health_check(PROFILE, [named, peer, old], AS_OF)
    assert result.items_considered == 2
    d7 = next(d for d in result.dimensions if d.id == "D7")
    assert d7.score == 60.0 and d7.level == HealthLevel.YELLOW
    assert any(e.item_id == named.id for e in d7.evidence)
    top = result.top_risks[0]
    assert (top.risk_code, top.market, top.impact) == ("ITC337", "US", 5)
    assert named.id in top.item_ids
    assert len(result.top_risks) <= 5
    assert result.recommendations and result.recommendations[0].priority == "high"
    assert result.recommendations[0].deadline == date(2025, 6, 22)


def test_the_same_inputs_give_the_same_result() -> None:
    items = [pair[0] for pair in CASES.values()]
    assert run_health_check(PROFILE, items, AS_OF) == run_health_check(PROFILE, items, AS_OF)


def _peer_and_watch_items() -> list[ItemRecord]:
    def suit(item_id: str, peer: Party, where: str = "Texas") -> ItemRecord:
        return item(
            f"Acme sues {peer.name} over a network switch in {where}",
            parties=(peer,),
            item_id=item_id,
        )

    watched = [
        item(f"Jury verdict on a network switch patent, case {n}", chains=(), item_id=f"watch-{n}")
        for n in range(3)
    ]
    return [suit("wuxi", WUXI_PEER), suit("suzhou", SUZHOU_PEER), *watched]


def test_a_top_risk_counts_only_the_alerts_its_label_describes() -> None:
    result = run_health_check(PROFILE, _peer_and_watch_items(), AS_OF)
    wuxi = [r for r in result.top_risks if (r.explanation.en or "").startswith("A Wuxi peer")]
    assert len(wuxi) == 1
    assert wuxi[0].item_ids == ["wuxi"]
    assert "(United States): 1 related item in the last 12 months" in (wuxi[0].explanation.en or "")
    assert wuxi[0].likelihood == 4  # high, not raised by the Jiangsu peer or the watch terms


def test_info_level_alerts_do_not_raise_a_risks_likelihood() -> None:
    result = run_health_check(PROFILE, _peer_and_watch_items(), AS_OF)
    watch = [r for r in result.top_risks if "watch terms" in (r.explanation.en or "")]
    assert watch and all(r.likelihood == 1 for r in watch)
    assert any("related items" in (r.explanation.en or "") for r in watch)


def test_chinese_text_names_markets_in_chinese() -> None:
    result = run_health_check(PROFILE, _peer_and_watch_items(), AS_OF)
    assert any("（美国）" in (r.explanation.zh or "") for r in result.top_risks)
    assert not any("（US）" in (r.explanation.zh or "") for r in result.top_risks)
    by_id = {d.id: d for d in result.dimensions}
    assert any(
        e.text.zh and e.text.zh.startswith("美国（占出口35%）") for e in by_id["D3"].evidence
    )
    assert "类别：专利、商标" in (by_id["D1"].evidence[0].text.zh or "")
    gaps = [r for r in result.recommendations if r.risk_code == "TM_SQUAT"]
    assert gaps and "优先：" in (gaps[0].text.zh or "") and "VN" not in (gaps[0].text.zh or "")


def test_the_filing_advice_names_only_the_uncovered_markets_by_name() -> None:
    profile = EnterpriseProfile.model_validate(
        {
            "id": "levant-trader",
            "name": {"en": "Levant Trader"},
            # "Lebanon" holds "no" but is covered; "San Marino" holds "no" and is not
            "destinations": [
                {"country": "LB", "export_share": 0.2},
                {"country": "US", "export_share": 0.5},
                {"country": "SM", "export_share": 0.2},
            ],
            "ip_assets": [
                {"type": "patent", "jurisdiction": "LB", "status": "granted"},
                {"type": "trademark", "jurisdiction": "LB", "status": "registered"},
            ],
        }
    )
    result = run_health_check(profile, [], AS_OF)
    [advice] = [r for r in result.recommendations if r.risk_code == "TM_SQUAT"]
    assert "(first: United States, San Marino)" in (advice.text.en or "")
    assert "（优先：美国、圣马力诺）" in (advice.text.zh or "")
