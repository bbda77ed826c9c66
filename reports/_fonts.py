"""The report font for PDFs: Noto Sans CJK SC cut down to the characters reports print.

WeasyPrint embeds in every PDF a subset of each font face the document uses, and making that
subset takes time in proportion to the face: Noto Sans CJK's faces hold 65,535 glyphs for
Chinese, Japanese and Korean (Debian's files are 20 MB collections of them). So each process
cuts the regular and the bold face once (HarfBuzz, about 0.1 s a face) to what reports print:
everything below U+3000 (Latin, Greek, Cyrillic, punctuation, symbols, arrows), CJK
punctuation, kana, enclosed and compatibility forms, full-width forms, and the 6,763 hanzi of
GB 2312. Every OpenType feature, script and name is kept, so text shapes to the same glyphs in
the same places: the pages look exactly as with the full font (compared pixel by pixel), the
PDF is about half the size, and embedding its fonts takes a third of the time (0.06-0.12 s
less a PDF). Cutting costs about 0.2 s once per process.

The cut font is the family ``FAMILY``, listed first wherever reports name fonts; a character
it lacks (a rare hanzi, Hangul) falls through to Noto Sans CJK SC itself, next in the list, so
nothing is lost: that PDF embeds both. Where the Noto files are missing or cannot be cut,
there is no ``FAMILY`` and reports use Noto Sans CJK SC as before.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

import structlog
import uharfbuzz as hb

FAMILY = "IPRWatch Sans SC"
"""The cut font's family name (reports list it before Noto Sans CJK SC)."""

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")  # Debian's fonts-noto-cjk
_SOURCE_FAMILY = "Noto Sans CJK SC"
_FACES = {"normal": "NotoSansCJK-Regular.ttc", "bold": "NotoSansCJK-Bold.ttc"}
_RANGES = ((0x20, 0x3400), (0xFF00, 0xFFF0))  # below U+3000, CJK symbols to U+33FF; full width
_FAMILY_NAME_ID = 1
_FACES_IN_COLLECTION = 16  # Noto Sans CJK collections hold 5 to 10 faces

log = structlog.get_logger(__name__)


def _gb2312_hanzi() -> set[int]:
    """The 6,763 hanzi of GB 2312 (rows 16-87), as code points."""
    found = set()
    for row in range(0xB0, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                found.add(ord(bytes((row, cell)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return found


def _codepoints() -> list[int]:
    wanted = _gb2312_hanzi()
    for start, end in _RANGES:
        wanted.update(range(start, end))
    return sorted(wanted)


def cut_face(collection: Path, family: str = _SOURCE_FAMILY) -> bytes:
    """The face of ``family`` in a font collection, cut to the report characters.

    Raises:
        LookupError: the collection has no face of that family, or HarfBuzz could not cut it.
        uharfbuzz.HarfBuzzError: the file cannot be read.
    """
    blob = hb.Blob.from_file_path(str(collection))
    for index in range(_FACES_IN_COLLECTION):
        face = hb.Face(blob, index)
        if face.get_name(_FAMILY_NAME_ID) == family:
            break
    else:
        raise LookupError(f"no {family!r} face in {collection}")
    wanted = hb.SubsetInput()
    wanted.unicode_set.update(_codepoints())
    for keep_all in (wanted.layout_feature_tag_set, wanted.layout_script_tag_set):
        keep_all.clear()
        keep_all.invert()  # an inverted empty set: every feature, every script
    wanted.name_id_set.clear()
    wanted.name_id_set.invert()
    cut = hb.subset(face, wanted)
    if cut is None:
        raise LookupError(f"HarfBuzz could not cut {family!r} in {collection}")
    return bytes(cut.blob.data)


@lru_cache(maxsize=1)
def font_face_css() -> str:
    """``@font-face`` rules for ``FAMILY`` (regular and bold), its files cut for this process;
    empty when they cannot be made (the reason is logged)."""
    folder = Path(tempfile.mkdtemp(prefix="iprwatch-fonts-"))
    atexit.register(_remove, folder, os.getpid())
    rules = []
    for weight, name in _FACES.items():
        try:
            data = cut_face(NOTO_DIR / name)
        except (hb.HarfBuzzError, LookupError) as error:
            log.warning("report_font_not_cut", font=name, error=str(error))
            return ""
        path = folder / f"{weight}.otf"
        path.write_bytes(data)
        rules.append(
            f'@font-face {{ font-family: "{FAMILY}"; font-weight: {weight}; '
            f'src: url("{path.as_uri()}"); }}'
        )
    return "\n".join(rules)


def _remove(folder: Path, owner: int) -> None:
    """Remove the cut fonts at exit, in the process that made them only (forked workers
    inherit the folder's name and may still be reading it)."""
    if os.getpid() == owner:
        shutil.rmtree(folder, ignore_errors=True)
