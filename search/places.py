"""Chinese provinces and cities named in party locations (a small gazetteer, no guessing).

A location such as ``"广东省深圳市宝安区"`` or ``"Shenzhen, Guangdong, China"`` flags the
province 广东 and the city 深圳; a city always flags its province. Canonical values are the
short Chinese names. Names that are ambiguous in romanisation (Taizhou) are matched in Chinese
only, and a Chinese name must stand at a boundary so that 上海市南京路 does not flag 南京.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tagger.segment import has_cjk

_GAZETTEER = Path(__file__).with_name("places.json")
_ZH_SUFFIXES = ("壮族自治区", "回族自治区", "维吾尔自治区", "特别行政区", "自治区", "省", "市")
_ZH_BEFORE = frozenset("国省市")


@dataclass(frozen=True)
class Gazetteer:
    """Lookup tables built from ``places.json``."""

    provinces: frozenset[str]
    city_province: dict[str, str]
    province_codes: dict[str, str]
    zh_names: tuple[str, ...]
    en_pattern: re.Pattern[str]
    en_names: dict[str, tuple[str | None, str | None]]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The gazetteer (loaded once)."""
    data = json.loads(_GAZETTEER.read_text(encoding="utf-8"))
    provinces = frozenset(p["zh"] for p in data["provinces"])
    city_province = {c["zh"]: c["province"] for c in data["cities"]}
    unknown = set(city_province.values()) - provinces
    if unknown:
        raise ValueError(f"places.json: cities in unknown provinces {sorted(unknown)}")
    en_names: dict[str, tuple[str | None, str | None]] = {}
    for entry in data["provinces"]:
        for alias in entry["en"]:
            en_names[alias.casefold()] = (entry["zh"], None)
    for entry in data["cities"]:
        for alias in entry["en"]:
            province, _ = en_names.get(alias.casefold(), (None, None))
            en_names[alias.casefold()] = (province, entry["zh"])
    alternatives = "|".join(re.escape(a) for a in sorted(en_names, key=len, reverse=True))
    return Gazetteer(
        provinces=provinces,
        city_province=city_province,
        province_codes={p["code"].casefold(): p["zh"] for p in data["provinces"]},
        zh_names=tuple(sorted(provinces | set(city_province), key=len, reverse=True)),
        en_pattern=re.compile(rf"(?<![a-z])(?:{alternatives})(?![a-z])", re.IGNORECASE),
        en_names=en_names,
    )


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
    gaz = gazetteer()
    for name in _zh_matches(text, gaz):
        _add_place(name, gaz, provinces, cities)
    for match in gaz.en_pattern.finditer(text):
        province, city = gaz.en_names[match.group().casefold()]
        if province:
            provinces.add(province)
        if city:
            _add_place(city, gaz, provinces, cities, as_city=True)
    return provinces, cities


def _add_place(
    name: str, gaz: Gazetteer, provinces: set[str], cities: set[str], as_city: bool = False
) -> None:
    if name in gaz.provinces and not as_city:
        provinces.add(name)
    if name in gaz.city_province:
        cities.add(name)
        provinces.add(gaz.city_province[name])


def _zh_matches(text: str, gaz: Gazetteer) -> list[str]:
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


def _zh_name_at(text: str, position: int, gaz: Gazetteer) -> str | None:
    return next((n for n in gaz.zh_names if text.startswith(n, position)), None)


def _zh_boundary_before(text: str, position: int, last_end: int) -> bool:
    if position in (0, last_end):
        return True
    before = text[position - 1]
    return before in _ZH_BEFORE or not has_cjk(before)


def _zh_boundary_after(text: str, end: int, gaz: Gazetteer) -> int | None:
    """Where the match ends (past its suffix) if a boundary follows it, else None."""
    for suffix in _ZH_SUFFIXES:
        if text.startswith(suffix, end):
            return end + len(suffix)
    if end == len(text) or not has_cjk(text[end]) or _zh_name_at(text, end, gaz):
        return end
    return None


def normalise_province(value: str) -> str:
    """The canonical province for a Chinese name, English name or ISO code (``CN-GD``).

    Raises:
        ValueError: The province is not known.
    """
    gaz = gazetteer()
    key = _strip_zh_suffix(value.strip())
    if key in gaz.provinces:
        return key
    folded = re.sub(r"\s+province$", "", value.strip().casefold())
    if folded in gaz.province_codes:
        return gaz.province_codes[folded]
    province, _ = gaz.en_names.get(folded, (None, None))
    if province:
        return province
    raise ValueError(f"unknown province {value!r}")


def normalise_city(value: str) -> str:
    """The canonical city for a Chinese or English name.

    Raises:
        ValueError: The city is not in the gazetteer.
    """
    gaz = gazetteer()
    key = _strip_zh_suffix(value.strip())
    if key in gaz.city_province:
        return key
    _, city = gaz.en_names.get(re.sub(r"\s+city$", "", value.strip().casefold()), (None, None))
    if city:
        return city
    raise ValueError(f"unknown city {value!r}")


def _strip_zh_suffix(value: str) -> str:
    for suffix in _ZH_SUFFIXES:
        if value.endswith(suffix) and len(value) > len(suffix):
            return value[: -len(suffix)]
    return value
