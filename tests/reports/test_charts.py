"""The health-check dimension chart colours each bar by its band, as the level legend does."""

from __future__ import annotations

import base64
import math
import re

from reports import charts

_DATA_URI = re.compile(r"base64,([^\"]+)")
_BAR_FILL = re.compile(r'<g class="bar" style="fill: (#[0-9a-f]{6})')


def _bar_fills(markup: str) -> set[str]:
    match = _DATA_URI.search(markup)
    assert match, markup
    return set(_BAR_FILL.findall(base64.b64decode(match.group(1)).decode("utf-8")))


def test_dimension_bars_take_the_colour_of_their_band() -> None:
    healthy = _bar_fills(charts.bar("体检", {"D1 专利": 100, "D2 商标": 85}, horizontal=True))
    mixed = _bar_fills(charts.bar("体检", {"D1 专利": 100, "D2 商标": 20}, horizontal=True))

    assert healthy == {charts.band_colour(100)}
    assert mixed == {charts.band_colour(100), charts.band_colour(20)}
    assert charts.band_colour(100) != charts.band_colour(20)


def test_band_edges_follow_the_health_check_rule() -> None:
    colours = [charts.band_colour(score) for score in (80, 79.9, 60, 59.9, 40, 39.9)]

    assert colours[0] != colours[1] and colours[2] != colours[3] and colours[4] != colours[5]
    assert len(set(colours)) == 4


def _svg(markup: str) -> str:
    match = _DATA_URI.search(markup)
    assert match, markup
    return base64.b64decode(match.group(1)).decode("utf-8")


def test_the_same_data_gives_the_same_chart_without_scripts_or_dated_comments() -> None:
    first = charts.stacked_bar("纠纷", ["2025-07", "2025-08"], {"337": [3, 1], "UPC": [0, 2]})
    again = charts.stacked_bar("纠纷", ["2025-07", "2025-08"], {"337": [3, 1], "UPC": [0, 2]})
    svg = _svg(first)

    assert first == again
    assert "<script" not in svg and "<!--" not in svg and "<desc" not in svg


def test_a_static_chart_keeps_the_style_rules_that_draw_it_and_drops_hover_rules() -> None:
    svg = _svg(charts.stacked_bar("纠纷", ["2025-07"], {"337": [3], "UPC": [1]}))
    style = svg[svg.index("<style") : svg.index("</style>")]

    assert "stroke-dasharray:4,4" in style  # the dashed guide lines
    assert "text-anchor:end" in style  # y labels aligned on the axis
    assert ".color-1" in style  # the second series' colour
    assert ":hover" not in style and ".tooltip .value" not in style


_TRANSLATE = r'<g transform="translate\((\d+(?:\.\d+)?), (\d+(?:\.\d+)?)\)" class="{}">'


def _translate(svg: str, css_class: str) -> tuple[float, float]:
    match = re.search(_TRANSLATE.format(css_class), svg)
    assert match, css_class
    return float(match.group(1)), float(match.group(2))


def test_every_legend_entry_fits_inside_the_chart_when_columns_do_not_divide() -> None:
    # Five venues in two legend columns: the fifth sits on a third row, which pygal alone
    # leaves outside the picture (the briefing's "其他"/"Other" entry was cut off).
    series = {"美国 ITC": [3, 4], "美国法院": [1, 2], "UPC": [1, 1], "德国": [2, 2], "其他": [1, 0]}
    svg = _svg(charts.stacked_bar("按月份和法域的争议", ["2026-01", "2026-02"], series))

    _, legends_top = _translate(svg, "legends")
    last_box = re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="12" height="12"', svg)[-1]
    height = float(re.search(r'<svg[^>]* height="(\d+)"', svg).group(1))  # type: ignore[union-attr]

    assert legends_top + float(last_box) + 12 <= height


def test_a_long_chinese_axis_label_is_not_cut_at_the_right_edge() -> None:
    name = "汽车及零部件（含新能源汽车）"
    svg = _svg(
        charts.bar(
            "按产业链",
            {"新能源 A5": 12, "集成电路 L2": 9, "物联网 L1": 7, "高端装备 A1": 5, name: 4},
        )
    )

    plot_left, _ = _translate(svg, "plot")
    label_x = float(
        re.search(rf'<text x="([\d.]+)" y="[\d.]+" class="" [^>]*>{name}<', svg).group(1)
    )  # type: ignore[union-attr]
    # Rendered, each Chinese character of the 11-px label font takes about 12 px (measured on
    # the briefing PDF, where this label was cut); the label is slanted by 30 degrees.
    reach = plot_left + label_x + len(name) * 12 * math.cos(math.radians(30))

    assert reach <= 640
