"""Jurisdiction nesting, as data (``jurisdictions.yml``).

An EU, EUIPO or UPC item concerns every member-state destination; an EPO item the EPC states;
a WIPO item every destination. For rights, a European patent covers the EPC states and an EU
trade mark the EU, while an international application (WO) covers nothing by itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import yaml
from babel import Locale

_FILE = Path(__file__).resolve().parent / "jurisdictions.yml"

__all__ = [
    "asset_covers",
    "asset_offices",
    "concerned_destinations",
    "concerns",
    "group_members",
    "jurisdiction_groups",
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


_CODE = re.compile(r"[A-Z]{2,5}|\*")


@lru_cache(maxsize=1)
def _data() -> dict[str, object]:
    return parse_nesting(_FILE.read_text(encoding="utf-8"), str(_FILE))


def parse_nesting(text: str, source: str = "<jurisdictions>") -> dict[str, object]:
    """The nesting data, every code checked to be a code: YAML 1.1 reads bare ``NO``
    (Norway), ``ON`` or ``Y`` as booleans, and a member lost that way would silently stop
    items reaching that market. Raises ValueError naming the place and the value."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("groups"), dict):
        raise ValueError(f"{source}: expected a mapping with 'groups'")
    places: list[tuple[str, object]] = []
    for group, members in data["groups"].items():
        places.append(("groups", group))
        if not isinstance(members, list):
            raise ValueError(f"{source}: groups.{group} must be a list of codes")
        places += [(f"groups.{group}", m) for m in members]
    coverage = data.get("asset_coverage", {})
    if not isinstance(coverage, dict):
        raise ValueError(f"{source}: asset_coverage must be a mapping")
    places += [("asset_coverage", c) for c in [*coverage, *coverage.values()]]
    no_rights = data.get("no_rights", [])
    if not isinstance(no_rights, list):
        raise ValueError(f"{source}: no_rights must be a list of codes")
    places += [("no_rights", c) for c in no_rights]
    for where, code in places:
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            hint = " (quote it: YAML reads NO, ON, Y as booleans)" if isinstance(code, bool) else ""
            raise ValueError(f"{source}: {where}: {code!r} is not a jurisdiction code{hint}")
    return data


def jurisdiction_groups() -> dict[str, frozenset[str]]:
    """The regional codes and their member states (``{"*"}``: every state)."""
    return dict(_groups())


@lru_cache(maxsize=1)
def _groups() -> dict[str, frozenset[str]]:
    groups = _data()["groups"]
    assert isinstance(groups, dict)
    return {k: frozenset(v) for k, v in groups.items()}


def group_members(code: str) -> frozenset[str] | None:
    """The member states of a regional code (``{"*"}`` for everyone), or None for a state."""
    return _groups().get(code.upper())


def concerns(item_jurisdiction: str, destination: str) -> bool:
    """Whether an item in ``item_jurisdiction`` concerns an exporter to ``destination``."""
    code, dest = item_jurisdiction.upper(), destination.upper()
    if code == dest:
        return True
    members = _groups().get(code)
    return members is not None and ("*" in members or dest in members)


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


@lru_cache(maxsize=1)
def _territories_zh() -> dict[str, str]:
    return dict(Locale.parse("zh_Hans_CN").territories)


def market_name_zh(code: str) -> str:
    """The Chinese name of a country (CLDR, through Babel) or regional system, for Chinese
    text; the code itself when neither knows it."""
    upper = code.strip().upper()
    return SYSTEM_NAMES_ZH.get(upper) or _territories_zh().get(upper) or code


def asset_offices() -> frozenset[str]:
    """The regional and international codes a right may be registered under (EP, EM, WO ...)."""
    no_rights, coverage = _coverage()
    return no_rights | frozenset(coverage)
