"""The values a keyword filter can match: what the tagger and the sources put on items.

A filter value outside these sets can never match, so the query model refuses it with a
reason (a typo should not look like "no data"). Each set is read once per process, and only
when a query first filters on it (the source registry reads every ``source.yml``).

- jurisdictions: the taxonomy's codes (countries and the regional systems: EU, UPC, EPO,
  EUIPO, WIPO) and every ISO 3166 alpha-2 code, as sources may declare any country;
- chains: the taxonomy's industry-chain ids (465 and Binhu);
- IP types: the taxonomy's ids and those a source may declare;
- sources: the crawler registry's ids (``IPRWATCH_SOURCES_DIR`` included).
"""

from __future__ import annotations

import difflib
import typing
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

import pycountry

from crawlers.config import IpType
from crawlers.registry import load_sources, sources_root
from tagger.taxonomy import load_taxonomy

__all__ = ["Vocabulary", "chains", "ip_types", "jurisdictions", "sources"]

_LISTED = 30  # a set this small is listed in full in the reason
_ALPHA_2 = frozenset(country.alpha_2 for country in pycountry.countries)


class Vocabulary:
    """A set of known values, looked up case-insensitively.

    Attributes:
        what: The values' name in messages ("jurisdiction", "source" ...).
        described: What the values are, for a reason when nothing close is known (default:
            the values, listed when they are few).
    """

    def __init__(self, what: str, values: Iterable[str], described: str | None = None) -> None:
        self.what = what
        self.described = described
        self._by_folded = {value.casefold(): value for value in values}

    def canonical(self, value: str) -> str:
        """``value`` as the known value it names in any case.

        Raises:
            ValueError: Unknown value; the message names it and suggests or lists known ones.
        """
        known = self._by_folded.get(value.casefold())
        if known is not None:
            return known
        raise ValueError(f"unknown {self.what} {value[:40]!r}; {self._hint(value)}")

    def _hint(self, value: str) -> str:
        values = sorted(self._by_folded.values())
        close = difflib.get_close_matches(value.casefold(), list(self._by_folded), n=3)
        if close:
            return "did you mean " + " or ".join(repr(self._by_folded[c]) for c in close) + "?"
        if self.described:
            return self.described
        if len(values) <= _LISTED:
            return "known: " + ", ".join(values)
        return f"known: {', '.join(values[:_LISTED])} ..."


@lru_cache(maxsize=1)
def jurisdictions() -> Vocabulary:
    """Jurisdiction codes items can carry."""
    regional = set(load_taxonomy().jurisdictions) - _ALPHA_2
    described = f"use an ISO 3166 alpha-2 code (US, DE, JP) or one of {', '.join(sorted(regional))}"
    return Vocabulary("jurisdiction", _ALPHA_2 | regional, described)


@lru_cache(maxsize=1)
def chains() -> Vocabulary:
    """Industry-chain ids."""
    return Vocabulary("chain", set(load_taxonomy().chain_ids()))


@lru_cache(maxsize=1)
def ip_types() -> Vocabulary:
    """IP types, from the tagger and from the sources' declarations."""
    declared = set(typing.get_args(IpType))
    return Vocabulary("IP type", {t.id for t in load_taxonomy().ip_types} | declared)


def sources() -> Vocabulary:
    """Source ids of the crawler registry (cached per sources folder)."""
    return _sources_in(sources_root())


@lru_cache(maxsize=4)
def _sources_in(root: Path) -> Vocabulary:
    return Vocabulary("source", load_sources(root))
