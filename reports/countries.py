"""Country and regional-system codes a briefing can cover, their names, and which item
jurisdictions concern them (an EU, EUIPO, EPO or UPC item concerns Germany)."""

from __future__ import annotations

from functools import lru_cache

import pycountry
from babel import Locale

from core.types import LocalizedName
from warning.jurisdictions import jurisdiction_groups

REGIONAL = {
    "EU": LocalizedName(zh="欧盟", en="European Union"),
    "EUIPO": LocalizedName(zh="欧盟知识产权局", en="EUIPO"),
    "EPO": LocalizedName(zh="欧洲专利局", en="European Patent Office"),
    "UPC": LocalizedName(zh="欧洲统一专利法院", en="Unified Patent Court"),
    "WIPO": LocalizedName(zh="世界知识产权组织", en="WIPO"),
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
    """The country's name in Chinese (CLDR via Babel) and English (ISO 3166 via pycountry)."""
    if code in REGIONAL:
        return REGIONAL[code]
    country = pycountry.countries.get(alpha_2=code)
    english = getattr(country, "common_name", None) or getattr(country, "name", code)
    chinese = Locale.parse("zh_CN").territories.get(code, english)
    return LocalizedName(zh=chinese, en=english)


def concerning_codes(code: str) -> frozenset[str]:
    """Item jurisdictions that concern ``code``: itself, the systems it belongs to (not WIPO,
    which concerns everyone and would drown a briefing), and, for a system, its members."""
    groups = jurisdiction_groups()
    codes = {code}
    codes.update(name for name, members in groups.items() if code in members and "*" not in members)
    members = groups.get(code, frozenset())
    if "*" not in members:
        codes.update(members)
    return frozenset(codes)
