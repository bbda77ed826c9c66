"""Product descriptions from 337 titles and notices: "Certain Lithium-Ion Battery Cells ..."."""

from __future__ import annotations

import re

from tagger._cues import Cues, cue_words, scan_cues

_337_CONTEXT = cue_words("337", "International Trade Commission", "USITC", "国际贸易委员会")
_CERTAIN = cue_words("ertain", "特定")
_CERTAIN_TITLE = re.compile(
    r"Certain\s+(?P<p>[A-Z0-9][^;\n()]{2,200}?)\s*(?=;|\(|\n|$|,\s*Inv\.|,\s*DN\s)"
)
_TITLE_LEAD = re.compile(r"(?:^|\n|\]\s*|Matter\s+of\s+|337-TA-\d{3,4}\s*[;:,)\]]?\s*)$")
_CERTAIN_TEXT = re.compile(
    r"certain\s+(?P<p>[a-zA-Z0-9][^;.\n()]{2,200}?)"
    r"(?=\s+(?:by\s+reason|that\s+infringe|which|from)\b|[;.\n()]|$)"
)
_TEXT_LEAD = re.compile(r"(?:investigation\s+(?:of|into)|importation\s+of|sale\s+of)\s+$", re.I)
_CERTAIN_ZH = re.compile(
    r"特定(?P<p>[\u4e00-\u9fffA-Za-z0-9\-、及和与其]{2,40}?)(?=发起|启动|（|\(|的337|337|进行|作出|，|。|产品)"
)
_LEAD_CHARS = 30
_MAX_LENGTH = 200


def _tidy(product: str) -> str:
    return " ".join(product.split()).strip(" ,;:.")


def find_337_products(text: str, cues: Cues | None = None) -> list[str]:
    """Product descriptions a 337 notice states ("Certain X", "investigation of certain x",
    "对特定X发起337调查"), each once, in order; empty unless the text is about 337.
    ``cues``: the text's cue scan, when the caller has it."""
    cues = scan_cues(text) if cues is None else cues
    if not cues.mentions(_337_CONTEXT) or not cues.mentions(_CERTAIN):
        return []
    found: list[tuple[int, str]] = []
    for pattern, lead in (
        (_CERTAIN_TITLE, _TITLE_LEAD),
        (_CERTAIN_TEXT, _TEXT_LEAD),
        (_CERTAIN_ZH, None),
    ):
        for match in pattern.finditer(text):
            start = match.start()
            if lead is None or lead.search(text, max(0, start - _LEAD_CHARS), start):
                found.append((match.start("p"), _tidy(match.group("p"))))
    seen: dict[str, str] = {}
    for _, product in sorted(found):
        if product and len(product) <= _MAX_LENGTH:
            seen.setdefault(product.casefold(), product)
    return list(seen.values())
