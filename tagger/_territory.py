"""Where a UPC order has effect: member states named as its territory, not as forums.

A UPC injunction is one court's order for many member states ("禁止…在德国、法国等成员国销售",
"stop selling … in Germany, France and the Netherlands"). Those states are the order's reach;
the matter is the UPC's, and the UPC already concerns each of them (``core/jurisdictions.yml``
groups). Read as jurisdictions of their own, they would make the item look like German and
French national cases.
"""

from __future__ import annotations

import re
from functools import lru_cache

from core.jurisdiction_data import jurisdiction_groups

__all__ = ["territory_spans", "upc_member_states"]

_ZH_PLACE = r"[\u4e00-\u9fff]{1,6}"
_ZH_TERRITORY = re.compile(
    rf"在(?P<places>{_ZH_PLACE}(?:[、和及与]{_ZH_PLACE})*)"
    r"(?:等(?:[\d一二三四五六七八九十]+个)?)?(?:成员国|缔约国|国家)?(?:境内|市场|范围内)?"
    r"(?:许诺销售|销售|出售|进口|制造|使用|营销|分销|提供)"
)
"""在X、Y等成员国销售: the places where an order forbids selling (at most six characters a
place, so that "在德国慕尼黑地方分庭…销售" is not read as one)."""

_EN_PLACE = r"(?:the\s+)?[A-Z][\w\-]+(?:\s+[A-Z][\w\-]+)*"
_EN_PLACES = rf"{_EN_PLACE}(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+){_EN_PLACE})*"
_EN_TERRITORY = (
    re.compile(
        r"\b(?:sell\w*|sales?|offer\w*|import\w*|market\w*|distribut\w*|supply\w*|us(?:e|ing))"
        rf"\b[^.;:\n]{{0,80}}?\bin\s+(?:the\s+territor(?:y|ies)\s+of\s+)?(?P<places>{_EN_PLACES})"
    ),
    re.compile(
        r"\b(?:member\s+states?|territor(?:y|ies))\s+(?:of\s+|such\s+as\s+|including\s+|:\s*)?"
        rf"(?P<places>{_EN_PLACES})"
    ),
    re.compile(
        r"\b(?:covering|covers|effective\s+in|in\s+force\s+in|extend(?:s|ing)?\s+to)\s+"
        rf"(?P<places>{_EN_PLACES})"
    ),
    re.compile(
        rf"(?P<places>{_EN_PLACES}),?\s+and\s+(?:other|further)\s+(?:UPC\s+)?"
        r"(?:contracting\s+)?member\s+states"
    ),
)
"""Selling … in X, Y and Z; member states such as X and Y; measures covering X and Y; X, Y
and other member states."""


def territory_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each list of places named as where an order has effect."""
    spans = [m.span("places") for m in _ZH_TERRITORY.finditer(text)]
    for pattern in _EN_TERRITORY:
        spans += [m.span("places") for m in pattern.finditer(text)]
    return spans


@lru_cache(maxsize=1)
def upc_member_states() -> frozenset[str]:
    """The states where the UPC Agreement is in force."""
    return jurisdiction_groups().get("UPC", frozenset())
