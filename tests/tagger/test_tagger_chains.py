"""What counts as evidence for an industry chain (real tagger, taxonomy as shipped)."""

from __future__ import annotations

from tagger import Tagger


def test_two_weak_terms_do_not_tag_a_chain(tagger: Tagger) -> None:
    snack = "Crunchy Co. opens new potato chip plant\nThe wafer-thin chips will be sold in Ohio."
    assert "L2" not in tagger.tag(snack).chain_ids()
    hotel = "Hotel group adds free Wi-Fi and Bluetooth speakers to every room."
    assert "L1" not in tagger.tag(hotel).chain_ids()
    assert "A5" not in tagger.tag("酒店为客人提供电池和叶片形状的装饰品", "zh").chain_ids()


def test_weak_terms_add_to_a_chain_tagged_by_a_strong_term(tagger: Tagger) -> None:
    alone = tagger.tag("DRAM exports rose.")
    with_chip = tagger.tag("DRAM exports rose as chip demand recovered.")
    assert "L2" in alone.chain_ids()
    l2 = next(c for c in with_chip.chains if c.id == "L2")
    assert "chip" in l2.evidence
    assert l2.score > next(c for c in alone.chains if c.id == "L2").score


def test_chinese_battery_terms_tag_new_energy_and_storage(tagger: Tagger) -> None:
    for text in (
        "无锡某企业的储能电芯被诉侵权",
        "美国海关扣押一批中国出口的储能电池",
        "韩国扩大二次电池专利优先审查范围",
        "固态电池专利申请持续增长",
    ):
        assert {"A5", "F4"} <= set(tagger.tag(text, "zh").chain_ids()), text


def test_english_secondary_batteries_tag_new_energy_and_storage(tagger: Tagger) -> None:
    tags = tagger.tag("KIPO expands fast-track examination for secondary-battery technologies")
    assert {"A5", "F4"} <= set(tags.chain_ids())


def test_a_term_inside_a_longer_term_is_no_evidence_of_its_own(tagger: Tagger) -> None:
    wind = tagger.tag("Inter partes review of a patent on wind turbine blade root inserts.")
    assert wind.chain_ids() == ["A5"], "not aero-engine turbine blades (A1, B4-2)"
    nev = tagger.tag("印尼法院撤销抢注的中国新能源汽车品牌商标", "zh")
    assert "A6" in nev.chain_ids() and "A5" not in nev.chain_ids()
    tumblers = tagger.tag("Certain insulated tumblers: trade dress infringement alleged.")
    assert "A2" not in tumblers.chain_ids(), "'dress' inside 'trade dress' is no garment"


def test_an_industry_named_in_a_company_name_tags_its_chain(tagger: Tagger) -> None:
    upc = tagger.tag(
        "Examplar Medical GmbH v. Sample Devices (Shenzhen) Co., Ltd. – infringement action"
    )
    assert {"L3", "B5-1"} <= set(upc.chain_ids())
    zh = tagger.tag("原告请求确定被告某美国芯片公司标准必要专利组合的全球许可费率", "zh")
    assert "L2" in zh.chain_ids()
    assert "L3" not in tagger.tag("Patients need medical care.").chain_ids()


def test_an_ambiguous_word_in_a_company_name_tags_nothing(tagger: Tagger) -> None:
    tags = tagger.tag("Sample Tools S.A.S. v. Examplar Automation GmbH – revocation action")
    assert not {"A1", "B3-3", "F1"} & set(tags.chain_ids())


def test_products_listed_in_passing_do_not_tag(tagger: Tagger) -> None:
    listed = tagger.tag(
        "法院受理大量Schedule A商标侵权诉讼，涉及服装、家居和汽车配件等品类。", "zh"
    )
    assert not {"A2", "A6"} & set(listed.chain_ids())
    same_chain = tagger.tag("涉案产品包括光伏组件、逆变器和多晶硅。", "zh")
    assert "A5" in same_chain.chain_ids(), "a list from one chain is what the item is about"
