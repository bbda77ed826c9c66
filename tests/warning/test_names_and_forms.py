"""What a profile's terms stand for in an item's text: product terms in either grammatical
number, company names only where they name that company, and explanations that say what was
found (no placeholders)."""

from __future__ import annotations

from core.types import Party
from tests.warning.cases import AS_OF, PROFILE, item
from warning._cues import number_forms
from warning.engine import evaluate_item, evaluate_naive
from warning.matching import ProfileIndex
from warning.rules import load_rules

INDEX = ProfileIndex.build([PROFILE], AS_OF)
# PROFILE: alias "XLNET" and "锡联网络", keyword "Ethernet switch", watch term "network switch"


def _alerts(record):  # type: ignore[no-untyped-def]
    alerts = evaluate_item(record, INDEX, None, AS_OF)
    naive = evaluate_naive(record, INDEX, load_rules(), AS_OF)
    assert sorted((a.rule_id, a.explanation["en"]) for a in alerts) == sorted(
        (a.rule_id, a.explanation["en"]) for a in naive
    )  # the index finds what brute force finds
    return {a.rule_id: a for a in alerts}


def _schedule_a(title: str) -> dict:  # type: ignore[type-arg]
    return _alerts(
        item(title, flags=("schedule_a",), chains=(), ip_types=("design",), item_id="sa:1")
    )


def test_product_terms_are_found_in_the_plural_and_the_singular() -> None:
    plural = _schedule_a("Schedule A complaint filed over Ethernet switches and gateways")
    assert "schedule_a_products" in plural
    terms = plural["schedule_a_products"].explanation["matched"]["terms"]
    assert ("Ethernet switch", "Ethernet switches") in [(t["term"], t["text"]) for t in terms]
    assert "Ethernet switch" in plural["schedule_a_products"].explanation["en"]
    assert "schedule_a_products" not in _schedule_a("Schedule A complaint filed over gateways")


def test_number_forms_follow_regular_english() -> None:
    assert number_forms("network switch") == ("network switches",)
    assert number_forms("lithium-ion batteries") == ("lithium-ion battery",)
    assert number_forms("battery cell") == ("battery cells",)
    assert number_forms("power banks") == ("power bank",)
    assert number_forms("process") == ("processes",)
    assert number_forms("software") == number_forms("交换机") == number_forms("5g") == ()


def _dispute(title: str, *parties: Party) -> dict:  # type: ignore[type-arg]
    return _alerts(item(title, summary="", chains=(), parties=parties, item_id="d:1"))


def test_a_name_written_in_capitals_does_not_match_a_mixed_case_word() -> None:
    assert "named_party_dispute" in _dispute("XLNET sued for patent infringement in Delaware")
    assert "named_party_dispute" in _dispute("Xlnet sued for patent infringement in Delaware")
    assert "named_party_dispute" not in _dispute("XLNet language model makers sued in Delaware")


def test_a_chinese_alias_inside_another_companys_name_is_not_the_company() -> None:
    other = Party(name="杭州西锡联网络科技有限公司", role="defendant", chinese=True)
    inside = _dispute("美国法院受理专利侵权诉讼，被告为杭州西锡联网络科技有限公司", other)
    assert "named_party_dispute" not in inside
    alone = _dispute("美国法院受理专利侵权诉讼，锡联网络被列为被告", other)
    assert "named_party_dispute" in alone  # the alias also stands on its own in the text


def test_named_party_explanations_say_only_what_was_found() -> None:
    by_text = _dispute("XLNET sued for patent infringement in Delaware")["named_party_dispute"]
    party = Party(name="Wuxi Xilian Network Equipment Co Ltd", role="defendant", chinese=True)
    by_party = _dispute("Complaint filed in Delaware", party)["named_party_dispute"]
    for alert in (by_text, by_party):
        for text in alert.explanation.values():
            assert '"-"' not in text and "“-”" not in text and "score -" not in text
            assert ": -" not in text and "：-" not in text
    assert "names in the text: XLNET" in by_text.explanation["en"]
    assert "文中名称：XLNET" in by_text.explanation["zh"]
    assert 'matches "Wuxi Xilian Network Equipment Co., Ltd."' in by_party.explanation["en"]
    assert "names in the text" not in by_party.explanation["en"]
