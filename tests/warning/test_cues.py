"""Text cues, standards and HS codes: the cheap literal tests in front of the patterns never
hide a match that the patterns alone would find."""

from __future__ import annotations

import pytest

from tests.warning.cases import item
from warning import _cues
from warning.engine import item_facts
from warning.matching import ItemView

# One text per alternative of every cue pattern, written in a case the literals do not use.
CUE_TEXTS = {
    "is_337": [
        "Under SECTION 337 of the Tariff Act",
        "a 337 Investigation was opened",
        "美国337调查",
        "Inv. No. 337-ta-1400",
        "usitc dn 3801",
    ],
    "is_schedule_a": [
        "Defendants on SCHEDULE “A”",
        "The PARTNERSHIPS and Unincorporated ASSOCIATIONS",
        "附表 a 被告",
        "“A表”诉讼",
        "美国批量诉讼",
    ],
    "is_upc": ["Unified  PATENT Court", "the upc ruled", "统一专利法院裁定"],
    "is_injunction": [
        "a preliminary INJUNCTION",
        "PROVISIONAL measures",
        "Einstweilige VERFÜGUNG",
        "法院发布禁令",
        "申请临时措施",
    ],
    "is_german_court": [
        "LANDGERICHT München",
        "lg Mannheim",
        "Regional Court of HAMBURG",
        "DÜSSELDORF Regional Court",
        "a GERMAN court",
        "德国杜塞尔多夫法院",
        "慕尼黑地区法院",
        "杜塞尔多夫地区法院",
        "曼海姆地区法院",
    ],
    "is_trade_fair": [
        "at the TRADE fair",
        "MESSE booth",
        "an EXHIBITOR",
        "在展会上",
        "展览会",
        "参展企业",
        "ifa BERLIN",
        "hannover MESSE",
        "at medica",
        "AUTOMECHANIKA",
        "INTERSOLAR",
    ],
    "is_customs": [
        "US CUSTOMS",
        "the cbp said",
        "BORDER measures",
        "goods DETAINED",
        "SEIZURE of goods",
        "ZOLLamt",
        "海关",
        "扣押",
        "扣留",
        "查扣",
    ],
    "is_squatting": [
        "BAD-FAITH trademark registrations",
        "SQUATTING",
        "PRE-EMPTIVE registration",
        "商标抢注",
        "恶意注册",
    ],
    "is_sep": ["STANDARD-essential", "their SEPs", "a frand offer", "标准必要专利", "许可费率"],
}


def _by_patterns(text: str) -> frozenset[str]:
    return frozenset(name for name, pattern in _cues.ITEM_CUES.items() if pattern.search(text))


@pytest.mark.parametrize(
    ("cue", "text"), [(cue, text) for cue, texts in CUE_TEXTS.items() for text in texts]
)
def test_every_alternative_of_every_cue_is_found(cue: str, text: str) -> None:
    found = _cues.cues_in(f"Notice. {text}. More text.")
    assert cue in found
    assert found == _by_patterns(f"Notice. {text}. More text.")


def test_a_text_without_cue_literals_has_no_cues() -> None:
    text = "Market report: demand for servo drives grows in Vietnam"
    assert _cues.cues_in(text) == frozenset() == _by_patterns(text)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("Defendants on ſchedule A", "is_schedule_a"),  # long s: re.I matches it with "s"
        ("PRELIMINARY İNJUNCTION granted", "is_injunction"),  # dotted capital I
        ("a preliminary ınjunction", "is_injunction"),  # dotless i
    ],
)
def test_letters_that_lower_case_does_not_fold_still_find_their_cue(text: str, cue: str) -> None:
    assert cue in _cues.cues_in(text)
    assert _cues.cues_in(text) == _by_patterns(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A new 5g NR module with BLUETOOTH", ["cellular_5g", "bluetooth"]),
        ("WI-FI 6 routers and lte-advanced", ["cellular_4g", "wifi"]),
        ("a filter on the altered alternator", []),  # "lte" inside words is no standard
        ("车联网终端的视频编码", ["hevc", "c_v2x"]),
        ("Qi wireleſs charging pads", ["qi"]),
    ],
)
def test_standards_are_found_as_by_their_terms(text: str, expected: list[str]) -> None:
    assert sorted(_cues.standards_in(text)) == sorted(expected)


def test_hs_codes_need_four_digits() -> None:
    assert _cues.hs_codes_in("classified under HTSUS 8517.62.00") == ["85176200"]
    assert _cues.hs_codes_in("HS code: 8507") == ["8507"]
    assert _cues.hs_codes_in("no codes in 123 here") == []


# The item path looks for cues and standards in one pass over the item's lower-cased text
# (``_cues.item_literals``): what an item's facts say must be what each search finds alone.
def _facts_of(title: str, summary: str = "") -> tuple[dict[str, object], frozenset[str]]:
    record = item(title, summary=summary)
    view = ItemView.of(record)
    return item_facts(record, view), view.standards


def _cue_flags(facts: dict[str, object]) -> frozenset[str]:
    return frozenset(name for name in _cues.ITEM_CUES if facts[name])


@pytest.mark.parametrize(
    ("title", "cues", "standards"),
    [
        ("海关扣押了支持 5G 和 Wi-Fi 6 的路由器", {"is_customs"}, {"cellular_5g", "wifi"}),
        (
            "慕尼黑地区法院就 LTE 标准必要专利发布禁令",
            {"is_german_court", "is_sep", "is_injunction"},
            {"cellular_4g"},
        ),
        ("Defendants on ſchedule A sell Bluetooth speakers", {"is_schedule_a"}, {"bluetooth"}),
        ("海关扣押蓝牙耳机和视频编码芯片", {"is_customs"}, {"bluetooth", "hevc"}),
        ("Market report: servo drives in Vietnam", set(), set()),
    ],
)
def test_an_items_cues_and_standards_are_those_each_search_finds(
    title: str, cues: set[str], standards: set[str]
) -> None:
    facts, found = _facts_of(title)
    assert _cue_flags(facts) == cues == _cues.cues_in(title)
    assert found == standards == set(_cues.standards_in(title))


def test_cues_are_looked_for_only_near_the_start_but_standards_everywhere() -> None:
    late = "x" * _cues.CUE_SPAN + " goods detained at the border; HEVC decoders"
    facts, found = _facts_of("Notice", summary=late)
    assert not facts["is_customs"]  # past the span that cues are looked for in
    assert found == {"hevc"}


# Party places are tested for Jiangsu and Wuxi behind a literal test (``_cues.place_cues``):
# one place per alternative of ``JIANGSU``, in a case the literals do not use, and places
# whose letters lower-casing does not fold.
PLACES = [
    *("JIANGSU Province", "江苏省", "Wuxi Huaxin", "无锡市", "SUZHOU", "苏州", "NanJing"),
    *("南京", "ChangZhou", "常州", "NANTONG", "南通", "KunShan", "昆山", "JiangYin", "江阴"),
    *("YIXING", "宜兴", "ZhangJiaGang", "张家港", "CHANGSHU", "常熟", "YangZhou", "扬州"),
    *("ZHENJIANG", "镇江", "XuZhou", "徐州", "YANCHENG", "盐城", "LianYunGang", "连云港"),
    *("Huai'an", "HUAIAN", "淮安", "SuQian", "宿迁", "Taizhou,  JIANGSU", "泰州"),
    *("WUXİ", "wuxı", "Jiangſu", "Taizhou, Zhejiang"),
]


@pytest.mark.parametrize("place", PLACES)
def test_jiangsu_and_wuxi_places_are_those_the_patterns_find(place: str) -> None:
    found = _cues.place_cues(f"Acme Co., Ltd. {place} Road 1")
    assert found == (
        _cues.JIANGSU.search(f"Acme Co., Ltd. {place} Road 1") is not None,
        _cues.WUXI.search(f"Acme Co., Ltd. {place} Road 1") is not None,
    )
    assert found[0] or place == "Taizhou, Zhejiang"


def test_a_place_outside_jiangsu_is_neither_jiangsu_nor_wuxi() -> None:
    assert _cues.place_cues("Shenzhen, Guangdong Huaxin Electronics") == (False, False)
