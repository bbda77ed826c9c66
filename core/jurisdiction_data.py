"""The jurisdiction and chain data every stage shares (``jurisdictions.yml``, ``chains.yml``).

Core owns these facts because profile validation (``core.profile_codes``) needs them and core
imports no other package: which regional codes hold which member states, which codes a right
may be registered under, which groups an exporter may give as one market, which trade blocs
are refused as markets, and the chain ids. What the nesting *means* for items and rights
(``concerns``, ``asset_covers`` ...) stays in ``warning.jurisdictions``; the chains' terms and
names stay in the tagger taxonomy, which a test checks against ``chain_ids``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = [
    "TradeBloc",
    "asset_offices",
    "chain_ids",
    "country_aliases",
    "country_names",
    "jurisdiction_groups",
    "market_groups",
    "nesting",
    "parse_chain_ids",
    "parse_nesting",
    "trade_blocs",
]

_DIR = Path(__file__).resolve().parent
_NESTING_FILE = _DIR / "jurisdictions.yml"
_CHAINS_FILE = _DIR / "chains.yml"
_CODE = re.compile(r"[A-Z]{2,5}|\*")
_CHAIN_ID = re.compile(r"[A-Z][A-Z0-9]*(-[0-9]+)?")
_COUNTRY = re.compile(r"[A-Z]{2}")
_NAME_LANGUAGES = frozenset({"en", "zh"})


@dataclass(frozen=True)
class TradeBloc:
    """A trade bloc refused as one export market: the names people write, and its members."""

    code: str
    names: tuple[str, ...]
    members: tuple[str, ...]


def _check_codes(source: str, places: list[tuple[str, object]]) -> None:
    for where, code in places:
        if not isinstance(code, str) or not _CODE.fullmatch(code):
            hint = " (quote it: YAML reads NO, ON, Y as booleans)" if isinstance(code, bool) else ""
            raise ValueError(f"{source}: {where}: {code!r} is not a jurisdiction code{hint}")


def _list(data: dict[str, Any], key: str, source: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f"{source}: {key} must be a list of codes")
    return value


def _bloc_places(blocs: object, source: str) -> list[tuple[str, object]]:
    if not isinstance(blocs, dict):
        raise ValueError(f"{source}: trade_blocs must be a mapping")
    places: list[tuple[str, object]] = []
    for code, bloc in blocs.items():
        places.append(("trade_blocs", code))
        if not isinstance(bloc, dict) or not isinstance(bloc.get("members"), list):
            raise ValueError(f"{source}: trade_blocs.{code} needs a list of members")
        places += [(f"trade_blocs.{code}", m) for m in bloc["members"]]
    return places


def _check_country_code(code: object, table: str, source: str) -> None:
    """A key of ``table`` must be a country code (YAML reads an unquoted NO as a boolean)."""
    if not isinstance(code, str) or not _COUNTRY.fullmatch(code):
        hint = " (quote it: YAML reads NO, ON, Y as booleans)" if isinstance(code, bool) else ""
        raise ValueError(f"{source}: {table}: {code!r} is not a country code{hint}")


def _check_country_names(names: object, source: str) -> None:
    """Each entry a country code with a non-empty English and/or Chinese name, nothing else:
    a misspelt language key would silently leave CLDR's name in place."""
    if not isinstance(names, dict):
        raise ValueError(f"{source}: country_names must be a mapping of code -> names")
    for code, entry in names.items():
        _check_country_code(code, "country_names", source)
        if not isinstance(entry, dict) or not entry or set(entry) - _NAME_LANGUAGES:
            raise ValueError(f"{source}: country_names.{code} needs en and/or zh, nothing else")
        for lang, name in entry.items():
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"{source}: country_names.{code}.{lang} must be a name")


def _check_country_aliases(aliases: object, source: str) -> None:
    """Each entry a country code with a list of non-empty names."""
    if not isinstance(aliases, dict):
        raise ValueError(f"{source}: country_aliases must be a mapping of code -> names")
    for code, names in aliases.items():
        _check_country_code(code, "country_aliases", source)
        if not isinstance(names, list) or not names:
            raise ValueError(f"{source}: country_aliases.{code} needs a list of names")
        for name in names:
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"{source}: country_aliases.{code}: {name!r} is not a name")


def parse_nesting(text: str, source: str = "<jurisdictions>") -> dict[str, Any]:
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
    places += [("no_rights", c) for c in _list(data, "no_rights", source)]
    places += _bloc_places(data.get("trade_blocs", {}), source)
    _check_codes(source, places)
    _check_country_names(data.get("country_names", {}), source)
    _check_country_aliases(data.get("country_aliases", {}), source)
    for group in _list(data, "market_groups", source):
        if group not in data["groups"]:
            raise ValueError(f"{source}: market_groups: {group!r} is not one of the groups")
    return data


@lru_cache(maxsize=1)
def nesting() -> dict[str, Any]:
    """The checked contents of ``core/jurisdictions.yml`` (read once)."""
    return parse_nesting(_NESTING_FILE.read_text(encoding="utf-8"), str(_NESTING_FILE))


@lru_cache(maxsize=1)
def _groups() -> dict[str, frozenset[str]]:
    return {k: frozenset(v) for k, v in nesting()["groups"].items()}


def jurisdiction_groups() -> dict[str, frozenset[str]]:
    """The regional codes and their member states (``{"*"}``: every state)."""
    return dict(_groups())


@lru_cache(maxsize=1)
def market_groups() -> dict[str, frozenset[str]]:
    """The groups an exporter may give as one export market (EU), with their members."""
    groups = _groups()
    return {code: groups[code] for code in nesting().get("market_groups", [])}


@lru_cache(maxsize=1)
def trade_blocs() -> tuple[TradeBloc, ...]:
    """The trade blocs refused as one export market, with the members to list instead."""
    blocs = nesting().get("trade_blocs", {})
    return tuple(
        TradeBloc(code, tuple(str(n) for n in bloc.get("names", [])), tuple(bloc["members"]))
        for code, bloc in blocs.items()
    )


@lru_cache(maxsize=1)
def country_names() -> dict[str, dict[str, str]]:
    """The names text for a reader gives a country instead of CLDR's, by code and language
    (``{"HK": {"zh": "中国香港", "en": "Hong Kong, China"}}``); see ``country_names`` in
    ``jurisdictions.yml``."""
    names = nesting().get("country_names", {})
    return {
        code: {lang: str(n).strip() for lang, n in entry.items()} for code, entry in names.items()
    }


@lru_cache(maxsize=1)
def country_aliases() -> dict[str, tuple[str, ...]]:
    """Other names a profile accepts for a country (``{"HK": ("香港", ...)}``), besides ISO's,
    CLDR's and ``country_names``; see ``country_aliases`` in ``jurisdictions.yml``."""
    aliases = nesting().get("country_aliases", {})
    return {code: tuple(str(n).strip() for n in names) for code, names in aliases.items()}


@lru_cache(maxsize=1)
def asset_offices() -> frozenset[str]:
    """The regional and international codes a right may be registered under (EP, EM, WO ...):
    those with a coverage and those that give no rights by themselves."""
    data = nesting()
    return frozenset(data.get("no_rights", [])) | frozenset(data.get("asset_coverage", {}))


def parse_chain_ids(text: str, source: str = "<chains>") -> tuple[str, ...]:
    """The chain ids of a ``chains.yml`` text, in order; ValueError for a malformed file."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not data:
        raise ValueError(f"{source}: expected a mapping of framework -> chain ids")
    ids: list[str] = []
    for framework, members in data.items():
        if not isinstance(members, list):
            raise ValueError(f"{source}: {framework} must be a list of chain ids")
        for chain in members:
            if not isinstance(chain, str) or not _CHAIN_ID.fullmatch(chain):
                raise ValueError(f"{source}: {framework}: {chain!r} is not a chain id")
            ids.append(chain)
    duplicates = sorted({c for c in ids if ids.count(c) > 1})
    if duplicates:
        raise ValueError(f"{source}: chain id(s) listed twice: {', '.join(duplicates)}")
    return tuple(ids)


@lru_cache(maxsize=1)
def chain_ids() -> tuple[str, ...]:
    """Every valid chain id, 465 chains first, in taxonomy order (``core/chains.yml``)."""
    return parse_chain_ids(_CHAINS_FILE.read_text(encoding="utf-8"), str(_CHAINS_FILE))
