"""The taxonomy's terms as phrases to match, each saying what it is evidence of."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

import pycountry

from tagger._party_text import SUFFIX_WORDS
from tagger.taxonomy import Taxonomy

Language = Literal["en", "zh"]


class Field(StrEnum):
    """Which part of the tags a phrase feeds."""

    CHAIN = "chain"
    IP_TYPE = "ip_type"
    KIND = "kind"
    JURISDICTION = "jurisdiction"
    SIGNAL = "signal"
    BLOCKER = "blocker"
    CUE = "cue"
    """Not a tag: a word that tells an extractor its search may find something."""


class Grade(StrEnum):
    """How much a phrase proves on its own."""

    ANCHOR = "anchor"
    PRODUCT = "product"
    STRONG = "strong"
    WEAK = "weak"
    CONTEXT = "context"


COMPANY_SUFFIX = "company_suffix"
"""Target of cue entries for company-form suffixes ("Inc", "Co", "GmbH"): only a text with
one can name a suffixed company (``tagger._party_names``)."""

BLOCKS_JURISDICTION = "jurisdiction"
BLOCKS_IP_TYPE = "ip_type"
"""Targets of blocker entries: longer phrases that void the cues inside them."""


@dataclass(frozen=True, slots=True)
class Entry:
    """What one matched phrase is evidence of: ``target`` is a chain id, IP type, item kind,
    jurisdiction code or signal type, depending on ``field``."""

    field: Field
    target: str
    grade: Grade
    term: str


@dataclass(frozen=True, slots=True)
class Phrase:
    """A term to match in one language; ``cased`` terms match as written or in capitals."""

    term: str
    cased: bool
    entry: Entry


_ACRONYM_WORD = re.compile(r"\S*[A-Z]\S*[A-Z]\S*")


def is_cased(term: str) -> bool:
    """Acronym-like terms (a word with two capitals: RFID, IoT, SiC, LED) keep their case."""
    return bool(_ACRONYM_WORD.search(term))


def _phrases(terms: Iterable[str], entry: Entry, force_case: bool = False) -> Iterator[Phrase]:
    for term in terms:
        term = term.strip()
        if term:
            yield Phrase(
                term,
                force_case or is_cased(term),
                Entry(entry.field, entry.target, entry.grade, term),
            )


def _chain_phrases(taxonomy: Taxonomy, lang: Language) -> Iterator[Phrase]:
    for chain in taxonomy.chains:
        graded = (
            (Grade.PRODUCT, getattr(chain.products, lang)),
            (Grade.STRONG, getattr(chain.keywords, lang)),
            (Grade.WEAK, getattr(chain.weak, lang)),
            (Grade.CONTEXT, getattr(chain.context, lang)),
            (Grade.ANCHOR, chain.anchors),
        )
        for grade, terms in graded:
            yield from _phrases(terms, Entry(Field.CHAIN, chain.id, grade, ""))


def _ip_kind_signal_phrases(taxonomy: Taxonomy, lang: Language) -> Iterator[Phrase]:
    for ip_type in taxonomy.ip_types:
        yield from _phrases(
            getattr(ip_type.cues, lang), Entry(Field.IP_TYPE, ip_type.id, Grade.STRONG, "")
        )
    yield from _phrases(
        getattr(taxonomy.ip_blockers, lang), Entry(Field.BLOCKER, BLOCKS_IP_TYPE, Grade.STRONG, "")
    )
    for kind in taxonomy.kinds:
        yield from _phrases(
            getattr(kind.strong, lang), Entry(Field.KIND, kind.id.value, Grade.STRONG, "")
        )
        yield from _phrases(
            getattr(kind.weak, lang), Entry(Field.KIND, kind.id.value, Grade.WEAK, "")
        )
    for signal in taxonomy.signals:
        yield from _phrases(getattr(signal, lang), Entry(Field.SIGNAL, signal.id, Grade.STRONG, ""))


def _pycountry_names(excluded: set[str]) -> Iterator[tuple[str, str]]:
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            name = getattr(country, attr, None)
            if name and "," not in name and name not in excluded:
                yield country.alpha_2, name


def _jurisdiction_phrases(taxonomy: Taxonomy, lang: Language) -> Iterator[Phrase]:
    weak = set(taxonomy.weak_codes)
    for code, cues in taxonomy.jurisdictions.items():
        name_grade = Grade.WEAK if code in weak else Grade.STRONG
        names, strong = (cues.en, cues.strong_en) if lang == "en" else (cues.zh, cues.strong_zh)
        cased = lang == "en"
        yield from _phrases(names, Entry(Field.JURISDICTION, code, name_grade, ""), cased)
        yield from _phrases(strong, Entry(Field.JURISDICTION, code, Grade.STRONG, ""), cased)
    if lang == "en":
        for code, name in _pycountry_names(set(taxonomy.pycountry_exclude)):
            grade = Grade.WEAK if code in weak else Grade.STRONG
            yield Phrase(name, True, Entry(Field.JURISDICTION, code, grade, name))
    blockers = getattr(taxonomy.blockers, lang)
    yield from _phrases(
        blockers, Entry(Field.BLOCKER, BLOCKS_JURISDICTION, Grade.STRONG, ""), lang == "en"
    )


def _cue_phrases() -> Iterator[Phrase]:
    """Company-form suffixes, in lower case: the scan finds them in any case."""
    for word in SUFFIX_WORDS:
        term = word.lower()
        yield Phrase(term, False, Entry(Field.CUE, COMPANY_SUFFIX, Grade.STRONG, term))


def build_phrases(taxonomy: Taxonomy, lang: Language) -> list[Phrase]:
    """Every phrase the matcher for ``lang`` looks for: the taxonomy's, then the cues."""
    return [
        *_chain_phrases(taxonomy, lang),
        *_ip_kind_signal_phrases(taxonomy, lang),
        *_jurisdiction_phrases(taxonomy, lang),
        *_cue_phrases(),
    ]
