"""Promises about parties, case references, the final kind and jurisdictions."""

from __future__ import annotations

import pytest

from core.types import ItemKind, Party, Tags
from tagger import Tagger
from tagger._parties import find_parties
from tagger._refs import find_case_refs
from tagger.reconcile import reconcile_tags


def _parties(text: str) -> dict[str, Party]:
    return {p.name: p for p in find_parties(text).parties}


def _refs(text: str) -> list[str]:
    return [r.ref for r in find_case_refs(text)]


def test_party_list_in_complaint_was_filed_by_wording_is_read() -> None:
    text = (
        "USITC Institutes Section 337 Investigation of Certain Marine Winches\n"
        "The complaint was filed by Harbor Lift Systems, Inc. of Seattle, WA. The proposed "
        "respondents are Wuxi Demo Marine Machinery Co., Ltd., Wuxi, China and Sample Winch "
        "GmbH, Bremen, Germany."
    )
    parties = _parties(text)
    assert parties["Harbor Lift Systems, Inc."].role == "complainant"
    assert parties["Harbor Lift Systems, Inc."].location == "Seattle, WA"
    wuxi = parties["Wuxi Demo Marine Machinery Co., Ltd."]
    assert (wuxi.role, wuxi.chinese, wuxi.province, wuxi.city) == (
        "respondent",
        True,
        "江苏",
        "无锡",
    )
    assert parties["Sample Winch GmbH"].location == "Bremen, Germany"


def test_respondents_on_separate_paragraphs_are_all_read() -> None:
    text = (
        "The USITC has identified the following as respondents in this investigation:\n\n"
        "Alpha Demo Co., Ltd., of Changzhou, Jiangsu, China;\n\n"
        "Beta Sample (Shenzhen) Co., Ltd., of Shenzhen, Guangdong, China; and\n\n"
        "Gamma Example, Inc., of Reno, NV.\n\nBy instituting this investigation (337-TA-1999), "
        "the USITC has not yet made any decision on the merits of the case."
    )
    parties = _parties(text)
    assert list(parties) == [
        "Alpha Demo Co., Ltd.",
        "Beta Sample (Shenzhen) Co., Ltd.",
        "Gamma Example, Inc.",
    ], "the company's place in brackets stays part of its name"
    assert parties["Beta Sample (Shenzhen) Co., Ltd."].province == "广东"
    assert {p.role for p in parties.values()} == {"respondent"}


def test_a_single_role_word_before_a_company_name_gives_the_party() -> None:
    text = (
        "The Commission terminated Inv. No. 337-TA-1421 as to respondent Wuxi Demo Hydrogen "
        "Co., Ltd. based on a settlement agreement with complainant Demo Fuel Cells Corp."
    )
    parties = _parties(text)
    assert parties["Wuxi Demo Hydrogen Co., Ltd."].role == "respondent"
    assert parties["Demo Fuel Cells Corp."].role == "complainant"


def test_exclusion_orders_name_their_targets_as_respondents() -> None:
    text = (
        "USITC Issues Final Determination (337-TA-1400)\nThe Commission issued a limited "
        "exclusion order against scooters imported by Ningbo Demo Vehicle Co., Ltd. of "
        "Ningbo, Zhejiang, China, finding infringement of two patents."
    )
    party = _parties(text)["Ningbo Demo Vehicle Co., Ltd."]
    assert (party.role, party.location) == ("respondent", "Ningbo, Zhejiang, China")


def test_a_respondents_sentence_without_company_names_gives_no_party() -> None:
    text = "Section 337: the respondents are Chinese makers of solar panels."
    assert _parties(text) == {}


def test_schedule_a_defendants_are_one_party_named_by_the_caption() -> None:
    text = (
        "Brightline Home Products, Inc. v. The Individuals, Corporations, Limited Liability "
        "Companies, Partnerships, and Unincorporated Associations Identified on Schedule A "
        "Hereto\nN.D. Ill. 1:25-cv-06241"
    )
    names = list(_parties(text))
    assert names == [
        "Brightline Home Products, Inc.",
        "The Individuals, Corporations, Limited Liability Companies, Partnerships, and "
        "Unincorporated Associations Identified on Schedule A Hereto",
    ]


def test_names_in_capitals_keep_their_suffix_and_abbreviations() -> None:
    text = (
        "Appeal Number: 20-1046\nKYOCERA SENCO INDUS. TOOLS INC v. ITC [OPINION]\n"
        "PROCON ANALYTICS, LLC v. SPIREON, INC. [RULE 36 JUDGMENT]"
    )
    names = list(_parties(text))
    assert "KYOCERA SENCO INDUS. TOOLS INC" in names
    assert "SPIREON, INC." in names


def test_chinese_parties_without_role_labels_are_read_from_their_company_names() -> None:
    text = (
        "美国对石墨烯导热膜发起337调查\n申请人指控对美出口的特定产品侵犯其专利权。"
        "常州示例碳材料有限公司、无锡碳芯新材料科技有限公司被列为被申请人。"
        "此前，法院认定苏州某光电有限公司侵权。"
    )
    parties = _parties(text)
    assert parties["常州示例碳材料有限公司"].role == "respondent"
    assert parties["无锡碳芯新材料科技有限公司"].role == "respondent"
    assert parties["无锡碳芯新材料科技有限公司"].city == "无锡"
    assert "苏州某光电有限公司" in parties, "the name starts after the verb 认定"


def test_chinese_respondent_lists_after_a_label_give_every_name() -> None:
    text = "被申请人包括无锡感知微电子有限公司、苏州示例科技有限公司。"
    parties = _parties(text)
    assert set(parties) == {"无锡感知微电子有限公司", "苏州示例科技有限公司"}
    assert {p.role for p in parties.values()} == {"respondent"}


def test_generic_chinese_firms_are_not_parties() -> None:
    text = (
        "美企对中国原料药企业提起337调查申请。法院要求被告中国手机企业缴纳保证金，"
        "该公司表示将上诉，当地公司和一家动画电影制作公司也受到影响。"
    )
    assert _parties(text) == {}


def test_a_foreign_firm_written_with_its_country_keeps_the_country_as_location() -> None:
    party = _parties("杜塞尔多夫地方法院应德国Brenner机械公司申请发布临时禁令。")["Brenner机械公司"]
    # who asks a court for a preliminary injunction is its applicant (not a 337 complainant)
    assert (party.role, party.location, party.chinese) == ("applicant", "德国", False)


def test_a_region_named_group_of_firms_stays_a_party_for_the_warning() -> None:
    party = _parties("美国国际贸易委员会对中国江苏无锡企业的锂电池发起337调查")["中国江苏无锡企业"]
    assert (party.role, party.province, party.city) == ("respondent", "江苏", "无锡")


def test_upc_case_numbers_are_kept_whole() -> None:
    text = (
        "Case and registry numbers: UPC_CFI_1877/2024, ACT_99001/2024, DEC_99388/2025, "
        "ORD_99456/2025; on appeal UPC_COA_12/2025."
    )
    assert _refs(text) == [
        "UPC_CFI_1877/2024",
        "ACT_99001/2024",
        "DEC_99388/2025",
        "ORD_99456/2025",
        "UPC_CoA_12/2025",
    ]


def test_federal_circuit_appeal_numbers_get_a_four_digit_year() -> None:
    rss = "21-1552: FILLER v. US [RULE 36 JUDGMENT]\nAppeal Number: 21-1552 Origin: CFC"
    assert _refs(rss) == ["2021-1552"]
    assert _refs("Federal Circuit, No. 2023-1234, decided May 2024.") == ["2023-1234"]
    assert _refs("Sales rose 2023-2024 at the plant.") == [], "a year range is no appeal"


def test_usitc_docket_and_trade_remedy_numbers_are_found() -> None:
    text = (
        "Complaints: Certain Nanopores and Products Containing Same, DN 3123. Antidumping "
        "investigation Nos. 701-TA-545-547 and 731-TA-1291-1297 (Final); Commerce case "
        "A-570-123 and C-570-124."
    )
    assert _refs(text) == [
        "DN 3123",
        "701-TA-545-547",
        "731-TA-1291-1297",
        "A-570-123",
        "C-570-124",
    ]


def test_each_reference_is_reported_once_in_one_form() -> None:
    text = "337-TA-1441 (Inv. No. 337-TA-1441); docket 1:24-cv-1234 and 1:24-cv-01234."
    assert _refs(text) == ["337-TA-1441", "1:24-cv-01234"]


@pytest.mark.parametrize(
    ("crawler", "expected"),
    [
        (None, ItemKind.DISPUTE),
        (ItemKind.NEWS, ItemKind.DISPUTE),
        (ItemKind.DECISION, ItemKind.DECISION),
    ],
)
def test_the_crawler_kind_wins_unless_it_is_the_plain_news_default(
    tagger: Tagger, crawler: ItemKind | None, expected: ItemKind
) -> None:
    text = "Demo Corp. filed a patent infringement lawsuit against Sample Inc."
    assert reconcile_tags(tagger.tag(text, "en"), text, crawler).kind is expected


def test_office_notices_on_fees_guidelines_and_dispute_guidance_are_no_disputes(
    tagger: Tagger,
) -> None:
    texts = {
        "关于做好2025年海外知识产权纠纷应对指导工作的通知": ItemKind.NEWS,
        "国家知识产权局发布《海外知识产权纠纷应对指引（新能源汽车行业）》": ItemKind.RULE_CHANGE,
        "Changes to patent, trade mark and design fees from 1 April 2026": ItemKind.RULE_CHANGE,
        "Reforming the designs framework: consultation": ItemKind.RULE_CHANGE,
    }
    for text, kind in texts.items():
        assert reconcile_tags(tagger.tag(text), text).kind is kind, text


def test_an_item_without_kind_cues_is_news(tagger: Tagger) -> None:
    text = "Snack brand unveils recyclable chip bags"
    assert reconcile_tags(tagger.tag(text, "en"), text).kind is ItemKind.NEWS


def test_the_items_own_country_is_kept_when_the_text_names_none(tagger: Tagger) -> None:
    text = "Trade mark examination: goods and services specifications"
    tags = reconcile_tags(tagger.tag(text, "en"), text, ItemKind.RULE_CHANGE, ["GB"])
    assert tags.jurisdictions == ["GB"]


def test_a_upc_local_division_is_the_upc_not_its_host_country(tagger: Tagger) -> None:
    text = (
        "Order of the Mannheim LD (infringement action) of the Unified Patent Court. "
        "UPC_CFI_1868/2025."
    )
    assert tagger.tag(text, "en").jurisdictions == ["UPC"]
    text_de = text + " The Regional Court of Düsseldorf in Germany had stayed its own action."
    assert "DE" in tagger.tag(text_de, "en").jurisdictions


@pytest.mark.parametrize(
    ("text", "language"),
    [
        (
            "统一专利法院汉堡地方分庭作出临时禁令，禁止被告苏州示例泵业有限公司在德国、奥地利和"
            "荷兰等成员国销售涉案水泵。案号：UPC_CFI_3001/2025。",
            "zh",
        ),
        (
            "欧洲统一专利法院裁定，禁止无锡示例照明有限公司在法国销售涉案灯具。",
            "zh",
        ),
        (
            "The Milan Local Division of the Unified Patent Court ordered Wuxi Demo Pumps Co., "
            "Ltd. to stop selling the pumps in Italy, France and the Netherlands. UPC_CFI_3002/2025.",
            "en",
        ),
        (
            "Provisional measures of the Unified Patent Court covering Germany and Austria, and "
            "other UPC member states. UPC_CFI_3003/2025.",
            "en",
        ),
    ],
)
def test_member_states_a_upc_order_covers_are_its_territory_not_jurisdictions(
    tagger: Tagger, text: str, language: str
) -> None:
    """A UPC injunction forbidding sales "在德国、法国等成员国" is one UPC matter (the UPC
    concerns each member state), not German and French cases as well."""
    assert tagger.tag(text, language).jurisdictions == ["UPC"]


def test_a_country_named_as_a_forum_beside_a_upc_order_still_counts(tagger: Tagger) -> None:
    zh = (
        "统一专利法院禁止无锡示例照明有限公司在法国等成员国销售涉案灯具；"
        "此前德国联邦最高法院已驳回其上诉。"
    )
    assert tagger.tag(zh, "zh").jurisdictions == ["UPC", "DE"]
    national = "慕尼黑地区法院禁止无锡示例照明有限公司在德国销售涉案灯具。"  # no UPC
    assert tagger.tag(national, "zh").jurisdictions == ["DE"]
    british = (
        "The Unified Patent Court ordered Demo Lamps Co., Ltd. to stop selling in France and "
        "the United Kingdom. UPC_CFI_3004/2025."
    )  # not a member state: the order cannot reach it, so the text means something else
    assert tagger.tag(british, "en").jurisdictions == ["UPC", "GB"]


def test_reconciling_never_raises_on_odd_crawler_fields(tagger: Tagger) -> None:
    tags = reconcile_tags(tagger.tag("锂电池", "zh"), "锂电池", "no-such-kind", ["", "CN"])
    assert tags.kind is ItemKind.NEWS and tags.jurisdictions == ["CN"]
    empty = reconcile_tags(Tags(untagged="empty text"), "")
    assert empty.kind is None and empty.untagged == "empty text"


def test_upc_parties_get_the_courts_own_role_words() -> None:
    """The Rules of Procedure call the party provisional measures are sought against "the
    defendant" (R.206, R.209), as in an action; only the Court of Appeal has respondents.
    An application within an action (security for costs) keeps the action's caption."""
    action = "Demo Telecom Oy v. Sample Mobile Co., Ltd. – infringement action (Mannheim LD)"
    measures = "Demo Battery AG v. Wuxi Cell Co., Ltd. – provisional measures (Munich LD)"
    injunction = "Demo Pumps SE v. Wuxi Flow Co., Ltd. – preliminary injunction (Milan LD)"
    security = (
        "Demo Radio Oy v. Sample Phone Co., Ltd. – Application for security for costs (Paris LD)"
    )
    appeal = (
        "Example Optics Co., Ltd. v. Samplevision B.V. – appeal (Court of Appeal)\n"
        "Order of the Court of Appeal. UPC_CoA_12/2025."
    )
    assert [p.role for p in _parties(action).values()] == ["claimant", "defendant"]
    assert [p.role for p in _parties(measures).values()] == ["applicant", "defendant"]
    assert [p.role for p in _parties(injunction).values()] == ["applicant", "defendant"]
    assert [p.role for p in _parties(security).values()] == ["claimant", "defendant"]
    assert [p.role for p in _parties(appeal).values()] == ["appellant", "respondent"]


def test_chinese_verbs_give_the_roles_labels_would() -> None:
    text = "美国格瑞德电力公司撤回针对无锡储能科技有限公司储能逆变器的337调查申请。"
    parties = _parties(text)
    assert parties["美国格瑞德电力公司"].role == "complainant"
    assert parties["无锡储能科技有限公司"].role == "respondent"


def test_a_firm_sued_in_court_and_the_one_suing_get_court_roles() -> None:
    # 被诉/被起诉 gave no role, and whoever 指称 before a court was read as a 337 complainant
    text = (
        "无锡华泰电机有限公司在德国被起诉侵犯专利\n"
        "柏林动力机械公司指称其出口的伺服电机侵犯两项欧洲专利，案件由杜塞尔多夫地区法院审理。"
    )
    parties = _parties(text)
    assert parties["无锡华泰电机有限公司"].role == "defendant"
    assert parties["柏林动力机械公司"].role == "plaintiff"


def test_who_asks_a_court_for_an_injunction_is_its_applicant() -> None:
    # a 337 申请人 brings a complaint; before a court asking for 行为保全 it is an applicant
    text = (
        "申请人常州示例机械有限公司向法院申请诉前行为保全，请求责令被申请人苏州某贸易有限公司"
        "停止销售涉案产品。"
    )
    parties = _parties(text)
    assert parties["常州示例机械有限公司"].role == "applicant"
    assert parties["苏州某贸易有限公司"].role == "respondent"
    in_337 = _parties("申请人常州示例机械有限公司请求美国国际贸易委员会发起337调查并发布禁令。")
    assert in_337["常州示例机械有限公司"].role == "complainant"


def test_ptab_petitioners_and_patent_owners_are_read_from_running_text() -> None:
    text = (
        "The Board instituted review on a petition by Wuxi Delta Motor Co., Ltd. of U.S. "
        "Patent No. 11,222,333, owned by Rotorix Inc. Separately, Suzhou Example Pump Co., "
        "Ltd. filed a petition for inter partes review of a patent held by Flowtek LLC on seals."
    )
    roles = {name: party.role for name, party in _parties(text).items()}
    assert roles == {
        "Wuxi Delta Motor Co., Ltd.": "petitioner",
        "Rotorix Inc.": "patent_owner",
        "Suzhou Example Pump Co., Ltd.": "petitioner",
        "Flowtek LLC": "patent_owner",
    }
    # a firm "owned by" another, with no patent named just before, gets no role
    owned = _parties("A patent suit names Alpha Inc., a firm owned by Beta Holdings Inc.")
    assert owned["Beta Holdings Inc."].role is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Respondents:",
        "被申请人包括、、、有限公司",
        "v. v. v. Inc.",
        "<div>Section 337 <b>Alpha Co.,</b> Ltd. v. <i>Beta</i> Inc.</div>",
        "原告Apple Inc.诉被告华为技术有限公司 v. Демо ООО 株式会社テスト patent",
        "337 " + "respondents are Alpha Co., Ltd. " * 3000,
        "专利纠纷：" + "无锡示例科技有限公司、某某公司和" * 4000,
        "Patent Court Inc. " + "Alpha Beta Gamma Delta Epsilon " * 3300,
    ],
)
def test_party_and_reference_readers_never_raise_and_stay_bounded(text: str) -> None:
    found = find_parties(text)
    assert len(found.parties) <= 100
    assert isinstance(_refs(text), list)
