"""The health-check dimension chart colours each bar by its band, as the level legend does."""

from __future__ import annotations

import base64
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
