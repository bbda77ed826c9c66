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
