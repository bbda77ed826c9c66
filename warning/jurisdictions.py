"""Jurisdiction nesting: what the data in ``core/jurisdictions.yml`` means for items and rights.

An EU, EUIPO or UPC item concerns every member-state destination; an EPO item the EPC states;
a WIPO item every destination. For rights, a European patent covers the EPC states and an EU
trade mark the EU, while an international application (WO) covers nothing by itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from babel import Locale

from core.jurisdiction_data import asset_offices as _asset_offices
from core.jurisdiction_data import country_names, market_groups, nesting, parse_nesting
from core.jurisdiction_data import jurisdiction_groups as core_groups
from core.types import Destination

__all__ = [
    "asset_covers",
    "asset_offices",
    "concerned_destinations",
    "concerns",
    "destination_markets",
    "group_members",
    "jurisdiction_groups",
    "market_label",
    "market_name",
    "market_name_en",
    "market_name_zh",
    "market_scope",
    "parse_nesting",
]

SYSTEM_NAMES_ZH = {
    "EU": "欧盟",
    "EUIPO": "欧盟知识产权局",
    "EPO": "欧洲专利局",
    "UPC": "欧洲统一专利法院",
    "WIPO": "世界知识产权组织",
}
"""Chinese names of the regional and international systems (CLDR names only countries)."""

SYSTEM_NAMES_EN = {
    "EU": "European Union",
    "EUIPO": "EUIPO",
    "EPO": "European Patent Office",
    "UPC": "Unified Patent Court",
    "WIPO": "WIPO",
}
"""English names of the regional and international systems."""


def _data() -> dict[str, object]:
    return nesting()


def jurisdiction_groups() -> dict[str, frozenset[str]]:
    """The regional codes and their member states (``{"*"}``: every state)."""
    return dict(_groups())


@lru_cache(maxsize=1)
def _groups() -> dict[str, frozenset[str]]:
    return core_groups()


def group_members(code: str) -> frozenset[str] | None:
    """The member states of a regional code (``{"*"}`` for everyone), or None for a state."""
    return _groups().get(code.upper())


def concerns(item_jurisdiction: str, destination: str) -> bool:
    """Whether an item in ``item_jurisdiction`` concerns an exporter to ``destination``;
    an exporter to a market group (EU) is concerned by what concerns any member state."""
    code, dest = item_jurisdiction.upper(), destination.upper()
    if code == dest:
        return True
    members = _groups().get(code)
    if members is not None and ("*" in members or dest in members):
        return True
    inside = market_groups().get(dest)
    return inside is not None and (code in inside or bool(members and members & inside))


def destination_markets(
    destinations: Iterable[Destination],
) -> list[tuple[str, float | None, str | None]]:
    """The markets a profile's destinations stand for: (market, export share, group).

    A market group (EU) is kept in the profile as the exporter wrote it, with its share;
    matching reads it as its member states, so that a German court's injunction (``"DE" in
    match.markets``) or a patent dispute in France with no French patent (the portfolio-gap
    rules) reaches an exporter to the EU exactly as one to Germany or France. A member state
    gets no share of its own from the group (how the share splits is not known), and one the
    profile also lists on its own keeps its own entry and share: the group stands for its
    other members. Order: the profile's, members in the data file's order.
    """
    destinations = list(destinations)
    listed = {d.country.upper() for d in destinations}
    out: dict[str, tuple[str, float | None, str | None]] = {}
    for dest in destinations:
        code = dest.country.upper()
        members = market_groups().get(code)
        if members is None:  # a country given twice: its first place, its last share
            out[code] = (code, dest.export_share, None)
            continue
        for member in _ordered(code, members):
            if member not in listed:
                out.setdefault(member, (member, None, code))
    return list(out.values())


@lru_cache(maxsize=8)
def _ordered(group: str, members: frozenset[str]) -> tuple[str, ...]:
    """A group's members in the data file's order (stable alert text and market lists)."""
    written = nesting()["groups"].get(group, [])
    return tuple(m for m in written if m in members)


def market_scope(item_jurisdictions: Iterable[str]) -> list[str]:
    """The codes that decide which markets an item concerns.

    A worldwide code (WIPO) widens an item only when it names no narrower jurisdiction: a
    WIPO Lex entry on Brazil's law concerns Brazil, a Madrid fee change concerns everyone.
    """
    codes = sorted({j.upper() for j in item_jurisdictions})
    narrow = [c for c in codes if "*" not in (_groups().get(c) or ())]
    return narrow or codes


def concerned_destinations(item_jurisdictions: list[str], destinations: list[str]) -> list[str]:
    """The destinations (ISO codes) that an item with these jurisdictions concerns."""
    dests = [d.upper() for d in destinations]
    scope = market_scope(item_jurisdictions)
    return [d for d in dests if any(concerns(j, d) for j in scope)]


@lru_cache(maxsize=1)
def _coverage() -> tuple[frozenset[str], dict[str, frozenset[str]]]:
    data = _data()
    no_rights = data.get("no_rights", [])
    coverage = data.get("asset_coverage", {})
    assert isinstance(no_rights, list) and isinstance(coverage, dict)
    groups = _groups()
    return frozenset(no_rights), {k: groups.get(v, frozenset()) for k, v in coverage.items()}


@lru_cache(maxsize=4096)
def asset_covers(asset_jurisdiction: str, market: str) -> bool:
    """Whether a right registered under ``asset_jurisdiction`` has effect in ``market``."""
    code, market = asset_jurisdiction.upper(), market.upper()
    no_rights, coverage = _coverage()
    if code in no_rights:
        return False
    return code == market or market in coverage.get(code, frozenset())


def markets_of(codes: Iterable[str], universe: Iterable[str]) -> set[str]:
    """The markets in ``universe`` that any of the item ``codes`` concerns."""
    return {m for m in universe if any(concerns(c, m) for c in codes)}


@lru_cache(maxsize=2)
def _territories(locale: str) -> dict[str, str]:
    return dict(Locale.parse(locale).territories)


@lru_cache(maxsize=1024)
def market_name_zh(code: str) -> str:
    """The Chinese name of a country or regional system, for Chinese text: the data file's
    name where CLDR's is not the one to print (中国香港, not 中国香港特别行政区; 中国台湾),
    else CLDR's through Babel; the code itself when none knows it."""
    return _name(code, "zh", "zh_Hans_CN", SYSTEM_NAMES_ZH)


@lru_cache(maxsize=1024)
def market_name_en(code: str) -> str:
    """The English name of a country or regional system, for English text: the data file's
    where CLDR's reads oddly ("DR Congo", not "Congo - Kinshasa"; "Hong Kong, China", not
    "Hong Kong SAR China"), else CLDR's through Babel ("United States", "South Korea"); the
    code itself when none knows it. Codes stay in machine fields; a reader of English should
    not have to decode "KR"."""
    return _name(code, "en", "en", SYSTEM_NAMES_EN)


def _name(code: str, lang: str, locale: str, systems: dict[str, str]) -> str:
    upper = code.strip().upper()
    override = country_names().get(upper, {}).get(lang)
    return systems.get(upper) or override or _territories(locale).get(upper) or code


def market_name(code: str, lang: str) -> str:
    """The name of a country or regional system in ``lang`` ("zh", else English)."""
    return market_name_zh(code) if lang == "zh" else market_name_en(code)


def market_label(code: str, lang: str) -> str:
    """The name of a country or system in ``lang`` with its code, for a reader who checks
    what a profile says ("美国 (US)", "United States (US)"); the code alone where no name is
    known (an office code such as EP)."""
    name = market_name(code, lang)
    return code if name == code else f"{name} ({code})"


def asset_offices() -> frozenset[str]:
    """The regional and international codes a right may be registered under (EP, EM, WO ...)."""
    return _asset_offices()
