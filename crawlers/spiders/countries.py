"""Country names as sources print them, to ISO 3166 alpha-2 codes.

``pycountry`` knows the ISO names; the aliases below are the names official sources use that
ISO does not (WIPO writes "Republic of Korea", the USITC "Korea"). A name neither knows is
``None``: the caller counts it as unmapped, it is never guessed.
"""

from __future__ import annotations

from functools import cache

import pycountry

ALIASES: dict[str, str] = {
    "Korea": "KR",
    "South Korea": "KR",
    "Republic of Korea": "KR",
    "Democratic People's Republic of Korea": "KP",
    "People's Republic of China": "CN",
    "P.R. China": "CN",
    "PRC": "CN",
    "Hong Kong SAR": "HK",
    "Hong Kong, China": "HK",
    "Macau": "MO",
    "Macao SAR": "MO",
    "Iran (Islamic Republic of)": "IR",
    "Bolivia (Plurinational State of)": "BO",
    "Venezuela (Bolivarian Republic of)": "VE",
    "Republic of Moldova": "MD",
    "United Republic of Tanzania": "TZ",
    "United Kingdom of Great Britain and Northern Ireland": "GB",
    "UK": "GB",
    "USA": "US",
}
CHINESE = frozenset({"CN", "HK", "MO"})
"""Codes whose parties count as Chinese for alerts: the mainland, Hong Kong and Macao."""


def country_code(name: str) -> str | None:
    """The alpha-2 code of a country name (``None`` when unknown; codes are not names)."""
    key = " ".join(name.split())
    if key in ALIASES:
        return ALIASES[key]
    if len(key) <= 3 and key.isupper():
        return None  # "CA", "IN": a code or a state abbreviation, not a country name
    try:
        return str(pycountry.countries.lookup(key).alpha_2)
    except LookupError:
        return None


def us_state(abbreviation: str) -> bool:
    """Whether a two-letter abbreviation is a U.S. state, district or territory."""
    return abbreviation.strip() in us_states()


@cache
def us_states() -> frozenset[str]:
    """Two-letter abbreviations of U.S. states, the District of Columbia and the territories
    (read on first use: ISO's subdivision table is large, and most crawls never need it)."""
    return frozenset(
        str(sub.code).removeprefix("US-")
        for sub in pycountry.subdivisions
        if sub.country_code == "US"
    )
