"""Company names in running English text ("granted a preliminary injunction to Orthomed
GmbH against Wuxi Kangli Medical Instruments Co., Ltd."), read only where the text speaks
of an IP matter.

A name counts only when it ends in a company suffix (Inc., Co., Ltd., GmbH ...): without a
list, a caption or a role word, capitalised words alone are too often courts, products or
places. The role is left open; the structured readers give it when they find the party.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tagger._party_captions import SCHEDULE_A
from tagger._party_text import SUFFIX_PATTERN, SUFFIXED_NAME, RawParty, clean_name, mentions

_IP_MATTER = (
    "patent",
    "trademark",
    "trade mark",
    "copyright",
    "infring",
    "injunction",
    "lawsuit",
    "sued",
    "sues",
    "squat",
    "counterfeit",
    "seiz",
    "trade secret",
    "court",
    "litigation",
)
_NAME = re.compile(r"(?<![\w&'’.\-])" + SUFFIXED_NAME)
_ANY_SUFFIX = re.compile(r"(?<![\w&])" + SUFFIX_PATTERN)
"""A quick look for any company suffix before the slower name scan."""
_LEADING_WORDS = re.compile(
    r"^(?:(?:The|In|On|After|Before|Under|Today|Also|But|And|When|While|As|At|By|From|For|"
    r"Since|Yesterday|Meanwhile|However|Last|This|That|Separately|Plaintiffs?|Defendants?|"
    r"Petitioners?|Respondents?|Complainants?|Appellants?|Appellees?|Applicants?|Claimants?|"
    r"PLAINTIFFS?|DEFENDANTS?)\s+)+"
)
_NOT_FIRMS = re.compile(r"^(?:U\.?S\.?|United\s+States|Court|Commission|Office)\b")
_MAX_NAMES = 20
_MAX_SUFFIXES = 200
_WINDOW = 250
"""How far before a suffix a name may start (ten words and a bracketed place)."""


def _windows(text: str) -> list[tuple[int, int]]:
    """Stretches of text that end in a company suffix: only there can a name end."""
    windows: list[tuple[int, int]] = []
    for count, suffix in enumerate(_ANY_SUFFIX.finditer(text)):
        if count >= _MAX_SUFFIXES:
            break
        low, high = max(0, suffix.start() - _WINDOW), suffix.end() + 12
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return windows


def _names(text: str) -> Iterator[re.Match[str]]:
    """Name matches, in order, each once, scanning only near company suffixes."""
    last = -1
    for low, high in _windows(text):
        for match in _NAME.finditer(text, max(low, last), high):
            if match.start() >= last:
                last = match.end()
                yield match


def from_suffixed_names(text: str) -> Iterator[RawParty]:
    """Names ending in a company suffix, in order, without a role."""
    if not mentions(text.lower(), _IP_MATTER) or not _ANY_SUFFIX.search(text):
        return
    captions = [m.span() for m in SCHEDULE_A.finditer(text)] if "chedule" in text else []
    for count, match in enumerate(_names(text)):
        if count >= _MAX_NAMES:
            return
        if any(low <= match.start() < high for low, high in captions):
            continue  # "… Corporations, Limited Liability Companies …" of a Schedule A caption
        leading = _LEADING_WORDS.match(match.group(0))
        start = match.start() + (leading.end() if leading else 0)
        name = clean_name(text[start : match.end()])
        if name and not _NOT_FIRMS.match(name):
            yield RawParty(name, None, None, (start, match.end()))
