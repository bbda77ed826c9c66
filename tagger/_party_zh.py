"""Parties in Chinese text: role labels (申请人/被申请人/原告/被告 ...), firms named with a
company suffix anywhere (``_party_zh_names``), and MOFCOM-style "对中国江苏无锡企业的锂电池发起
337调查" (the targeted firms are respondents).

An unnamed group of firms counts as a party only when the text says which province or city
they are in ("中国江苏无锡企业"): that place is what a Wuxi warning needs. "中国原料药企业" or
"中国手机企业" are descriptions, not parties."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tagger._party_text import RawParty, clean_name, positions
from tagger._party_zh_names import from_company_names, role_of
from tagger.places import is_chinese_place, resolve_place

_NAME_WITH_SUFFIX = (
    r"[\u4e00-\u9fffA-Za-z0-9（）()·&\-. ]{1,40}?(?:股份有限公司|有限责任公司|有限公司|公司|集团|"
    r"厂|研究院|研究所|大学|Inc\.?|LLC|Ltd\.?|Corporation|Corp\.?|GmbH|AG)"
)
_ROLES = (
    r"被申请人|(?<!被)申请人|被申诉人|(?<!被)申诉人|被上诉人|(?<!被)上诉人|被请求人|(?<!被)请求人|"
    r"原告|被告|专利权人"
)
_ROLE_WITH_SUFFIXED_NAME = re.compile(
    r"(?P<role>" + _ROLES + r")(?:包括|为|是|系)?\s*[:：]?\s*(?P<name>" + _NAME_WITH_SUFFIX + r")"
)
_ROLE_COLON_NAME = re.compile(
    r"(?P<role>" + _ROLES + r")\s*[:：]\s*(?P<name>[^，。；、,;\n（(]{2,40})"
)
_TARGETED = re.compile(
    r"对(?P<who>[\u4e00-\u9fff]{0,16}?(?:企业|公司|厂商|厂家))(?:的|生产的|出口的)?"
    r"[\u4e00-\u9fffA-Za-z0-9\-、]{0,30}?(?:发起|启动|提起|展开)"
)
_FIRM_WORDS = re.compile(r"(?:的)?(?:企业|公司|厂商|厂家)$")
_ROLE_WORDS = ("申请人", "申诉人", "上诉人", "请求人", "原告", "被告", "专利权人")
"""Found by position; a preceding 被 turns each into its counterpart (被申请人 ...)."""


def _chinese_location(who: str) -> str | None:
    location = _FIRM_WORDS.sub("", who)
    return location if is_chinese_place(location) else None


def _names_a_region(location: str | None) -> bool:
    """Whether a location is more precise than "China" (a province or a city)."""
    place = resolve_place(location)
    return place is not None and (place.province is not None or place.city is not None)


def from_chinese(text: str) -> Iterator[RawParty]:
    """Parties named with Chinese role labels, and firms a Chinese report says an
    investigation targets."""
    for position in positions(text, _ROLE_WORDS):
        if position > 0 and text[position - 1] == "被":
            position -= 1
        match = _ROLE_WITH_SUFFIXED_NAME.match(text, position) or _ROLE_COLON_NAME.match(
            text, position
        )
        if match:
            role = role_of(match.group("role"), text)
            yield RawParty(
                clean_name(match.group("name")), role, None, (match.start(), match.end())
            )
    yield from from_company_names(text)
    if "对" in text:
        for match in _TARGETED.finditer(text):
            who = match.group("who")
            location = _chinese_location(who)
            if _names_a_region(location):  # "中国原料药企业" says nothing a warning can use
                yield RawParty(who, "respondent", location, (match.start(), match.end()))
