"""PDFs: page count, Chinese text that extracts as Chinese, embedded CJK fonts, and charts."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pdfplumber
from sqlalchemy.orm import Session

from reports.briefing import build_briefing
from reports.health import build_health_report
from reports.render import (
    render_briefing_html,
    render_briefing_pdf,
    render_health_html,
    render_health_pdf,
)
from tests.reports import dataset


def _pages(pdf: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return [page.extract_text() or "" for page in doc.pages]


def _fonts(pdf: bytes) -> set[str]:
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return {char["fontname"] for page in doc.pages for char in page.chars}


def _chart_shapes(pdf: bytes) -> int:
    """Filled rectangles and paths drawn outside tables: the bars and lines of the charts."""
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        return sum(len(page.curves) + len(page.rects) for page in doc.pages)


def test_briefing_pdf_in_chinese_extracts_as_chinese_with_charts(session: Session) -> None:
    pdf = render_briefing_pdf(build_briefing(session, "US", None, "2025-Q3", dataset.AS_OF), "zh")
    pages = _pages(pdf)
    text = "\n".join(pages)
    assert 3 <= len(pages) <= 8
    assert "国别知识产权环境简报" in pages[0]
    assert "涉及中国当事人 3 件" in text
    assert "按月份与审理机构统计的纠纷" in text  # chart title, drawn from the SVG
    assert "新能源 (A5)" in text  # chart axis label in Chinese
    assert "1 / " in pages[0]  # page number in the footer margin box
    # Noto Sans CJK SC cut to the report characters (reports._fonts), embedded as a subset
    assert any("IPRWatchSansSC" in f.replace("-", "") for f in _fonts(pdf))
    assert _chart_shapes(pdf) > 20


def test_briefing_pdf_in_english(session: Session) -> None:
    pdf = render_briefing_pdf(build_briefing(session, "DE", None, "2025-Q3", dataset.AS_OF), "en")
    text = "\n".join(_pages(pdf))
    assert "Country IP environment briefing · Germany (DE)" in text
    assert "江苏某光伏有限公司" in text  # a Chinese party name in an English report


def test_no_data_briefing_pdf_says_so(session: Session) -> None:
    pdf = render_briefing_pdf(build_briefing(session, "FJ", None, "2025-Q3", dataset.AS_OF), "en")
    assert "No data for this period (2025-Q3)" in _pages(pdf)[0]


def test_health_check_pdf_has_cover_light_scores_and_the_advisors_note(session: Session) -> None:
    report = build_health_report(session, dataset.RESULT, dataset.PROFILE)
    pages = _pages(render_health_pdf(report, "zh"))
    text = "\n".join(pages)
    assert 3 <= len(pages) <= 8
    assert "企业知识产权体检报告" in pages[0] and "橙灯（预警）" in pages[0]
    assert "各维度得分（0–100）" in text and "D4 侵权风险暴露" in text
    assert "建议优先处理337应诉；已联系江苏分中心。" in text
    assert "国家海外知识产权纠纷应对指导中心" in text
    assert "ZL202110000001.X" in text  # portfolio appendix


def test_health_check_pdf_in_english(session: Session) -> None:
    report = build_health_report(session, dataset.RESULT, dataset.PROFILE)
    text = "\n".join(_pages(render_health_pdf(report, "en")))
    assert "Enterprise IP health check · Wuxi Example Battery Co., Ltd." in text
    assert "Orange (warning)" in text and "Top five risks" in text


def test_a_reports_generation_time_names_its_zone_beijing_in_chinese_utc_in_english(
    session: Session,
) -> None:
    late = datetime(2025, 10, 15, 17, 30, tzinfo=UTC)  # already 16 October in Wuxi
    briefing = build_briefing(session, "US", None, "2025-Q3", dataset.AS_OF)
    briefing = briefing.model_copy(update={"generated_at": late})
    report = build_health_report(session, dataset.RESULT, dataset.PROFILE)
    report = report.model_copy(update={"generated_at": late})
    for html in (render_briefing_html(briefing, "zh"), render_health_html(report, "zh")):
        assert "生成于 2025年10月16日 01:30（北京时间）" in html
    for html in (render_briefing_html(briefing, "en"), render_health_html(report, "en")):
        assert "Generated 15 October 2025 17:30 (UTC)" in html
    for pdf in (render_briefing_pdf(briefing, "zh"), render_health_pdf(report, "zh")):
        assert "生成于 2025年10月16日 01:30（北京时间）" in _pages(pdf)[-1].replace("\n", "")
    english = "\n".join(_pages(render_health_pdf(report, "en")))
    assert "Generated 15 October 2025 17:30 (UTC)" in english.replace("\n", " ")


def test_a_sources_last_success_is_dated_in_the_reports_zone_and_names_it(
    session: Session,
) -> None:
    """The freshness table named no zone and dated in UTC: a crawl at 20:00 UTC on 14 October
    read as the 14th in Wuxi, where it was already the 15th."""
    evening = datetime(2025, 10, 14, 20, tzinfo=UTC)
    briefing = build_briefing(session, "US", None, "2025-Q3", dataset.AS_OF)
    sources = [s.model_copy(update={"last_success": evening}) for s in briefing.sources]
    briefing = briefing.model_copy(update={"sources": sources[:1]})
    report = build_health_report(session, dataset.RESULT, dataset.PROFILE)
    report = report.model_copy(update={"sources": sources[:1]})
    for html in (render_briefing_html(briefing, "zh"), render_health_html(report, "zh")):
        assert '<td class="date">2025年10月15日（北京时间）</td>' in html
    for html in (render_briefing_html(briefing, "en"), render_health_html(report, "en")):
        assert '<td class="date">14 Oct 2025 (UTC)</td>' in html
    for pdf in (render_briefing_pdf(briefing, "zh"), render_health_pdf(report, "zh")):
        text = "".join(_pages(pdf)).replace("\n", "")
        assert "2025年10月15日（北京时间）" in text
    english = " ".join(_pages(render_briefing_pdf(briefing, "en"))).replace("\n", " ")
    assert "14 Oct 2025 (UTC)" in english
