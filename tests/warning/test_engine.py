"""Rules over items and profiles: who is told, why, and by when."""

from __future__ import annotations

from datetime import UTC, date, datetime

from core.types import ChainTag, EnterpriseProfile, ItemRecord, Tags
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
