"""The closed vocabularies of a profile: chain ids, country and office codes, IP asset types
and statuses, each with the spellings people write and the one value matching uses.

Matching compares exact values (``warning._facts``), so a profile that says ``l1``, ``USA``,
``美国`` or ``商标`` would silently get no alerts; the validators in ``core.types`` turn such
spellings into the canonical value at load time and refuse what they cannot place, with the
valid values or a "did you mean". Chain ids, regional codes and trade blocs are data core
owns (``core.jurisdiction_data``), read once when first needed.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pycountry
from babel import Locale
from rapidfuzz import process

from core.jurisdiction_data import (
    asset_offices,
    chain_ids,
    jurisdiction_groups,
    market_groups,
    trade_blocs,
)

__all__ = [
    "ASSET_STATUSES",
    "ASSET_TYPES",
    "DEAD_STATUSES",
    "VocabularyError",
    "asset_jurisdiction",
    "asset_status",
    "asset_type",
    "chain_id",
    "destination_country",
]

ASSET_TYPES: dict[str, tuple[str, ...]] = {
    "patent": (
        "patents",
        "invention",
        "invention patent",
        "utility patent",
        "专利",
        "发明专利",
        "发明",
    ),
    "utility_model": ("utility", "utility models", "petty patent", "实用新型", "实用新型专利"),
    "design": (
        "designs",
        "design patent",
        "industrial design",
        "registered design",
        "外观设计",
        "外观设计专利",
        "外观专利",
    ),
    "trademark": (
        "trademarks",
        "trade mark",
        "trade marks",
        "tm",
        "service mark",
        "商标",
        "注册商标",
    ),
    "copyright": ("copyrights", "版权", "著作权"),
    "software_copyright": ("software copyright", "软件著作权", "软著"),
    "sep": ("standard essential patent", "standard-essential patent", "标准必要专利"),
    "trade_secret": ("trade secrets", "商业秘密"),
    "gi": ("geographical indication", "地理标志"),
    "plant_variety": ("plant varieties", "植物新品种"),
    "mask_work": ("layout design", "集成电路布图设计", "布图设计"),
}
"""Canonical asset type -> other spellings (case, ``_``, ``-`` and spaces do not matter)."""

ASSET_STATUSES: dict[str, tuple[str, ...]] = {
    "pending": (
        "applied",
        "filed",
        "application",
        "under examination",
        "published",
        "申请中",
        "审查中",
        "已受理",
        "已公开",
    ),
    "granted": ("issued", "in force", "valid", "active", "live", "已授权", "授权", "有效"),
    "registered": ("已注册", "注册"),
    "licensed": ("licensed out", "已许可", "许可"),
    "pledged": ("已质押", "质押"),
    "in_standard": ("standard", "in standards", "纳入标准"),
    "lapsed": ("dead", "lapse", "失效", "已失效"),
    "expired": ("届满", "已届满", "到期", "已到期", "过期"),
    "abandoned": ("放弃", "已放弃", "视为放弃"),
    "refused": ("rejected", "refusal", "驳回", "被驳回", "已驳回"),
    "withdrawn": ("撤回", "已撤回"),
    "invalidated": ("invalid", "无效", "被宣告无效", "宣告无效"),
    "revoked": ("撤销", "已撤销"),
    "cancelled": ("canceled", "注销", "已注销"),
}
"""Canonical asset status -> other spellings."""

DEAD_STATUSES = frozenset(
    [
        "lapsed",
        "expired",
        "abandoned",
        "refused",
        "withdrawn",
        "invalidated",
        "revoked",
        "cancelled",
    ]
)
"""The canonical statuses of a right that no longer protects anything."""

_SEPARATORS = re.compile(r"[\s_\-]+")
_ALPHA2_ALIASES = {"UK": "GB"}
"""Codes outside ISO 3166-1 that mean one country without doubt (UK is reserved for GB)."""


class VocabularyError(ValueError):
    """A value outside a profile vocabulary; the message lists the valid values or a guess."""


def _key(value: str) -> str:
    return _SEPARATORS.sub(" ", value.strip().lower())


@lru_cache(maxsize=2)
def _synonyms(vocabulary: str) -> dict[str, str]:
    table = ASSET_TYPES if vocabulary == "type" else ASSET_STATUSES
    return {
        _key(s): canonical
        for canonical, spellings in table.items()
        for s in (canonical, *spellings)
    }


def _lookup(value: str, vocabulary: str, what: str) -> str:
    synonyms = _synonyms(vocabulary)
    canonical = synonyms.get(value) or synonyms.get(_key(value))
    if canonical is None:
        table = ASSET_TYPES if vocabulary == "type" else ASSET_STATUSES
        raise VocabularyError(f"unknown {what} {value!r}; use one of: {', '.join(table)}")
    return canonical


def asset_type(value: str) -> str:
    """The canonical asset type for ``value`` (``商标``, ``trade marks`` -> ``trademark``)."""
    return _lookup(value, "type", "IP asset type")


def asset_status(value: str) -> str:
    """The canonical asset status for ``value`` (``已失效`` -> ``lapsed``)."""
    return _lookup(value, "status", "IP asset status")


def chain_id(value: str) -> str:
    """The taxonomy chain id for ``value`` in any case (``l1`` -> ``L1``)."""
    upper = value.strip().upper()
    if upper not in chain_ids():
        valid = ", ".join(chain_ids())
        raise VocabularyError(f"unknown industry chain {value!r}; valid chains: {valid}")
    return upper


@lru_cache(maxsize=1)
def _alpha_2() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@lru_cache(maxsize=1)
def _named_countries() -> dict[str, tuple[str, str]]:
    """Lower-cased alpha-3 code, ISO name and CLDR English/Chinese name -> (alpha-2, name).

    Babel's CLDR data gives the Chinese names (and ``EU``, 欧盟); pycountry the ISO ones.
    """
    iso = _alpha_2()
    names: dict[str, tuple[str, str]] = {}
    for country in pycountry.countries:
        for attr in ("alpha_3", "name", "common_name", "official_name"):
            if (name := getattr(country, attr, None)) is not None:
                names[name.lower()] = (country.alpha_2, name)
    for locale in ("en", "zh_Hans_CN", "zh_Hant_TW"):
        for code, name in Locale.parse(locale).territories.items():
            if code in iso or code == "EU":
                names.setdefault(name.lower(), (code, name))
    return names


def _country(value: str) -> str | None:
    text = value.strip()
    if len(text) == 2 and text.isascii():
        code = _ALPHA2_ALIASES.get(text.upper(), text.upper())
        return code if code in _alpha_2() else None
    found = _named_countries().get(text.lower())
    return found[0] if found else None


def _did_you_mean(value: str) -> str:
    names = _named_countries()
    found = process.extractOne(value.strip().lower(), list(names), score_cutoff=80)
    if found is None:
        return ""
    code, name = names[found[0]]
    return f"; did you mean {code} ({name})?"


def _bloc(value: str) -> str | None:
    """The refusal for a trade bloc given as one market (ASEAN, 东盟 ...), or None."""
    key = value.strip().lower()
    for bloc in trade_blocs():
        if key == bloc.code.lower() or key in (n.lower() for n in bloc.names):
            return (
                f"{value!r} ({bloc.code}) is a trade bloc, not one market: list the member "
                f"states you export to, each with its own share: {', '.join(bloc.members)}"
            )
    return None


def destination_country(value: str) -> str:
    """The ISO alpha-2 code of an export market given as a code or an English/Chinese name,
    or a market group (``EU``, ``欧盟``, ``European Union`` -> ``EU``).

    A market group is kept as the group, with the share the exporter gave it: people know
    their EU share, not how it splits between member states, and any split would be a guess.
    Matching and health checks read it as its member states (``warning._facts``,
    ``warning._dimensions``). Offices and courts (EUIPO, EPO, UPC, WIPO) and trade blocs
    (ASEAN ...) are refused with what to write instead.
    """
    upper = value.strip().upper()
    code = upper if upper in market_groups() else _country(value)
    if code is not None and (code in market_groups() or code not in jurisdiction_groups()):
        return code
    if upper in jurisdiction_groups():
        groups = " or ".join(market_groups())
        raise VocabularyError(
            f"{value!r} is an IP office or court system, not a market: list the countries "
            f"you export to (e.g. DE, FR), or {groups} for the whole group, each with its share"
        )
    refusal = _bloc(value)
    if refusal is not None:
        raise VocabularyError(refusal)
    raise VocabularyError(
        f"unknown country {value!r}: use an ISO code (US, DE), a country name or "
        f"{', '.join(market_groups())}" + _did_you_mean(value)
    )


def asset_jurisdiction(value: str) -> str:
    """The ISO alpha-2 code or the office code (EP, EM, WO ...) a right is registered under."""
    offices = asset_offices()
    upper = value.strip().upper()
    if upper in offices:
        return upper
    code = _country(value)  # a country, or EU when written as European Union or 欧盟
    if code is not None:
        return code
    raise VocabularyError(
        f"unknown jurisdiction {value!r}: use an ISO country code (US, DE) or an office code "
        f"({', '.join(sorted(offices))}); a European patent is EP, an EU trade mark EM"
        + _did_you_mean(value)
    )
