"""Where a firm comes from: a country word describing a party, not a forum.

"一家德国电池企业起诉…", "美国公司", "a German battery maker", "a US company", "Chinese
rival": the country says where a firm is from. The matter is in the court, office or regime
the item names (UPC, ITC, a US district court); read as a jurisdiction of its own, the
nationality would make a UPC case look German as well. A country named as the place of the
proceeding or rule ("德国法院", "在德国起诉", "in Germany", "美国海关") is no nationality:
no firm word follows it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from tagger._lexicon import Entry
from tagger.taxonomy import load_taxonomy

__all__ = ["describes_a_firm"]

_EN_FIRM = (
    r"compan(?:y|ies)|firms?|makers?|manufacturers?|producers?|suppliers?|brands?|rivals?|"
    r"competitors?|corporations?|business(?:es)?|exporters?|importers?|sellers?|vendors?|"
    r"retailers?|distributors?|dealers?|giants?|start-?ups?|multinationals?|conglomerates?|"
    r"enterprises?|subsidiar(?:y|ies)|carmakers?|automakers?|chipmakers?|groups?"
)
_EN_NOT_BETWEEN = (
    r"patents?|trade|trademarks?|marks?|designs?|copyrights?|courts?|customs|office|laws?|"
    r"district|federal|regional|government|market|in|at|on|of|by|to|from|for|before|against|"
    r"the|and|or|with|v|vs"
)
_EN_NATIONALITY = re.compile(
    r"(?:-(?:based|owned|headquartered|registered|listed))?"
    rf"(?:\s+(?!(?:{_EN_NOT_BETWEEN})\b)[A-Za-z][\w\-]*){{0,3}}?"
    rf"\s+(?:{_EN_FIRM})\b",
    re.IGNORECASE,
)
"""After the country word: up to three describing words ("battery", "wind turbine") and a
firm word, none of the words an IP right, a forum or a preposition ("US patent owner",
"German court", "sold in the US to companies")."""

_ZH_FIRM = (
    r"企业|公司|厂商|制造商|生产商|供应商|厂家|集团|品牌方|品牌|竞争对手|对手|同行|车企|药企|"
    r"巨头|商家|卖家|出口商|进口商|经销商|分销商|零售商|代理商"
)
_ZH_NATIONALITY = re.compile(rf"(?P<between>[\u4e00-\u9fff]{{0,8}}?)(?:{_ZH_FIRM})")
_ZH_NOT_BETWEEN = re.compile(
    r"法院|法庭|海关|专利|商标|政府|市场|境内|[国局会诉告申禁售对向在被的与和及应由经据就从]"
)
"""Between a country and a firm word ("德国电池企业"): no forum, right or verb, and no second
country ("德国起诉中国企业" is a suit in Germany)."""


@lru_cache(maxsize=1)
def _forum_terms() -> frozenset[str]:
    """The taxonomy's courts and offices (``strong_en``, ``strong_zh``): never a nationality,
    whatever follows them ("伊斯坦布尔知识产权法院应一家欧洲企业申请")."""
    jurisdictions = load_taxonomy().jurisdictions.values()
    return frozenset(
        t.casefold() for cues in jurisdictions for t in [*cues.strong_en, *cues.strong_zh]
    )


def describes_a_firm(text: str, entry: Entry, start: int, end: int) -> bool:
    """Whether the country word ``entry`` matched at ``text[start:end]`` is a firm's
    nationality: a firm word follows it ("德国电池企业", "German battery maker", "US-based
    company"). Regimes (UPC, EPO, WIPO …), courts and offices never are."""
    if len(entry.target) != 2 or entry.term.casefold() in _forum_terms():
        return False
    zh = _ZH_NATIONALITY.match(text, end)
    if zh is not None:
        return not _ZH_NOT_BETWEEN.search(zh.group("between"))
    return _EN_NATIONALITY.match(text, end) is not None
