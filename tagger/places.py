"""Chinese places in party locations and names: is this party Chinese, where is it from?

One gazetteer (``tagger/taxonomy/places_cn.yml``) serves two readings:

- ``resolve_place`` / ``is_chinese_place``, for the tagger's party extraction and for matching
  parties to enterprise profiles (``resolve_place("Wuxi, Jiangsu, China").city == "Wuxi"``):
  the most specific place, in pinyin and Chinese;
- ``resolve_location`` / ``normalise_province`` / ``normalise_city``, for search's province
  and city filters: every province and city a location names, as canonical Chinese short
  names (``"广东省深圳市宝安区"`` flags 广东 and 深圳; a city always flags its province). This
  reading does not guess: an English name that two cities share (Taizhou) is matched in
  Chinese only, and a Chinese name must stand at a boundary, so that 上海市南京路 does not
  flag 南京.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from tagger.segment import has_cjk
from tagger.taxonomy import load_taxonomy

__all__ = [
    "Place",
    "is_chinese_place",
    "normalise_city",
    "normalise_province",
    "resolve_location",
    "resolve_place",
]


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


# --- every province and city a location names (search's filters) ------------------------------

# Province-level cities, which are also cities (their code's province is themselves).
_MUNICIPALITIES = frozenset({"BJ", "TJ", "SH", "CQ"})
# Exporting cities search knew before the merge that places_cn.yml does not list yet (they
# belong there; until then only the search reading uses them, so the tagger's is unchanged).
_EXTRA_CITIES: tuple[tuple[str, str, str], ...] = (
    ("揭阳", "Jieyang", "GD"), ("潮州", "Chaozhou", "GD"), ("莆田", "Putian", "FJ"),
    ("漳州", "Zhangzhou", "FJ"), ("宁德", "Ningde", "FJ"), ("临沂", "Linyi", "SD"),
    ("淄博", "Zibo", "SD"), ("宜宾", "Yibin", "SC"), ("芜湖", "Wuhu", "AH"),
    ("呼和浩特", "Hohhot", "NM"), ("乌鲁木齐", "Urumqi", "XJ"),
)  # fmt: skip
_EXTRA_PROVINCE_NAMES = {"HK": ("Hongkong",)}
_ZH_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")
_ZH_BEFORE = frozenset("国省市")
_PROVINCE_WORD = re.compile(r"\s+province$")
_CITY_WORD = re.compile(r"\s+city$")


@dataclass(frozen=True)
class _Locations:
    """Lookup tables for ``resolve_location`` (canonical names are Chinese)."""

    provinces: frozenset[str]
    city_province: dict[str, str]
    province_codes: dict[str, str]
    zh_names: tuple[str, ...]
    en_pattern: re.Pattern[str]
    en_names: dict[str, tuple[str | None, str | None]]


def _location_entries() -> tuple[
    dict[str, tuple[str, list[str]]], list[tuple[str, list[str], str]]
]:
    """Provinces by code (zh, English names) and cities (zh, English names, province zh)."""
    places = load_taxonomy().places
    provinces = {
        p.code: (p.zh, [*p.en, *_EXTRA_PROVINCE_NAMES.get(p.code, ())]) for p in places.provinces
    }
    cities = [(c.zh, list(c.en), provinces[c.province][0]) for c in places.cities]
    cities += [(zh, [en], provinces[code][0]) for zh, en, code in _EXTRA_CITIES]
    cities += [
        (provinces[code][0], provinces[code][1], provinces[code][0])
        for code in sorted(_MUNICIPALITIES)
    ]
    return provinces, cities


@lru_cache(maxsize=1)
def _locations() -> _Locations:
    provinces, cities = _location_entries()
    english: dict[str, set[tuple[str | None, str | None]]] = {}
    for zh, names in provinces.values():
        for name in names:
            english.setdefault(name.casefold(), set()).add((zh, None))
    for zh, names, province in cities:
        for name in names:
            english.setdefault(name.casefold(), set()).add((province, zh))
    en_names: dict[str, tuple[str | None, str | None]] = {}
    for name, found in english.items():
        place = _one_place(found)
        if place is not None:
            en_names[name] = place
    alternatives = "|".join(re.escape(a) for a in sorted(en_names, key=len, reverse=True))
    city_province = {zh: province for zh, _, province in cities}
    zh_provinces = frozenset(zh for zh, _ in provinces.values())
    return _Locations(
        provinces=zh_provinces,
        city_province=city_province,
        province_codes={
            key: zh
            for code, (zh, _) in provinces.items()
            for key in (code.casefold(), f"cn-{code.casefold()}")
        },
        zh_names=tuple(sorted(zh_provinces | set(city_province), key=len, reverse=True)),
        en_pattern=re.compile(rf"(?<![a-z])(?:{alternatives})(?![a-z])", re.IGNORECASE),
        en_names=en_names,
    )


def _one_place(
    found: set[tuple[str | None, str | None]],
) -> tuple[str | None, str | None] | None:
    """The place an English name stands for; None when it names two different cities."""
    cities = {place for place in found if place[1] is not None}
    if len(cities) > 1:
        return None
    return next(iter(cities)) if cities else next(iter(found))


def resolve_location(text: str | None) -> tuple[set[str], set[str]]:
    """The provinces and cities a free-text location names.

    Args:
        text: A party's stated location, in Chinese or English.

    Returns:
        ``(provinces, cities)`` as canonical Chinese short names; empty when nothing is known.
    """
    provinces: set[str] = set()
    cities: set[str] = set()
    if not text:
        return provinces, cities
    gaz = _locations()
    for name in _zh_matches(text, gaz):
        _add_location(name, gaz, provinces, cities)
    for match in gaz.en_pattern.finditer(text):
        province, city = gaz.en_names[match.group().casefold()]
        if province:
            provinces.add(province)
        if city:
            _add_location(city, gaz, provinces, cities, as_city=True)
    return provinces, cities


def _add_location(
    name: str, gaz: _Locations, provinces: set[str], cities: set[str], as_city: bool = False
) -> None:
    if name in gaz.provinces and not as_city:
        provinces.add(name)
    if name in gaz.city_province:
        cities.add(name)
        provinces.add(gaz.city_province[name])


def _zh_matches(text: str, gaz: _Locations) -> list[str]:
    """Chinese place names standing at boundaries, scanned greedily left to right."""
    found: list[str] = []
    position, last_end = 0, -1
    while position < len(text):
        name = _zh_name_at(text, position, gaz)
        end = position + len(name) if name else position
        if name and _zh_boundary_before(text, position, last_end):
            after = _zh_boundary_after(text, end, gaz)
            if after is not None:
                found.append(name)
                position = last_end = after
                continue
        position += 1
    return found


def _zh_name_at(text: str, position: int, gaz: _Locations) -> str | None:
    return next((n for n in gaz.zh_names if text.startswith(n, position)), None)


def _zh_boundary_before(text: str, position: int, last_end: int) -> bool:
    if position in (0, last_end):
        return True
    before = text[position - 1]
    return before in _ZH_BEFORE or not has_cjk(before)


def _zh_boundary_after(text: str, end: int, gaz: _Locations) -> int | None:
    """Where the match ends (past its suffix) if a boundary follows it, else None."""
    for suffix in _ZH_SUFFIXES:
        if text.startswith(suffix, end):
            return end + len(suffix)
    if end == len(text) or not has_cjk(text[end]) or _zh_name_at(text, end, gaz):
        return end
    return None


def normalise_province(value: str) -> str:
    """The canonical province for a Chinese name, English name or code (``GD``, ``CN-GD``).

    Raises:
        ValueError: The province is not known.
    """
    gaz = _locations()
    key = _strip_zh_suffix(value.strip())
    if key in gaz.provinces:
        return key
    folded = _PROVINCE_WORD.sub("", value.strip().casefold())
    if folded in gaz.province_codes:
        return gaz.province_codes[folded]
    province, _ = gaz.en_names.get(folded, (None, None))
    if province:
        return province
    raise ValueError(f"unknown province {value!r}")


def normalise_city(value: str) -> str:
    """The canonical city for a Chinese or English name.

    Raises:
        ValueError: The city is not in the gazetteer (or its English name is ambiguous).
    """
    gaz = _locations()
    key = _strip_zh_suffix(value.strip())
    if key in gaz.city_province:
        return key
    _, city = gaz.en_names.get(_CITY_WORD.sub("", value.strip().casefold()), (None, None))
    if city:
        return city
    raise ValueError(f"unknown city {value!r}")


def _strip_zh_suffix(value: str) -> str:
    for suffix in _ZH_SUFFIXES:
        if value.endswith(suffix) and len(value) > len(suffix):
            return value[: -len(suffix)]
    return value
