"""Country and regional-system codes a briefing can cover, their names, and which item
jurisdictions concern them (an EU, EUIPO, EPO or UPC item concerns Germany)."""

from __future__ import annotations

from functools import lru_cache

import pycountry

from core.types import LocalizedName
from warning.jurisdictions import (
    SYSTEM_NAMES_EN,
    SYSTEM_NAMES_ZH,
    concerns,
    jurisdiction_groups,
    market_name_en,
    market_name_zh,
)

REGIONAL = {
    code: LocalizedName(zh=SYSTEM_NAMES_ZH[code], en=en) for code, en in SYSTEM_NAMES_EN.items()
}


class UnknownCountryError(ValueError):
    """A country code no briefing can cover; the message lists the valid codes."""


@lru_cache(maxsize=1)
def valid_country_codes() -> tuple[str, ...]:
    """Every ISO 3166-1 alpha-2 code, then the regional systems."""
    iso = sorted(country.alpha_2 for country in pycountry.countries)
    return (*iso, *REGIONAL)


def check_country(code: str) -> str:
    """The code in capitals, or :class:`UnknownCountryError` listing the valid ones."""
    upper = code.strip().upper()
    if upper not in valid_country_codes():
        raise UnknownCountryError(
            f"unknown country code {code!r}; valid: {', '.join(valid_country_codes())}"
        )
    return upper


def country_name(code: str) -> LocalizedName:
    """The country's name in Chinese and English, as every report and alert names it (CLDR
    via Babel: "Russia" in a briefing's title and in a health check alike); the ISO 3166 name
    (pycountry) for a code CLDR does not name."""
    if code in REGIONAL:
        return REGIONAL[code]
    country = pycountry.countries.get(alpha_2=code)
    iso = str(getattr(country, "common_name", None) or getattr(country, "name", code))
    english, chinese = market_name_en(code), market_name_zh(code)
    english = iso if english == code else english
    return LocalizedName(zh=chinese if chinese != code else english, en=english)


def concerning_codes(code: str) -> frozenset[str]:
    """Item jurisdictions that concern ``code``: itself, the systems that concern it (not
    WIPO, which concerns everyone and would drown a briefing), and, for a system, its members.

    The systems are those that concern a member state (Germany: EU, EUIPO, UPC, EPO) or, for
    a market group, any of its members (the EU: EUIPO, UPC and EPO too), as matching reads
    them (``warning.jurisdictions.concerns``).
    """
    groups = jurisdiction_groups()
    codes = {code}
    codes.update(
        name for name, members in groups.items() if "*" not in members and concerns(name, code)
    )
    members = groups.get(code, frozenset())
    if "*" not in members:
        codes.update(members)
    return frozenset(codes)
