"""Rendering assembled reports to HTML (one template set) and to PDF (WeasyPrint).

The same templates serve the standalone HTML, the web view and the PDF; fonts are the
embedded Noto Sans CJK (Debian fonts-noto-cjk), set on ``html`` and on the page margin boxes,
which do not inherit the body font.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from reports import charts
from reports._model import Briefing, HealthReport
from reports.briefing import STALE_AFTER_DAYS
from reports.jinja import make_environment, translator

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_CHAINS_CHARTED = 8


@lru_cache(maxsize=1)
def report_css() -> str:
    """The report stylesheet (inlined, so a saved HTML file needs nothing else)."""
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


@lru_cache(maxsize=2)
def _environment(lang: str) -> Environment:
    """The report environment for a language (built once: templates compile once)."""
    return make_environment([TEMPLATES], lang)


def _chain_label(chain_id: str, lang: str) -> str:
    return str(_environment(lang).filters["chain"](chain_id))


def briefing_charts(briefing: Briefing, lang: str) -> dict[str, Markup | None]:
    """The briefing's charts: disputes by month and venue (stacked), and by chain (bar)."""
    _ = translator(lang)
    stats = briefing.disputes
    if not stats.total:
        return {"by_month": None, "by_chain": None}
    months = list(stats.by_month)
    series = {
        _(f"r_venue_{venue}"): [stats.by_month[m].get(venue, 0) for m in months]
        for venue in stats.by_venue
    }
    chains = {
        f"{_chain_label(c, lang)} ({c})" if c != "untagged" else _("r_untagged"): n
        for c, n in list(stats.by_chain.items())[:MAX_CHAINS_CHARTED]
    }
    return {
        "by_month": charts.stacked_bar(_("r_chart_by_month"), months, series),
        "by_chain": charts.bar(_("r_chart_by_chain"), chains) if chains else None,
    }


def health_charts(report: HealthReport, lang: str) -> dict[str, Markup | None]:
    """The health check's chart: the assessed dimension scores (horizontal bars)."""
    _ = translator(lang)
    scores = {
        f"{d.id} {d.name.zh if lang == 'zh' else d.name.en}": d.score
        for d in report.result.dimensions
        if d.score is not None
    }
    if not scores:
        return {"dimensions": None}
    return {"dimensions": charts.bar(_("r_chart_dimensions"), scores, horizontal=True)}


def _render(template: str, lang: str, **context: Any) -> str:
    return (
        _environment(lang)
        .get_template(template)
        .render(css=Markup(report_css()), stale_days=STALE_AFTER_DAYS, **context)
    )


def render_briefing_html(briefing: Briefing, lang: str) -> str:
    """The briefing as a standalone HTML document in ``lang`` (zh or en)."""
    return _render("briefing.html", lang, b=briefing, charts=briefing_charts(briefing, lang))


def render_health_html(report: HealthReport, lang: str) -> str:
    """The health-check report as a standalone HTML document in ``lang`` (zh or en)."""
    return _render("health_check.html", lang, h=report, charts=health_charts(report, lang))


def html_to_pdf(html: str) -> bytes:
    """A PDF of a rendered report (fonts embedded and subset by WeasyPrint)."""
    from weasyprint import HTML

    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def render_briefing_pdf(briefing: Briefing, lang: str) -> bytes:
    """The briefing as PDF."""
    return html_to_pdf(render_briefing_html(briefing, lang))


def render_health_pdf(report: HealthReport, lang: str) -> bytes:
    """The health-check report as PDF."""
    return html_to_pdf(render_health_html(report, lang))
