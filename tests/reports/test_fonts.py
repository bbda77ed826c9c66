"""The report font for PDFs: Noto Sans CJK SC cut down, printing exactly as the full font."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pdfplumber
import pytest
import uharfbuzz as hb

from reports import _fonts
from reports.render import close_font_configs, html_to_pdf

SAMPLES = (
    "Country IP environment briefing · United States (US): office, affirmed, AVA, Type",
    "国别知识产权环境简报：美国（US）2025年第三季度，涉及江苏当事人 451 件（11%）。",
)


def _shaped(face: hb.Face, text: str) -> list[tuple[int, int, int]]:
    buffer = hb.Buffer()
    buffer.add_str(text)
    buffer.guess_segment_properties()
    hb.shape(hb.Font(face), buffer, {})
    return [(p.x_advance, p.x_offset, p.y_offset) for p in buffer.glyph_positions]


def _noto_sc(collection: Path) -> hb.Face:
    blob = hb.Blob.from_file_path(str(collection))
    return next(
        face
        for face in (hb.Face(blob, i) for i in range(16))
        if face.get_name(1) == "Noto Sans CJK SC"
    )


@pytest.mark.parametrize("name", ["NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"])
def test_cut_font_places_every_glyph_where_the_full_font_does(name: str) -> None:
    # Ligatures (ffi), kerning (AV, Ty) and CJK punctuation all survive the cut.
    full = _noto_sc(_fonts.NOTO_DIR / name)
    cut = hb.Face(hb.Blob(_fonts.cut_face(_fonts.NOTO_DIR / name)))
    assert cut.glyph_count < full.glyph_count / 3
    for text in SAMPLES:
        assert _shaped(cut, text) == _shaped(full, text)


def test_a_character_outside_the_cut_font_still_prints() -> None:
    # Hangul and a rare hanzi are not in the cut font: Noto Sans CJK SC draws them.
    html = '<html lang="zh-CN"><body><article class="report"><p>江苏 삼성전자 㐀</p></article></body></html>'
    with pdfplumber.open(io.BytesIO(html_to_pdf(html, report_stylesheet=True))) as doc:
        text = doc.pages[0].extract_text()
        fonts = {char["fontname"].split("+")[-1] for char in doc.pages[0].chars}
    assert "江苏 삼성전자 㐀" in text
    assert fonts == {"IPRWatch-Sans-SC", "Noto-Sans-CJK-SC"}


def test_without_the_noto_files_there_is_no_cut_font(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_fonts, "NOTO_DIR", tmp_path)
    _fonts.font_face_css.cache_clear()
    try:
        assert _fonts.font_face_css() == ""
    finally:
        _fonts.font_face_css.cache_clear()


def test_closing_the_font_pool_removes_the_copied_fonts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each pooled font configuration copies the report font into a temporary folder. A worker
    # drops them at exit (atexit), while the interpreter can still delete them: left to
    # interpreter shutdown, WeasyPrint's cleanup fails and the copies stay behind.
    close_font_configs()  # configurations made by earlier tests live elsewhere
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    html_to_pdf('<html><body><article class="report"><p>江苏 Wuxi</p></article></body></html>')
    assert _pango_copies(tmp_path), "the report font was not copied for Pango"
    close_font_configs()
    assert _pango_copies(tmp_path) == []


def _pango_copies(folder: Path) -> list[Path]:
    """WeasyPrint's font folders (the cut font's own folder is removed by its atexit hook)."""
    return [p for p in folder.iterdir() if not p.name.startswith("iprwatch-fonts-")]
