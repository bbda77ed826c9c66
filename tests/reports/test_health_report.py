"""Health-check reports as the enterprise reads them, in Chinese and English."""

from __future__ import annotations

from sqlalchemy.orm import Session

from reports.health import build_health_report
from reports.render import render_health_html
from tests.reports import dataset


def test_chinese_report_names_markets_asset_types_and_statuses_in_chinese(
    session: Session,
) -> None:
    report = build_health_report(session, dataset.RESULT, dataset.PROFILE)
    zh = render_health_html(report, "zh")
    assert "<th>出口市场</th><td>美国 40%、德国 20%</td>" in zh
    assert "<td>专利</td><td>中国</td>" in zh and "<td>已授权</td>" in zh
    assert "<td>商标</td><td>美国</td>" in zh and "<td>已注册</td>" in zh
    assert "granted" not in zh and "US 40%" not in zh
    en = render_health_html(report, "en")
    assert "<td>Patent</td><td>China</td>" in en
    assert "<th>Export markets</th><td>United States 40%; Germany 20%</td>" in en
    assert "US 40%" not in en and "<td>CN</td>" not in en


def test_an_eu_exporters_report_gives_the_freshness_of_the_eu_level_offices_and_wipo(
    session: Session,
) -> None:
    """Alerts for an EU-only profile come from EUIPO, UPC, EPO and WIPO items as much as from
    member states' and the EU's own: the report says how fresh each of those sources is."""
    from datetime import UTC, datetime

    from core.models import Source
    from core.types import EnterpriseProfile

    at = datetime(2025, 10, 1, tzinfo=UTC)
    session.add_all(
        [
            Source(id="euipo_news", title_en="EUIPO news", jurisdictions=["EUIPO"],
                   last_success_at=at),
            Source(id="epo_news", title_en="EPO news", jurisdictions=["EPO"], last_success_at=at),
            Source(id="wipo_news", title_en="WIPO news", jurisdictions=["WIPO"],
                   last_success_at=at),
            Source(id="jpo_news", title_en="JPO news", jurisdictions=["JP"], last_success_at=at),
        ]
    )  # fmt: skip
    session.flush()
    profile = EnterpriseProfile.model_validate(
        {
            "id": "wuxi-eu",
            "name": {"zh": "无锡欧贸有限公司"},
            "destinations": [{"country": "EU", "export_share": 0.6}],
        }
    )
    result = dataset.RESULT.model_copy(update={"top_risks": [], "dimensions": []})
    report = build_health_report(session, result, profile)
    assert [s.id for s in report.sources] == [
        "epo_news",
        "eu_official_journal",
        "euipo_news",
        "upc_decisions",
        "wipo_news",
    ]
    en = render_health_html(report, "en")
    assert "EUIPO news" in en and "Unified Patent Court decisions" in en
    assert "JPO news" not in en and "U.S. Federal Register" not in en
