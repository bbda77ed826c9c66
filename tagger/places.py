"""Chinese places in party locations and names: is this party Chinese, and is it from Wuxi?

Public helpers for the tagger's party extraction and for matching parties to enterprise
profiles (``resolve_place("Wuxi, Jiangsu, China").city == "Wuxi"``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tagger.taxonomy import load_taxonomy

__all__ = ["Place", "is_chinese_place", "resolve_place"]


@dataclass(frozen=True, slots=True)
class Place:
    """The most specific Chinese place a text names.

    ``country`` is "CN" for the mainland, Hong Kong and Macao (which count as Chinese parties)
    and "TW" for Taiwan (which does not). Province and city names are in pinyin and Chinese.
    """

    country: str
    province: str | None = None
    province_zh: str | None = None
    city: str | None = None
    city_zh: str | None = None

    @property
    def chinese(self) -> bool:
        """Whether a party located here counts as Chinese."""
        return self.country == "CN"


@dataclass(frozen=True, slots=True)
class _Gazetteer:
    pattern: re.Pattern[str]
    kinds: dict[str, tuple[str, str]]
    provinces: dict[str, tuple[str, str]]
    cities: dict[str, list[tuple[str, str, str]]]
    excluded: frozenset[str]


def _alternation(names: list[str]) -> str:
    latin = sorted({n for n in names if n.isascii()}, key=len, reverse=True)
    chinese = sorted({n for n in names if not n.isascii()}, key=len, reverse=True)
    parts = [r"\b(?:" + "|".join(re.escape(n) for n in latin) + r")\b"] if latin else []
    if chinese:
        parts.append("|".join(re.escape(n) for n in chinese))
    return "|".join(parts)


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    places = load_taxonomy().places
    kinds: dict[str, tuple[str, str]] = {}
    provinces: dict[str, tuple[str, str]] = {}
    cities: dict[str, list[tuple[str, str, str]]] = {}
    for name in [*places.country_names.en, *places.country_names.zh]:
        kinds[name.lower()] = ("country", "CN")
    for province in places.provinces:
        for name in [province.zh, *province.en]:
            kinds[name.lower()] = ("province", province.code)
        provinces[province.code] = (province.en[0], province.zh)
    for city in places.cities:
        for name in [city.zh, *city.en]:
            kinds.setdefault(name.lower(), ("city", name.lower()))
            cities.setdefault(name.lower(), []).append((city.en[0], city.zh, city.province))
    pattern = re.compile(_alternation(list(kinds)), re.I)
    return _Gazetteer(pattern, kinds, provinces, cities, frozenset(places.chinese_exclude))


def _pick_city(
    gazetteer: _Gazetteer, names: list[str], province_codes: list[str]
) -> tuple[str, str, str] | None:
    if not names:
        return None
    options = gazetteer.cities[names[0]]
    preferred = [c for c in options if c[2] in province_codes]
    return (preferred or options)[0]


@lru_cache(maxsize=4096)
def resolve_place(text: str | None) -> Place | None:
    """The Chinese place ``text`` names ("Wuxi, Jiangsu, China", "江苏无锡", "Shenzhen"), or
    None when it names none."""
    if not text:
        return None
    gazetteer = _gazetteer()
    found = [gazetteer.kinds[m.group(0).lower()] for m in gazetteer.pattern.finditer(text)]
    if not found:
        return None
    province_codes = [value for kind, value in found if kind == "province"]
    city = _pick_city(gazetteer, [value for kind, value in found if kind == "city"], province_codes)
    code = province_codes[0] if province_codes else city[2] if city else None
    country = "TW" if code in gazetteer.excluded else "CN"
    province = gazetteer.provinces.get(code) if code else None
    return Place(
        country=country,
        province=province[0] if province else None,
        province_zh=province[1] if province else None,
        city=city[0] if city else None,
        city_zh=city[1] if city else None,
    )


def is_chinese_place(text: str | None) -> bool:
    """Whether ``text`` names mainland China, Hong Kong, Macao or a place in them."""
    place = resolve_place(text)
    return place is not None and place.chinese
