"""Rendering assembled reports to HTML (one template set) and to PDF (WeasyPrint).

The same templates serve the standalone HTML, the web view and the PDF; fonts are the
embedded Noto Sans CJK (Debian fonts-noto-cjk), set on ``html`` and on the page margin boxes,
which do not inherit the body font.

PDFs reuse what does not change between documents: the stylesheet is parsed (and its selectors
compiled) once, and WeasyPrint font configurations, with the fonts Pango has already loaded,
are pooled, one per concurrent render (they are not thread-safe). Each configuration knows the
report font cut for PDFs (``reports._fonts``) through its own ``@font-face`` stylesheet.
"""

from __future__ import annotations

import atexit
import gc
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from jinja2 import Environment
from markupsafe import Markup

from reports import charts
from reports._fonts import font_face_css
from reports._model import Briefing, HealthReport
from reports.briefing import STALE_AFTER_DAYS
from reports.jinja import make_environment, translator

if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAX_CHAINS_CHARTED = 8
# A font configuration, and the stylesheet declaring the report font in it (None without one).
_Fonts: TypeAlias = tuple["FontConfiguration", "CSS | None"]
_FONT_CONFIGS: queue.SimpleQueue[_Fonts] = queue.SimpleQueue()


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


@lru_cache(maxsize=1)
def _pdf_stylesheet() -> CSS:
    """The report stylesheet as WeasyPrint parses it, for every PDF (read-only once built)."""
    from weasyprint import CSS

    return CSS(string=report_css(), base_url=str(TEMPLATES))


def _new_fonts() -> _Fonts:
    """A font configuration with the report font declared in it, when there is one."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    config = FontConfiguration()
    faces = font_face_css()
    return config, CSS(string=faces, font_config=config) if faces else None


def close_font_configs() -> None:
    """Drop the pooled font configurations, each removing its temporary font folder.

    WeasyPrint removes a configuration's folder (the ``@font-face`` fonts copied for Pango) in
    ``__del__``; left to interpreter shutdown, that fails ("'NoneType' object is not callable")
    and the folder stays in the temporary directory. Run at exit, and safe to call any time:
    a later render makes a new configuration.
    """
    while True:
        try:
            _FONT_CONFIGS.get_nowait()
        except queue.Empty:
            break
    gc.collect()  # a configuration and its stylesheet refer to each other


atexit.register(close_font_configs)


@contextmanager
def _font_config() -> Iterator[_Fonts]:
    """A font configuration no other thread is using, returned to the pool afterwards."""
    try:
        fonts = _FONT_CONFIGS.get_nowait()
    except queue.Empty:
        fonts = _new_fonts()
    try:
        yield fonts
    finally:
        _FONT_CONFIGS.put(fonts)


def _render(template: str, lang: str, *, inline_css: bool = True, **context: Any) -> str:
    css = Markup(report_css()) if inline_css else ""
    return (
        _environment(lang)
        .get_template(template)
        .render(css=css, stale_days=STALE_AFTER_DAYS, **context)
    )


def render_briefing_html(briefing: Briefing, lang: str) -> str:
    """The briefing as a standalone HTML document in ``lang`` (zh or en)."""
    return _render("briefing.html", lang, b=briefing, charts=briefing_charts(briefing, lang))


def render_health_html(report: HealthReport, lang: str) -> str:
    """The health-check report as a standalone HTML document in ``lang`` (zh or en)."""
    return _render("health_check.html", lang, h=report, charts=health_charts(report, lang))


def html_to_pdf(html: str, *, report_stylesheet: bool = False) -> bytes:
    """A PDF of an HTML document (fonts embedded and subset by WeasyPrint).

    With ``report_stylesheet``, the report stylesheet applies without being in the document
    (the report templates rendered without ``css``): it is parsed once, not per PDF.
    """
    from weasyprint import HTML

    stylesheets = [_pdf_stylesheet()] if report_stylesheet else []
    with _font_config() as (fonts, font_faces):
        pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(
            stylesheets=[*stylesheets, font_faces] if font_faces else stylesheets,
            font_config=fonts,
        )
    assert pdf is not None
    return bytes(pdf)


def render_briefing_pdf(briefing: Briefing, lang: str) -> bytes:
    """The briefing as PDF."""
    html = _render(
        "briefing.html", lang, inline_css=False, b=briefing, charts=briefing_charts(briefing, lang)
    )
    return html_to_pdf(html, report_stylesheet=True)


def render_health_pdf(report: HealthReport, lang: str) -> bytes:
    """The health-check report as PDF."""
    html = _render(
        "health_check.html", lang, inline_css=False, h=report, charts=health_charts(report, lang)
    )
    return html_to_pdf(html, report_stylesheet=True)
