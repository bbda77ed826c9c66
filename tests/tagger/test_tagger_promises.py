"""What the tagger promises its users, one behaviour per test (real spaCy, no mocks)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from core.types import ItemKind, Tags
from tagger import Tagger

CASES = Path(__file__).parent / "cases"


def _case(name: str, tagger: Tagger) -> Tags:
    case = json.loads((CASES / f"{name}.json").read_text(encoding="utf-8"))
    return tagger.tag(case["text"], case.get("language"))


def _signal_dates(tags: Tags) -> dict[str, date | None]:
    return {signal.type: signal.date for signal in tags.signals}


def test_337_notice_names_wuxi_respondents_as_chinese(tagger: Tagger) -> None:
    tags = _case("usitc_337_institution_wuxi_batteries", tagger)
    respondents = [p for p in tags.parties if p.role == "respondent"]
    wuxi = next(p for p in respondents if p.location and "Wuxi" in p.location)
    assert wuxi.chinese and wuxi.name == "Wuxi Example New Energy Technology Co., Ltd."
    assert [p.chinese for p in respondents] == [True, True, False]
    assert tags.case_refs == ["337-TA-1441"]
    assert tags.kind is ItemKind.DISPUTE
    assert {"A5", "F4"} <= set(tags.chain_ids())
    assert tags.jurisdictions == ["US"], "Munich and China in party addresses are not forums"


def test_337_notice_dates_the_complaint_but_not_the_requested_remedies(tagger: Tagger) -> None:
    tags = _case("usitc_337_institution_wuxi_batteries", tagger)
    signals = _signal_dates(tags)
    assert signals["complaint_filed"] == date(2025, 2, 7)
    assert "exclusion_order" not in signals, "the complainant only requests one"
    assert "initial_determination" not in signals, "the ALJ will make one later"


def test_federal_register_uspto_final_rule_is_a_us_patent_rule_change(tagger: Tagger) -> None:
    tags = _case("fr_uspto_final_rule", tagger)
    assert tags.kind is ItemKind.RULE_CHANGE
    assert "patent" in tags.ip_types
    assert "trademark" not in tags.ip_types, "'Patent and Trademark Office' is just a name"
    assert tags.jurisdictions == ["US"]


def test_schedule_a_caption_is_a_us_trademark_dispute_with_its_docket(tagger: Tagger) -> None:
    tags = _case("schedule_a_ndill_complaint", tagger)
    assert tags.kind is ItemKind.DISPUTE
    assert "trademark" in tags.ip_types
    assert tags.case_refs == ["1:24-cv-01234"]
    assert "US" in tags.jurisdictions
    roles = {p.role: p.name for p in tags.parties}
    assert roles["plaintiff"] == "EXAMPLE SPORTSWEAR, INC."
    assert "SCHEDULE" in roles["defendant"]
    assert "tro" not in _signal_dates(tags), "a TRO sought is not a TRO granted"


def test_upc_preliminary_injunction_in_solar_cell_case(tagger: Tagger) -> None:
    tags = _case("upc_pi_munich_topcon", tagger)
    assert tags.jurisdictions == ["UPC"]  # "measures covering Germany, France and ...": territory
    assert "A5" in tags.chain_ids()
    assert _signal_dates(tags)["preliminary_injunction"] == date(2024, 12, 10)
    assert tags.case_refs == ["UPC_CFI_123/2024", "ACT_12345/2024"]
    assert tags.kind is ItemKind.DECISION


def test_chinese_mofcom_style_337_item_about_wuxi_lithium_batteries(tagger: Tagger) -> None:
    tags = _case("mofcom_zh_337_wuxi_lithium", tagger)
    assert tags.jurisdictions == ["US"]
    assert tags.kind is ItemKind.DISPUTE
    assert "A5" in tags.chain_ids()
    party = next(p for p in tags.parties if p.role == "respondent")
    assert party.chinese and party.location == "中国江苏无锡"
    assert _signal_dates(tags)["institution"] == date(2025, 3, 14)


def test_binhu_only_chain_tags_no_465_chain(tagger: Tagger) -> None:
    tags = _case("binhu_digital_film_copyright_zh", tagger)
    assert tags.chain_ids() == ["B4-1"]
    assert "copyright" in tags.ip_types


def test_binhu_chain_with_465_mapping_carries_both(tagger: Tagger) -> None:
    tags = _case("binhu_life_health_medical_devices_zh", tagger)
    assert {"B5-1", "L3"} <= set(tags.chain_ids())


def test_iot_used_loosely_alone_does_not_tag_iot_chain(tagger: Tagger) -> None:
    assert "L1" not in _case("noise_iot_marketing", tagger).chain_ids()
    assert tagger.tag("Our IoT strategy is bold.").chains == []


def test_iot_with_a_second_iot_term_tags_iot_chain(tagger: Tagger) -> None:
    tags = tagger.tag("The IoT gateway maker was sued over its Zigbee radios.")
    assert "L1" in tags.chain_ids()


def test_weak_terms_alone_do_not_tag(tagger: Tagger) -> None:
    for text in (
        "New chip unveiled.",
        "The wafer was thin.",
        "Software update released.",
        "The API changed.",
    ):
        assert tagger.tag(text).chains == [], text


def test_context_terms_never_tag_even_together(tagger: Tagger) -> None:
    tags = tagger.tag("Schedule A plaintiffs allege trademark infringement and counterfeit sales.")
    assert "A2" not in tags.chain_ids()


def test_binhu_chain_derives_each_mapped_465_chain(tagger: Tagger) -> None:
    tags = tagger.tag("Wuxi's intelligent connected vehicle test base opened a new track.")
    assert {"B5-4", "A6", "L1"} <= set(tags.chain_ids())
    derived = {c.id: c for c in tags.chains}
    assert derived["L1"].score == derived["B5-4"].score
    assert derived["L1"].evidence == derived["B5-4"].evidence


def test_equivalent_465_chain_derives_its_binhu_chain(tagger: Tagger) -> None:
    tags = tagger.tag("SK hynix expands its DRAM fab; integrated circuit exports rise.")
    assert {"L2", "B5-2"} <= set(tags.chain_ids())


def test_broader_465_chain_does_not_derive_narrow_binhu_chain(tagger: Tagger) -> None:
    tags = tagger.tag("Industrial robot makers face a patent suit over servo motor control.")
    assert "A1" in tags.chain_ids()
    assert "B4-2" not in tags.chain_ids() and "B3-3" not in tags.chain_ids()


def test_tariff_and_ipc_codes_are_strong_chain_evidence(tagger: Tagger) -> None:
    tags = _case("hts_code_ebike_batteries", tagger)
    chains = {c.id: c for c in tags.chains}
    assert {"A5", "F4"} <= set(chains)
    assert any("8507.60" in e for e in chains["F4"].evidence)
    assert any("H01M 10/0525" in e for e in chains["A5"].evidence)
    assert "HS 8507.60" in tags.products


def test_certain_products_of_337_titles_are_reported(tagger: Tagger) -> None:
    tags = _case("fr_337_institution_notice", tagger)
    assert "Battery Energy Storage Systems and Components Thereof" in tags.products


def test_federal_register_respondents_with_addresses(tagger: Tagger) -> None:
    tags = _case("fr_337_institution_notice", tagger)
    huizhou = next(p for p in tags.parties if p.name.startswith("Huizhou"))
    assert huizhou.role == "respondent" and huizhou.chinese
    assert huizhou.location is not None and "Guangdong" in huizhou.location
    complainant = next(p for p in tags.parties if p.role == "complainant")
    assert complainant.name == "Beta Grid Storage LLC" and not complainant.chinese


def test_federal_register_respondents_named_wording(tagger: Tagger) -> None:
    text = (
        "Certain Power Banks; Notice of Receipt of Complaint under section 337. "
        "The respondents named are: Wuxi Alpha Battery Co., Ltd. of Wuxi, Jiangsu, China; "
        "and Beta Energy Inc. of Austin, Texas."
    )
    parties = {p.name: p for p in tagger.tag(text).parties}
    assert parties["Wuxi Alpha Battery Co., Ltd."].chinese
    assert parties["Wuxi Alpha Battery Co., Ltd."].location == "Wuxi, Jiangsu, China"
    assert parties["Beta Energy Inc."].role == "respondent"
    assert not parties["Beta Energy Inc."].chinese


def test_ptab_case_names_petitioner_and_patent_owner(tagger: Tagger) -> None:
    tags = _case("ptab_ipr_institution", tagger)
    assert [(p.name, p.role) for p in tags.parties] == [
        ("Apple Inc.", "petitioner"),
        ("LoganTree LP", "patent_owner"),
    ]
    assert tags.case_refs == ["IPR2022-00037"]
    assert _signal_dates(tags)["institution"] == date(2022, 5, 5)


def test_chinese_role_labels_give_parties(tagger: Tagger) -> None:
    tags = tagger.tag(
        "原告：无锡某新能源科技有限公司；被告：美国某电池公司。法院判决被告停止侵权。", "zh"
    )
    roles = {p.role: p for p in tags.parties}
    assert roles["plaintiff"].name == "无锡某新能源科技有限公司" and roles["plaintiff"].chinese
    assert roles["defendant"].name == "美国某电池公司" and not roles["defendant"].chinese
    assert tags.kind is ItemKind.DECISION


def test_case_numbers_of_every_kind_are_found(tagger: Tagger) -> None:
    text = (
        "Inv. No. 337-TA-1234; Case 6:15-cv-961-JRG (E.D. Tex.); IPR2022-00037 and "
        "PGR2021-00012; UPC_CFI_123/2024 and ACT_12345/2024; the Federal Circuit in "
        "Appeal No. 2023-1234; （2023）最高法知民终123号."
    )
    assert tagger.tag(text).case_refs == [
        "337-TA-1234",
        "6:15-cv-00961",
        "IPR2022-00037",
        "PGR2021-00012",
        "UPC_CFI_123/2024",
        "ACT_12345/2024",
        "2023-1234",
        "（2023）最高法知民终123号",
    ]


def test_signal_takes_the_nearest_date_in_its_sentence(tagger: Tagger) -> None:
    text = (
        "The complaint was filed on December 19, 2014 and a supplement was filed on "
        "January 8, 2015. On February 2, 2016, the ALJ issued a final initial determination."
    )
    signals = _signal_dates(tagger.tag(text))
    assert signals["complaint_filed"] == date(2014, 12, 19)
    assert signals["initial_determination"] == date(2016, 2, 2)
    assert "final_determination" not in signals


def test_signal_without_a_date_in_its_sentence_has_none(tagger: Tagger) -> None:
    signals = tagger.tag("Customs detention of counterfeit chargers rose last year.").signals
    assert [(s.type, s.date) for s in signals] == [("customs_detention", None)]


def test_chinese_signals_and_dates(tagger: Tagger) -> None:
    text = "2025年1月6日，法院发布临时禁令。申请人请求发布普遍排除令。"
    signals = _signal_dates(tagger.tag(text, "zh"))
    assert signals == {"preliminary_injunction": date(2025, 1, 6)}


def test_jurisdictions_cover_regional_systems(tagger: Tagger) -> None:
    tags = tagger.tag(
        "EUIPO and the European Patent Office signed a pact with WIPO on PCT "
        "filings; the EU welcomed it."
    )
    assert set(tags.jurisdictions) == {"EUIPO", "EPO", "WIPO", "EU"}


def test_china_counts_as_jurisdiction_only_without_a_foreign_forum(tagger: Tagger) -> None:
    assert tagger.tag("Chinese exporters face US lawsuits.").jurisdictions == ["US"]
    assert tagger.tag("China's CNIPA issued new patent examination guidelines.").jurisdictions == [
        "CN"
    ]


def test_overlapping_country_names_take_the_longest(tagger: Tagger) -> None:
    assert tagger.tag("印度尼西亚海关扣押假冒商品", "zh").jurisdictions == ["ID"]
    assert tagger.tag("Latin American markets grew.").jurisdictions == []


def test_ip_types_cover_the_rarer_rights(tagger: Tagger) -> None:
    tags = tagger.tag(
        "The dispute covers a utility model, a geographical indication, a plant "
        "variety right, a mask work and trade secrets, under FRAND terms."
    )
    assert set(tags.ip_types) == {
        "utility_model",
        "gi",
        "plant_variety",
        "mask_work",
        "trade_secret",
        "sep",
        "patent",
    }


def test_kind_cues_pick_enforcement(tagger: Tagger) -> None:
    tags = tagger.tag("德国海关在汉诺威展会上查扣了涉嫌侵权的电动自行车", "zh")
    assert tags.kind is ItemKind.ENFORCEMENT
    assert "A6" in tags.chain_ids()


@pytest.mark.parametrize(
    ("text", "language", "kind"),
    [
        # a firm sued abroad is a dispute (it read as plain news: 被诉 was no cue)
        ("无锡一家药企在美被诉侵犯抗体药物专利，对方索赔逾1亿美元", "zh", ItemKind.DISPUTE),
        # a lawsuit that froze sellers' funds is still the lawsuit (it read as enforcement)
        ("美国品牌方状告数十家中国网店商标侵权，店铺资金已被冻结", "zh", ItemKind.DISPUTE),
        # an injunction a court grants is its decision (it read as plain news)
        ("统一专利法院对一家储能企业颁发临时禁令", "zh", ItemKind.DECISION),
        ("印度法院就标准必要专利作出临时禁令", "zh", ItemKind.DECISION),
        # a PTAB trial started is a dispute, one refused a decision
        (
            "PTAB institutes inter partes review of a charging connector patent",
            "en",
            ItemKind.DISPUTE,
        ),
        (
            "The firm filed a petition for post-grant review of a fabric patent",
            "en",
            ItemKind.DISPUTE,
        ),
        (
            "Institution denied: the Board declined to review the robot patent",
            "en",
            ItemKind.DECISION,
        ),
    ],
)
def test_kind_cues_read_lawsuits_injunctions_and_ptab_trials(
    tagger: Tagger, text: str, language: str, kind: ItemKind
) -> None:
    assert tagger.tag(text, language).kind is kind


@pytest.mark.parametrize(
    "text",
    [
        "苏州中院裁定准许诉前禁令申请，涉工业机器人外观设计",
        "江苏省高院二审维持原判，认定商标侵权成立",
        "最高院知识产权法庭审结一起发明专利权属纠纷",
    ],
)
def test_chinese_courts_named_by_their_short_forms_are_china(tagger: Tagger, text: str) -> None:
    # news calls courts 中院, 省高院 and 最高院; these items used to get no jurisdiction
    assert tagger.tag(text, "zh").jurisdictions == ["CN"]


def test_chain_evidence_is_the_matched_text(tagger: Tagger) -> None:
    tags = tagger.tag("Solar modules and TOPCon cells were seized.")
    chain = next(c for c in tags.chains if c.id == "A5")
    assert "Solar modules" in chain.evidence and 0 < chain.score <= 1
    assert tags.taxonomy_version == tagger.version


def test_signal_date_is_the_closest_over_all_its_cues(tagger: Tagger) -> None:
    text = (
        "The Commission instituted this investigation on January 27, 2015, based on a "
        "complaint filed on behalf of Cisco Systems, Inc. of San Jose, California. 80 FR "
        "4314-15 (Jan. 27, 2015). The complaint was filed on December 19, 2014 and a "
        "supplement was filed on January 8, 2015. Section 337."
    )
    tags = tagger.tag(text)
    signals = _signal_dates(tags)
    assert signals["institution"] == date(2015, 1, 27)
    assert signals["complaint_filed"] == date(2014, 12, 19)
    [party] = tags.parties
    assert party.location == "San Jose, California"


def test_docket_entries_are_not_party_names(tagger: Tagger) -> None:
    tags = tagger.tag(
        "12/01/2015 1 COMPLAINT against Zoho Corporation. Plaintiff Complaint is "
        "filed by Pherah LLC."
    )
    assert all(not p.name.startswith("Complaint") for p in tags.parties)


def test_docket_number_right_after_chinese_text_is_found() -> None:
    from tagger import get_tagger

    tags = get_tagger().tag("原告向伊利诺伊州北区法院起诉，案号1:24-cv-09876。", "zh")
    assert "1:24-cv-09876" in tags.case_refs
    assert get_tagger().tag("Exhibit A1:24-cv-09876", "en").case_refs == []
