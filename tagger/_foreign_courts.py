"""A Chinese court name worn by a foreign court: "伊斯坦布尔知识产权法院" is Istanbul's.

"知识产权法院", "知识产权法庭" and "互联网法院" are strong cues for China
(``jurisdictions.yml``), but Chinese reports call foreign courts by the same words ("泰国知识产权
法院", "伊斯坦布尔知识产权法院"). Such a cue names a foreign court when the nearest place before it
is a foreign country (the taxonomy's Chinese names of other jurisdictions), or when no Chinese
place (``places_cn.yml``) stands before it and the item names a foreign country's court
("土耳其法院"): a transliterated foreign city is in no gazetteer, and the country whose court
the item names is where the matter is. A Chinese place before the cue ("北京知识产权法院") keeps
it Chinese, whatever else the item names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tagger.taxonomy import load_taxonomy

__all__ = ["SHARED_COURT_NAMES", "names_a_foreign_court"]

SHARED_COURT_NAMES = frozenset(["知识产权法院", "知识产权法庭", "互联网法院"])
"""China's strong court cues that name no Chinese institution by themselves."""

_HOME_CODES = frozenset(["CN", "HK", "MO"])
"""Jurisdictions whose places are Chinese places (``tagger.places``: mainland, Hong Kong,
Macao)."""
_REACH = 12
"""How many characters before the cue may hold its place ("土耳其伊斯坦布尔" is 8)."""
_HAN_RUN_END = re.compile(r"[\u4e00-\u9fff]+$")


@dataclass(frozen=True, slots=True)
class _Places:
    """Place names, each Chinese or foreign, and the names of foreign countries' courts."""

    pattern: re.Pattern[str]
    foreign: frozenset[str]
    foreign_court: re.Pattern[str]


def _alternation(names: set[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


@lru_cache(maxsize=1)
def _places() -> _Places:
    taxonomy = load_taxonomy()
    home = {
        *taxonomy.places.country_names.zh,
        *(p.zh for p in taxonomy.places.provinces if p.code not in taxonomy.places.chinese_exclude),
        *(c.zh for c in taxonomy.places.cities),
        *(n for code in _HOME_CODES for n in taxonomy.jurisdictions[code].zh if not n.isascii()),
    }
    foreign = {
        name
        for code, cues in taxonomy.jurisdictions.items()
        if code not in _HOME_CODES
        for name in cues.zh
        if not name.isascii() and name not in home
    }
    return _Places(
        pattern=re.compile(_alternation(home | foreign)),
        foreign=frozenset(foreign),
        foreign_court=re.compile(rf"(?:{_alternation(foreign)})(?:的|当地的?|一家)?法[院庭]"),
    )


def names_a_foreign_court(text: str, start: int) -> bool:
    """Whether the shared court name at ``text[start:]`` ("知识产权法院") is a foreign court's:
    the nearest place in the run of Chinese characters before it is foreign, or there is no
    place there and the item names a foreign country's court."""
    places = _places()
    run = _HAN_RUN_END.search(text, max(0, start - _REACH), start)
    before = run.group() if run else ""
    named = [m.group() for m in places.pattern.finditer(before)]
    if named:
        return named[-1] in places.foreign
    return places.foreign_court.search(text) is not None
