"""Crawled text is made plain and bounded before it reaches a report or a chart label."""

from __future__ import annotations

from reports._text import clean_text, clean_url


def test_markup_entities_controls_and_bidi_overrides_are_removed() -> None:
    raw = '<b>Acme</b> &amp; Co.\u202e <img src=x onerror="alert(1)">\x07 v.\n\n  无锡公司'
    assert clean_text(raw) == "Acme & Co. v. 无锡公司"


def test_long_text_is_cut_with_an_ellipsis() -> None:
    assert clean_text("专利" * 100, limit=11) == "专利专利专利专利专利…"


def test_only_http_links_survive() -> None:
    assert clean_url("https://www.usitc.gov/x?a=1") == "https://www.usitc.gov/x?a=1"
    assert clean_url("javascript:alert(1)") is None
    assert clean_url("data:text/html,<script>") is None
    assert clean_url('https://x.org/"onmouseover="alert(1)') is None
