"""Rules over items and profiles: who is told, why, and by when."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from core.types import ChainTag, EnterpriseProfile, ItemRecord, Tags
from warning.delivery import AlertView, digest_message
from warning.engine import evaluate_items, item_facts
from warning.jurisdictions import concerned_destinations
from warning.rules import load_rules

PROFILE = EnterpriseProfile.model_validate(
    {
        "id": "wuxi-battery",
        "name": {"zh": "无锡某电池有限公司", "en": "Wuxi Battery Co."},
        "chains": ["A5", "F4"],
        "destinations": [
            {"country": "US", "export_share": 0.4},
            {"country": "DE", "export_share": 0.2},
        ],
    }
)


def _item(**overrides: object) -> ItemRecord:
    data: dict[str, object] = {
        "id": "t:1",
        "title": "Certain Lithium-Ion Battery Cells; Institution of Investigation",
        "published_at": datetime(2025, 3, 3, tzinfo=UTC),
        "kind": "dispute",
        "jurisdictions": ["US"],
        "case_refs": ["337-TA-1400"],
        "tags": Tags(
            chains=[ChainTag(id="A5", score=0.9, evidence=["lithium-ion battery"])],
            kind="dispute",
            jurisdictions=["US"],
            case_refs=["337-TA-1400"],
        ),
    }
    data.update(overrides)
    return ItemRecord.model_validate(data)


def test_rules_load_and_compile() -> None:
    rules = load_rules()
    assert {"itc337_in_market_chain", "dispute_in_market_chain"} <= {r.id for r in rules}


def test_337_in_chain_and_market_raises_one_critical_alert_with_deadline() -> None:
    alerts = evaluate_items([_item()], [PROFILE])
    assert [a.rule_id for a in alerts] == ["itc337_in_market_chain"]
    alert = alerts[0]
    assert alert.severity == "critical"
    assert alert.risk_code == "ITC337"
    assert alert.deadline == date(2025, 3, 23)
    assert "lithium-ion battery" in alert.explanation["en"]
    assert "337-TA-1400" in alert.explanation["en"]
    assert "40%" in alert.explanation["en"]
    assert "产业链" in alert.explanation["zh"]


def test_item_in_another_chain_raises_nothing() -> None:
    other = _item(
        tags=Tags(chains=[ChainTag(id="L3", score=0.9)], kind="dispute", jurisdictions=["US"])
    )
    assert evaluate_items([other], [PROFILE]) == []


def test_item_in_a_market_not_exported_to_raises_nothing() -> None:
    item = _item(
        jurisdictions=["JP"],
        case_refs=[],
        title="Battery patent suit in Tokyo",
        tags=Tags(chains=[ChainTag(id="A5", score=0.9)], kind="dispute", jurisdictions=["JP"]),
    )
    assert evaluate_items([item], [PROFILE]) == []


def test_news_is_not_a_dispute_alert() -> None:
    item = _item(
        kind="news",
        tags=Tags(chains=[ChainTag(id="A5", score=0.9)], kind="news", jurisdictions=["US"]),
    )
    assert evaluate_items([item], [PROFILE]) == []


def test_upc_dispute_concerns_a_german_exporter() -> None:
    item = _item(
        title="UPC Munich LD grants preliminary injunction on TOPCon solar cells",
        jurisdictions=["UPC"],
        case_refs=[],
        tags=Tags(
            chains=[ChainTag(id="A5", score=0.8, evidence=["TOPCon"])],
            kind="dispute",
            jurisdictions=["UPC"],
        ),
    )
    alerts = evaluate_items([item], [PROFILE])
    assert [a.rule_id for a in alerts] == ["upc_injunction_in_chain"]
    assert alerts[0].explanation["matched"]["markets"] == ["DE"]


def test_jurisdiction_nesting() -> None:
    assert concerned_destinations(["EU"], ["US", "DE", "FR"]) == ["DE", "FR"]
    assert concerned_destinations(["EPO"], ["GB", "CN"]) == ["GB"]
    assert concerned_destinations(["WIPO"], ["VN", "BR"]) == ["VN", "BR"]
    assert concerned_destinations(["US"], ["DE"]) == []


def test_a_337_investigation_named_in_words_is_a_337_alert() -> None:
    item = _item(
        title="美国国际贸易委员会对特定锂离子电池发起337调查",
        language="zh",
        case_refs=[],
        tags=Tags(
            chains=[ChainTag(id="A5", score=0.8, evidence=["锂离子电池"])],
            kind="dispute",
            jurisdictions=["US"],
        ),
    )
    assert [a.rule_id for a in evaluate_items([item], [PROFILE])] == ["itc337_in_market_chain"]


def test_a_district_court_patent_suit_is_not_a_337_alert() -> None:
    item = _item(
        title="Helion Battery Systems, Inc. v. Jiangsu Tianrun New Energy Co., Ltd.",
        case_refs=["E.D. Tex. 2:25-cv-00412"],
        tags=Tags(chains=[ChainTag(id="A5", score=0.8)], kind="dispute", jurisdictions=["US"]),
    )
    assert [a.rule_id for a in evaluate_items([item], [PROFILE])] == ["dispute_in_market_chain"]


def test_cues_named_inside_one_another_are_all_seen() -> None:
    # the court phrase spans the customs word; each cue is still read from the text
    item = _item(
        title="德国海关法院发布禁令", language="zh", case_refs=[], tags=Tags(kind="dispute")
    )
    facts = item_facts(item)
    cues = {name for name, value in facts.items() if name.startswith("is_") and value}
    assert cues == {"is_german_court", "is_customs", "is_injunction"}
    item = _item(
        title="MESSE Düsseldorf: LG München grants injunction; Customs seized goods at the show",
        case_refs=[],
        tags=Tags(kind="dispute"),
    )
    cues = {name for name, value in item_facts(item).items() if name.startswith("is_") and value}
    assert cues == {"is_trade_fair", "is_german_court", "is_injunction", "is_customs"}


def _upc_patent_dispute() -> ItemRecord:
    return _item(
        title="UPC Munich LD grants preliminary injunction on TOPCon solar cells",
        jurisdictions=["UPC"],
        ip_types=["patent"],
        case_refs=[],
        tags=Tags(
            chains=[ChainTag(id="A5", score=0.8, evidence=["TOPCon"])],
            kind="dispute",
            jurisdictions=["UPC"],
        ),
    )


def _exporter(enterprise_id: str, *countries: str) -> EnterpriseProfile:
    return EnterpriseProfile.model_validate(
        {
            "id": enterprise_id,
            "name": {"en": f"{enterprise_id} Co."},
            "chains": ["A5"],
            "destinations": [{"country": c, "export_share": 0.1} for c in countries],
        }
    )


def test_explanations_name_markets_in_the_reader_language_and_keep_codes_in_the_data() -> None:
    alerts = evaluate_items(
        [_upc_patent_dispute()], [_exporter("two", "DE", "FR"), _exporter("one", "FR")]
    )
    text = {(a.enterprise_id, a.rule_id): a.explanation for a in alerts}
    upc, gap = text[("two", "upc_injunction_in_chain")], text[("two", "portfolio_gap_patent")]
    assert "its effect covers your export markets: Germany, France (10% of exports)" in upc["en"]
    assert "其效力覆盖您的出口市场：德国、法国" in upc["zh"]
    assert "where you hold no live patent: Germany, France (10% of exports)" in gap["en"]
    assert "而贵司在当地没有有效专利：德国、法国" in gap["zh"]
    # a profile sharing the evidence gets its own markets, named alike
    alone = text[("one", "portfolio_gap_patent")]
    assert "where you hold no live patent: France (10% of exports)" in alone["en"]
    assert "Germany" not in alone["en"] and "德国" not in alone["zh"]
    for explanation in text.values():
        assert not re.search(r"\b(DE|FR)\b", explanation["en"]), explanation["en"]
        assert set(explanation["matched"]["markets"]) <= {"DE", "FR"}  # codes for machines
    assert gap["matched"]["no_patent_markets"] == ["DE", "FR"]


def test_a_digest_in_english_names_the_markets_of_its_alerts() -> None:
    [alert] = [
        a
        for a in evaluate_items([_upc_patent_dispute()], [_exporter("two", "DE", "FR")])
        if a.rule_id == "portfolio_gap_patent"
    ]
    view = AlertView(
        id=1,
        enterprise_id=alert.enterprise_id,
        enterprise_name={"en": "Two Co."},
        severity=alert.severity.value,
        title=alert.title,
        explanation=alert.explanation,
        action=alert.action,
        deadline=alert.deadline,
        item_title="UPC Munich LD grants preliminary injunction",
        item_url=None,
    )
    digest = digest_message([view], "en", "http://iprwatch.test", cap=10, more_link="-")
    assert "no live patent: Germany, France (10% of exports)" in digest.body
    assert "no live patent: DE, FR" not in digest.body
