"""Charts as inline SVG (pygal): no JavaScript, no CDN, Chinese labels in Noto Sans CJK.

Every label passes through ``clean_text``; pygal escapes it as XML. The SVG goes into the
HTML inline, so the web page and WeasyPrint's PDF draw the same chart offline.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import sys
from collections.abc import Mapping, Sequence

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

from reports._static_svg import make_static
from reports._text import clean_text

# pygal appends a legacy import hook (for its map plugins, unused here) to sys.meta_path;
# every failed import anywhere in the process then raises an ImportWarning. Remove it.
sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, pygal.PluginImportFixer)]

_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# The report font cut for PDFs (reports._fonts.FAMILY) first, then the full Noto Sans CJK SC.
FONT = "IPRWatch Sans SC, Noto Sans CJK SC, Noto Sans CJK, sans-serif"
_COLOURS = ("#b3261e", "#1f5fa8", "#e08a00", "#2e7d32", "#6a1b9a", "#607d8b", "#00838f")
# Health-check bands (DOMAIN.md 5.2): >=80 green, 60-79 yellow, 40-59 orange, <40 red.
_BANDS = ((80.0, "#2e7d32"), (60.0, "#c9a100"), (40.0, "#e08a00"), (float("-inf"), "#b3261e"))
_STYLE = Style(
    font_family=FONT,
    label_font_family=FONT,
    major_label_font_family=FONT,
    value_font_family=FONT,
    legend_font_family=FONT,
    title_font_family=FONT,
    background="#ffffff",
    plot_background="#ffffff",
    foreground="#222222",
    foreground_strong="#111111",
    foreground_subtle="#bbbbbb",
    colors=_COLOURS,
    label_font_size=11,
    major_label_font_size=11,
    legend_font_size=12,
    title_font_size=14,
)
_OPTIONS = {
    "style": _STYLE,
    "width": 640,
    "height": 300,
    "js": [],
    "disable_xml_declaration": True,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 2,
    "explicit_size": True,
    "margin": 12,
}


# Month and chain names are long for a 640-pixel axis: slant them rather than cut them.
_SLANTED_X_LABELS = {"x_label_rotation": 30, "truncate_label": -1}


def _label(text: str) -> str:
    return clean_text(text, 40)


def _wide(text: str) -> int:
    """How many characters of ``text`` are full-width (CJK)."""
    return sum(1 for ch in text if ord(ch) > 0x2E7F)


def _slant_margins(labels: Sequence[str], legend_entries: int) -> dict[str, float]:
    """Margins that make room for what pygal under-measures on slanted, legended charts.

    pygal measures every label as if each character were 0.6 of the font size wide, so long
    Chinese names on a slanted axis run off the right edge and into the legend; and it
    reserves ``entries // columns`` legend rows, one too few when they do not divide (the
    fifth of five entries in two columns was cut off). The difference is added here.
    """
    size = _STYLE.label_font_size
    under = max((_wide(label) * 0.4 * size for label in labels), default=0.0)
    longest = max(
        (len(label) * 0.6 * size + _wide(label) * 0.4 * size for label in labels), default=0
    )
    angle = math.radians(_SLANTED_X_LABELS["x_label_rotation"])
    columns = int(_OPTIONS["legend_at_bottom_columns"])
    missing_rows = -(-legend_entries // columns) - legend_entries // columns
    margin = float(_OPTIONS["margin"])
    return {
        "margin_right": margin + longest * math.cos(angle),
        "margin_bottom": margin
        + under * math.sin(angle)
        + missing_rows * 1.5 * _STYLE.legend_font_size,
    }


def _ticks(top: float) -> list[int]:
    """Whole-number axis ticks from 0 to at least ``top``, at most about six of them."""
    step = max(1, math.ceil(top / 5))
    return list(range(0, math.ceil(top / step) * step + step, step))


def _integer(value: float | None) -> str:
    return "" if value is None else f"{value:.0f}"


def _svg(chart: pygal.graph.graph.Graph, css_class: str, title: str) -> Markup:
    """The chart as an ``<img>`` with the SVG inline as a data URI.

    As an image, the SVG's own stylesheet stays out of the page's CSS cascade (WeasyPrint
    lays the page out faster) and the web page's CSS cannot restyle the chart. Being an image,
    it is static: what only an interactive chart uses is left out (``make_static``), which
    also drops pygal's dated comment, so the same data gives the same chart on any day.
    """
    chart.add_xml_filter(make_static)
    svg = chart.render(is_unicode=True)
    # pygal names each chart with a random UUID; a digest of the chart keeps the HTML
    # reproducible (golden snapshots) and still unique per chart on a page.
    if match := _UUID.search(svg):
        digest = hashlib.sha1(svg.replace(match.group(0), "").encode()).hexdigest()[:12]
        svg = svg.replace(match.group(0), digest)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup(
        f'<figure class="chart {css_class}"><img alt="{escape(title)}" '
        f'src="data:image/svg+xml;base64,{data}"></figure>'
    )


def stacked_bar(
    title: str,
    x_labels: Sequence[str],
    series: Mapping[str, Sequence[int]],
) -> Markup:
    """A stacked bar chart: one bar per x label, one colour per series."""
    top = max((sum(column) for column in zip(*series.values(), strict=True)), default=0)
    chart = pygal.StackedBar(
        title=_label(title),
        value_formatter=_integer,
        y_labels=_ticks(top),
        **_OPTIONS,
        **_SLANTED_X_LABELS,
        **_slant_margins([_label(x) for x in x_labels], len(series)),
    )
    chart.x_labels = [_label(x) for x in x_labels]
    for name, values in series.items():
        chart.add(_label(name), list(values))
    return _svg(chart, "stacked", title)


def band_colour(score: float) -> str:
    """The health-check band colour of a 0-100 score (green, yellow, orange or red)."""
    return next(colour for floor, colour in _BANDS if score >= floor)


def bar(title: str, values: Mapping[str, float], horizontal: bool = False) -> Markup:
    """One bar per name, the names on the category axis (no legend); horizontal for long
    names such as the health-check dimensions (then on a 0-100 scale, each bar in the colour
    of its health-check band, so a score of 100 is green and a score of 20 red)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    top = max(values.values(), default=0)
    extra: dict[str, object] = {
        "y_labels": _ticks(top),
        **_SLANTED_X_LABELS,
        **_slant_margins([_label(name) for name in values], 0),
    }
    if horizontal:
        # pygal sizes the label margin as if every character were half-width: widen it by
        # the other half of each CJK character, so Chinese dimension names are not cut.
        wide = max((sum(1 for ch in name if ord(ch) > 0x2E7F) for name in values), default=0)
        extra = {"range": (0, 100), "margin_left": 12 + wide * _STYLE.label_font_size // 2 + 4}
    chart = kind(
        title=_label(title), value_formatter=_integer, show_legend=False, **_OPTIONS, **extra
    )
    names = list(values)
    chart.x_labels = [_label(name) for name in (reversed(names) if horizontal else names)]
    ordered = [values[n] for n in (reversed(names) if horizontal else names)]
    data: list[object] = (
        [{"value": v, "color": band_colour(v)} for v in ordered] if horizontal else list(ordered)
    )
    chart.add(_label(title), data)
    return _svg(chart, "bar", title)


def line(title: str, x_labels: Sequence[str], series: Mapping[str, Sequence[int]]) -> Markup:
    """A line chart over x labels (months), one line per series."""
    chart = pygal.Line(
        title=_label(title),
        value_formatter=_integer,
        **_OPTIONS,
        **_SLANTED_X_LABELS,
        **_slant_margins([_label(x) for x in x_labels], len(series)),
    )
    chart.x_labels = [_label(x) for x in x_labels]
    for name, values in series.items():
        chart.add(_label(name), list(values))
    return _svg(chart, "line", title)
