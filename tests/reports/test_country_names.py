"""Places as a reader of each language expects to see them named: short English forms where
CLDR's read like codes ("Congo - Kinshasa"), and Hong Kong, Macao and Taiwan named as parts
of China in both languages, as a mainland public service names them."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from core import jurisdiction_data
from core.types import EnterpriseProfile
from reports.briefing import build_briefing
from reports.health import build_health_report
from reports.render import render_briefing_html, render_health_html
from tests.reports import dataset
from tests.reports.dataset import AS_OF


@pytest.mark.parametrize(
    ("code", "zh", "en"),
    [
        ("HK", "中国香港", "Hong Kong, China"),
        ("MO", "中国澳门", "Macao, China"),
        ("TW", "中国台湾", "Taiwan, China"),
        ("CD", "刚果（金）", "DR Congo"),
        ("CG", "刚果（布）", "Republic of the Congo"),
        ("MM", "缅甸", "Myanmar"),
        ("CI", "科特迪瓦", "Côte d&#39;Ivoire"),
    ],
)
def test_a_briefings_title_names_the_place_as_a_reader_expects(
    session: Session, code: str, zh: str, en: str
) -> None:
    briefing = build_briefing(session, code, None, "2025-Q3", AS_OF)
    zh_html, en_html = render_briefing_html(briefing, "zh"), render_briefing_html(briefing, "en")
    assert f"· {zh} ({code})</h1>" in zh_html and "特别行政区" not in zh_html
    assert f"· {en} ({code})</h1>" in en_html
    for cldr in ("SAR China", "Congo - ", "(Burma)", "’Ivoire"):
        assert cldr not in en_html


def test_a_market_given_by_its_printed_name_is_printed_the_same_in_both_languages(
    session: Session,
) -> None:
    """An exporter who writes 中国台湾 or "Hong Kong, China" (as the reports print them) gets
    a profile that reads back the same way: no 台湾 in one language and "Taiwan" alone in the
    other."""
    profile = EnterpriseProfile.model_validate(
        {
            "id": "wuxi-greater-china",
            "name": {"zh": "无锡两岸贸易有限公司"},
            "destinations": [
                {"country": "中国台湾", "export_share": 0.3},
                {"country": "Hong Kong, China", "export_share": 0.2},
            ],
        }
    )
    assert [d.country for d in profile.destinations] == ["TW", "HK"]
    report = build_health_report(session, dataset.RESULT, profile)
    zh, en = render_health_html(report, "zh"), render_health_html(report, "en")
    assert "<th>出口市场</th><td>中国台湾 30%、中国香港 20%</td>" in zh
    assert "<th>Export markets</th><td>Taiwan, China 30%; Hong Kong, China 20%</td>" in en


def test_a_country_name_entry_with_a_misspelt_language_or_code_is_refused_when_loaded() -> None:
    base = "groups: {EU: [DE]}\n"
    with pytest.raises(ValueError, match=r"country_names.HK needs en and/or zh, nothing else"):
        jurisdiction_data.parse_nesting(base + "country_names: {HK: {english: Hong Kong}}\n")
    with pytest.raises(ValueError, match=r"country_names: False is not a country code \(quote"):
        jurisdiction_data.parse_nesting(base + "country_names: {NO: {en: Norway}}\n")
    with pytest.raises(ValueError, match=r"country_names.TW.zh must be a name"):
        jurisdiction_data.parse_nesting(base + "country_names: {TW: {zh: ''}}\n")
