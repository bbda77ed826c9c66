"""spaCy pipelines whose phrase component is one Aho-Corasick scan over the lower-cased text.

Each language is a ``spacy.blank`` pipeline with a whitespace tokenizer and one component,
``iprwatch_phrases``, that finds every taxonomy phrase in the text and leaves the hits in
``doc.user_data["hits"]``.

Why not spaCy's rule tokenizer and ``PhraseMatcher``, measured in one process on the same
items (2026-12, min of 5): for Chinese, one token per character plus the matcher cost 108 µs
an item, the whitespace doc plus the scan 74 µs; for English both ways cost about 100 µs
(building a doc of ~170 tokens is 50-60 µs whatever the tokenizer; the scan, about 45 µs,
replaces the rule tokenizer's extra work and the matcher's offset look-ups). The hits are the
same, except that the scan also finds terms glued to punctuation that the rule tokenizer kept
in one token ("[OPINION](pdf", "Brazil.1") and ignores terms inside URLs.

Matching rules: English phrases match case-insensitively on word edges (no letter, digit or
underscore just before or after); acronym-like ("cased") phrases match only as written or in
capitals; Chinese phrases match anywhere, except that a Latin term must stand apart from other
Latin letters and digits, and each whitespace character in the text stands for one space in a
phrase.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick
import spacy
from spacy.language import Language as SpacyLanguage
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc

from tagger._lexicon import Entry, Language, Phrase

__all__ = ["HITS", "Hit", "PhraseScanner", "PhraseTable", "make_nlp", "variants"]

_PLACEHOLDER = "\u2423"
_WHITESPACE = " \t\n\r\f\v\u2028\u2029\x85"
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LAST_WORD = re.compile(r"([a-z]{3,})$")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
HITS = "hits"
"""Where the phrase component leaves its hits: ``doc.user_data[HITS]``."""
SOURCE = "source"
"""Where the tokenizer leaves the text it read: ``doc.user_data[SOURCE]``."""

Hit = tuple[int, int, int]
"""A match: (phrase key, start character, end character) in the prepared text."""


def _placeholders(text: str) -> str:
    """Each whitespace character as the placeholder. Replaced one character at a time, only
    when present: ``str.translate`` looks up every character of a Chinese text (about 50 µs
    an item)."""
    for char in _WHITESPACE:
        if char in text:
            text = text.replace(char, _PLACEHOLDER)
    return text


def _lower(text: str) -> str:
    """The text in lower case, one character for one: characters whose lower case is longer
    ("İ") stay as they are, so offsets still point into the original."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c if len(low := c.lower()) != 1 else low for c in text)


def _plural(phrase: str) -> str | None:
    match = _LAST_WORD.search(phrase)
    if not match or phrase.endswith("s"):
        return None
    word = match.group(1)
    if word.endswith("y") and word[-2] not in "aeiou":
        plural = word[:-1] + "ies"
    elif word.endswith(("x", "z", "ch", "sh")):
        plural = word + "es"
    else:
        plural = word + "s"
    return phrase[: match.start()] + plural


def variants(phrase: Phrase, lang: Language) -> set[str]:
    """The spellings a phrase is matched in.

    Cased terms: as written and in capitals. Other English terms: lower case, with the last
    word also in the plural, and hyphens also as spaces. Chinese terms with a space also match
    without it.
    """
    term = phrase.term
    if phrase.cased:
        found = {term, term.upper()}
    elif lang == "en":
        found = {term.lower()}
        if "-" in term:
            found.add(term.lower().replace("-", " "))
        found |= {p for p in (_plural(v) for v in list(found)) if p}
    else:
        found = {term}
    if lang == "zh" and " " in term:
        found |= {v.replace(" ", "") for v in found}
    return found


@dataclass(frozen=True, slots=True)
class _Key:
    cased: bool
    text: str


class PhraseTable:
    """The phrases of one language in one Aho-Corasick automaton over lower-cased text, and
    what each match key means.

    Cased phrases ("LED", "US") are found in lower case too, then kept only when the text
    reads as one of their spellings.
    """

    def __init__(self, lang: Language, phrases: Iterable[Phrase]) -> None:
        self.lang = lang
        grouped: dict[_Key, list[Phrase]] = defaultdict(list)
        for phrase in phrases:
            text = phrase.term if phrase.cased else phrase.term.lower()
            grouped[_Key(phrase.cased, text)].append(phrase)
        self.entries: dict[int, tuple[Entry, ...]] = {}
        self._spellings: dict[int, frozenset[str]] = {}
        keys_of: dict[str, list[int]] = defaultdict(list)
        for key_id, (key, members) in enumerate(grouped.items()):
            spellings = sorted(set().union(*(variants(p, lang) for p in members)))
            self.entries[key_id] = tuple(p.entry for p in members)
            if key.cased:
                self._spellings[key_id] = frozenset(_squeeze(s) for s in spellings)
            for spelling in spellings:
                keys_of[self._normalise(spelling)].append(key_id)
        self._automaton = ahocorasick.Automaton()
        for pattern, key_ids in keys_of.items():
            self._automaton.add_word(pattern, self._value(pattern, key_ids))
        self._automaton.make_automaton()

    def _normalise(self, text: str) -> str:
        lowered = _lower(text)
        return _placeholders(lowered) if self.lang == "zh" else lowered

    def _value(self, pattern: str, key_ids: list[int]) -> tuple[int, tuple[int, ...], bool, bool]:
        """What the automaton returns for a pattern: its length, its keys, and whether its
        first and last characters need a word edge beside them."""
        if self.lang == "zh":
            left, right = pattern[0] in _ASCII_ALNUM, pattern[-1] in _ASCII_ALNUM
        else:  # a token edge is needed even beside punctuation: "U.S." is not in "U.S.C."
            left = right = True
        return len(pattern), tuple(sorted(set(key_ids))), left, right

    def find(self, text: str) -> list[Hit]:
        """Every match in ``text``, as (key, start, end) character offsets, by start and
        then end."""
        zh = self.lang == "zh"
        spellings = self._spellings
        size = len(text)
        hits: list[Hit] = []
        for last, (length, key_ids, left, right) in self._automaton.iter(self._normalise(text)):
            start, end = last - length + 1, last + 1
            if left and start > 0:
                char = text[start - 1]
                if (char in _ASCII_ALNUM) if zh else (char.isalnum() or char == "_"):
                    continue
            if right and end < size:
                char = text[end]
                if (char in _ASCII_ALNUM) if zh else (char.isalnum() or char == "_"):
                    continue
            for key in key_ids:
                if key in spellings and _squeeze(text[start:end]) not in spellings[key]:
                    continue
                hits.append((key, start, end))
        if hits and ("://" in text or "www." in text):
            hits = _outside_urls(hits, text)
        hits.sort(key=_span_order)
        return hits


def _outside_urls(hits: list[Hit], text: str) -> list[Hit]:
    """Hits that are not inside a URL ("/patents/law/" is no patent cue)."""
    urls = [match.span() for match in _URL.finditer(text)]
    return [hit for hit in hits if not any(a <= hit[1] and hit[2] <= b for a, b in urls)]


def _span_order(hit: Hit) -> tuple[int, int, int]:
    return hit[1], hit[2], hit[0]


def _squeeze(text: str) -> str:
    """The text with whitespace runs as single spaces (zh spellings have no spaces at all)."""
    return " ".join(text.split())


class _SourceKeepingTokenizer:
    """spaCy's whitespace tokenizer that also keeps the source text on the doc: rebuilding
    ``doc.text`` from its tokens cost more than the phrase scan itself."""

    def __init__(self, inner: Tokenizer) -> None:
        self._inner = inner

    def __call__(self, text: str) -> Doc:
        doc: Doc = self._inner(text)
        doc.user_data[SOURCE] = text
        return doc


class PhraseScanner:
    """The ``iprwatch_phrases`` component: taxonomy phrase hits in ``doc.user_data[HITS]``."""

    def __init__(self, table: PhraseTable | None = None) -> None:
        self.table = table

    def __call__(self, doc: Doc) -> Doc:
        if self.table is None:
            raise RuntimeError("the iprwatch_phrases component has no phrase table")
        source = doc.user_data.get(SOURCE)
        doc.user_data[HITS] = self.table.find(source if isinstance(source, str) else doc.text)
        return doc


@SpacyLanguage.factory("iprwatch_phrases")
def _make_phrase_scanner(nlp: SpacyLanguage, name: str) -> PhraseScanner:
    return PhraseScanner()


def make_nlp(lang: Language, table: PhraseTable | None = None) -> SpacyLanguage:
    """A blank pipeline for ``lang`` with a whitespace tokenizer and, given a table, the
    ``iprwatch_phrases`` component reading it."""
    nlp = spacy.blank(lang)
    nlp.tokenizer = _SourceKeepingTokenizer(Tokenizer(nlp.vocab))
    if table is not None:
        scanner = nlp.add_pipe("iprwatch_phrases")
        assert isinstance(scanner, PhraseScanner)
        scanner.table = table
    return nlp
