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
    country_aliases,
    country_names,
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
    "place_name_max_length",
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
    """A value outside a profile vocabulary; the message lists the valid values or a guess.

    Attributes:
        key: Which refusal this is (``unknown_chain``, ``office_not_market`` ...), so that a
            reader in another language gets it in their words (``iprwatch profiles check
            --lang zh``: catalogue key ``check_<key>``).
        values: What the message names (the value, the valid values, the ``suggested`` code).
    """

    def __init__(self, message: str, key: str, **values: str) -> None:
        super().__init__(message)
        self.key = key
        self.values = values


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
        valid = ", ".join(table)
        raise VocabularyError(
            f"unknown {what} {value!r}; use one of: {valid}",
            f"unknown_asset_{vocabulary}",
            value=repr(value),
            valid=valid,
        )
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
        raise VocabularyError(
            f"unknown industry chain {value!r}; valid chains: {valid}",
            "unknown_chain",
            value=repr(value),
            valid=valid,
        )
    return upper


@lru_cache(maxsize=1)
def _alpha_2() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries)


@lru_cache(maxsize=1)
def _named_countries() -> dict[str, tuple[str, str]]:
    """Lower-cased alpha-3 code, ISO name and CLDR English/Chinese name -> (alpha-2, name).

    Babel's CLDR data gives the Chinese names (and ``EU``, 欧盟); pycountry the ISO ones;
    ``country_names`` in ``jurisdictions.yml`` the ones reports print (中国香港, DR Congo);
    ``country_aliases`` the ones people write alone (香港, 澳门, Macau).
    """
    iso = _alpha_2()
    names: dict[str, tuple[str, str]] = {}
    for country in pycountry.countries:
        for attr in ("alpha_3", "name", "common_name", "official_name"):
            if (name := getattr(country, attr, None)) is not None:
                names[name.lower()] = (country.alpha_2, name)
    for code, by_language in country_names().items():  # the names reports print
        for name in by_language.values():
            names.setdefault(name.lower(), (code, name))
    for code, aliases in country_aliases().items():  # what people write alone (香港)
        printed = country_names().get(code, {}).get("zh", code)
        for name in aliases:
            names.setdefault(name.lower(), (code, printed))
    for locale in ("en", "zh_Hans_CN", "zh_Hant_TW"):
        for code, name in Locale.parse(locale).territories.items():
            if code in iso or code == "EU":
                names.setdefault(name.lower(), (code, name))
    return names


@lru_cache(maxsize=1)
def place_name_max_length() -> int:
    """The longest country, group or office name a profile accepts for a market or a right's
    jurisdiction ("United Kingdom of Great Britain and Northern Ireland"): the limit of a
    form's box, so that no name the schema takes is cut short while typing."""
    codes = [*market_groups(), *asset_offices()]
    return max(len(name) for name in [*_named_countries(), *codes])


def _country(value: str) -> str | None:
    text = value.strip()
    if len(text) == 2 and text.isascii():
        code = _ALPHA2_ALIASES.get(text.upper(), text.upper())
        return code if code in _alpha_2() else None
    found = _named_countries().get(text.lower())
    return found[0] if found else None


def _closest_country(value: str) -> tuple[str, str] | None:
    """The country a misspelt name most likely means (``("DE", "Germany")``), if any."""
    names = _named_countries()
    found = process.extractOne(value.strip().lower(), list(names), score_cutoff=80)
    return names[found[0]] if found is not None else None


def _did_you_mean(closest: tuple[str, str] | None) -> str:
    return f"; did you mean {closest[0]} ({closest[1]})?" if closest else ""


def _bloc(value: str) -> VocabularyError | None:
    """The refusal for a trade bloc given as one market (ASEAN, 东盟 ...), or None."""
    key = value.strip().lower()
    for bloc in trade_blocs():
        if key == bloc.code.lower() or key in (n.lower() for n in bloc.names):
            members = ", ".join(bloc.members)
            return VocabularyError(
                f"{value!r} ({bloc.code}) is a trade bloc, not one market: list the member "
                f"states you export to, each with its own share: {members}",
                "trade_bloc",
                value=repr(value),
                code=bloc.code,
                members=members,
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
            f"you export to (e.g. DE, FR), or {groups} for the whole group, each with its share",
            "office_not_market",
            value=repr(value),
            groups=groups,
        )
    refusal = _bloc(value)
    if refusal is not None:
        raise refusal
    groups, closest = ", ".join(market_groups()), _closest_country(value)
    raise VocabularyError(
        f"unknown country {value!r}: use an ISO code (US, DE), a country name or {groups}"
        + _did_you_mean(closest),
        "unknown_country",
        value=repr(value),
        groups=groups,
        suggested=closest[0] if closest else "",
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
    listed, closest = ", ".join(sorted(offices)), _closest_country(value)
    raise VocabularyError(
        f"unknown jurisdiction {value!r}: use an ISO country code (US, DE) or an office code "
        f"({listed}); a European patent is EP, an EU trade mark EM" + _did_you_mean(closest),
        "unknown_jurisdiction",
        value=repr(value),
        offices=listed,
        suggested=closest[0] if closest else "",
    )
