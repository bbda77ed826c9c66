"""Parties named in notices, dockets and news: who, in what role, stated where, and whether
they are Chinese.

Rule-based readers: USITC and Federal Register respondent/complainant lists
(``_party_lists``), court captions and case names (``_party_captions``), and Chinese role
labels and MOFCOM-style reports (``_party_zh``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from core.types import Party
from tagger._party_captions import from_captions, from_versus
from tagger._party_lists import from_lists
from tagger._party_text import RawParty, has_cjk, looks_like_name, mentions
from tagger._party_zh import from_chinese
from tagger.places import is_chinese_place
from tagger.taxonomy import load_taxonomy

MAX_PARTIES = 100

_TRIGGERS = (
    "respondent",
    "complainant",
    "complaint",
    "plaintiff",
    "defendant",
    "petitioner",
    " v. ",
    " v ",
    " vs. ",
    " vs ",
)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True, slots=True)
class FoundParties:
    """Parties, and the text spans they were read from (place names there are not
    jurisdictions)."""

    parties: list[Party]
    spans: list[tuple[int, int]]


@lru_cache(maxsize=1)
def _foreign_zh_names() -> re.Pattern[str]:
    home = {"CN", "HK", "MO"}
    names = [
        name
        for code, cues in load_taxonomy().jurisdictions.items()
        if code not in home
        for name in cues.zh
        if _CJK.search(name)
    ]
    return re.compile("|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)))


def is_chinese_party(name: str, location: str | None) -> bool:
    """Chinese when the location or name names China, a Chinese province or city, or when
    the name is in Chinese script and names no foreign country ("美国某公司" is not).

    A Chinese-script name of a foreign firm written without its country ("苹果公司") counts
    as Chinese: the rule cannot know better.
    """
    if is_chinese_place(location) or is_chinese_place(name):
        return True
    if location and not has_cjk(location):
        return False
    return has_cjk(name) and not _foreign_zh_names().search(name)


def _raw_parties(text: str) -> list[RawParty]:
    raws: list[RawParty] = []
    if mentions(text.lower(), _TRIGGERS):
        raws += [*from_lists(text), *from_captions(text), *from_versus(text)]
    if has_cjk(text):
        raws += from_chinese(text)
    return raws


def find_parties(text: str) -> FoundParties:
    """The parties the text names, each once (by name and role), in order of appearance."""
    parties: dict[tuple[str, str | None], Party] = {}
    spans: list[tuple[int, int]] = []
    for raw in sorted(_raw_parties(text), key=lambda r: r.span[0]):
        spans.append(raw.span)
        key = (raw.name.casefold(), raw.role)
        if not looks_like_name(raw.name) or key in parties or len(parties) >= MAX_PARTIES:
            continue
        parties[key] = Party(
            name=raw.name,
            role=raw.role,
            location=raw.location,
            chinese=is_chinese_party(raw.name, raw.location),
        )
    return FoundParties(list(parties.values()), spans)
