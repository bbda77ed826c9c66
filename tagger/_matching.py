"""spaCy pipelines whose phrase component is one Aho-Corasick scan over the lower-cased text.

Each language is a ``spacy.blank`` pipeline with a tokenizer that keeps the source text and
makes no tokens (``SourceTokenizer``), and one component, ``iprwatch_phrases``, that finds
every taxonomy phrase in the text and leaves the hits in ``doc.user_data["hits"]`` (and, in
the same scan, the extractors' cue words of ``tagger._cues`` in ``doc.user_data["cue_finds"]``).

Why not spaCy's rule tokenizer and ``PhraseMatcher``, measured in one process on the same
items (2026-12, min of 5): for Chinese, one token per character plus the matcher cost 108 µs
an item, a whitespace doc plus the scan 74 µs; for English both ways cost about 100 µs
(building a doc of ~170 tokens is 50-65 µs whatever the tokenizer; the scan, about 45 µs,
replaces the rule tokenizer's extra work and the matcher's offset look-ups). The hits are the
same, except that the scan also finds terms glued to punctuation that the rule tokenizer kept
in one token ("[OPINION](pdf", "Brazil.1") and ignores terms inside URLs. Since nothing reads
the tokens, the doc has none (2026-12: 6 µs an item instead of 65).

Matching rules: English phrases match case-insensitively on word edges (no letter, digit or
underscore just before or after: a token edge is needed even beside punctuation, "U.S." is not
in "U.S.C."); acronym-like ("cased") phrases match only as written or in capitals; Chinese
phrases match anywhere, except that a Latin term must stand apart from other Latin letters and
digits, and each whitespace character in the text stands for one space in a phrase.

The English automaton reads the text with every character other than a letter, digit or
underscore as one edge mark, and holds each phrase between two marks: it reports only matches
on word edges (``PhraseTable._build_en``; rejecting the others, "co" in "court", after the
scan cost about 10 µs an item).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

import ahocorasick
import spacy
from spacy.language import Language as SpacyLanguage
from spacy.tokens import Doc
from spacy.vocab import Vocab

from tagger._cues import CueFinds, CueKey, CueSpelling, cue_spellings, note_cue
from tagger._lexicon import Entry, Field, Language, Phrase
from tagger._text import lower_keeping_offsets

__all__ = [
    "CUE_FINDS",
    "HITS",
    "Hit",
    "PhraseScanner",
    "PhraseTable",
    "SourceTokenizer",
    "make_nlp",
    "scans_only",
    "variants",
]

_PLACEHOLDER = "\u2423"
_WHITESPACE = " \t\n\r\f\v\u2028\u2029\x85"
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LAST_WORD = re.compile(r"([a-z]{3,})$")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)
HITS = "hits"
"""Where the phrase component leaves its hits: ``doc.user_data[HITS]``."""
CUE_FINDS = "cue_finds"
"""Where the phrase component leaves the cue words it found (``tagger._cues.CueFinds``):
``doc.user_data[CUE_FINDS]``."""
SOURCE = "source"
"""Where the tokenizer leaves the text it read: ``doc.user_data[SOURCE]``."""

Hit = tuple[int, int, int]
"""A match: (phrase key, start character, end character) in the prepared text."""

_Value = tuple[int, tuple[int, ...], bool, bool, bool, tuple[CueSpelling, ...]]
_EDGE = "\x01"
"""What every character that is not a letter, digit or underscore becomes in the English
scan's text (``_edged``), and what stands at both ends of each English phrase pattern: a
match is then on word edges by construction."""
_NOT_WORD = re.compile(r"\W")
"""Not a letter, digit or underscore: exactly the characters the word-edge test accepts
beside a phrase (``\\w`` is ``str.isalnum()`` or "_", for every code point)."""
_ASCII_EDGES = {code: _EDGE for code in range(128) if not (chr(code).isalnum() or chr(code) == "_")}
_EnPhrase = tuple[str | None, tuple[int, ...], bool]
"""An English phrase found: the lower-cased text it must read as (None: no check, its edged
form says it all), its keys and whether one is cased."""
_EnCue = tuple[str | None, int, int, tuple[CueSpelling, ...]]
"""An English cue word found: the lower-cased text it must read as (None: no check), its
start and end offsets from the match in the edged text, and the cue spellings it may be."""
_EnValue = tuple[int, tuple[_EnPhrase, ...], tuple[_EnCue, ...]]
_SPAN_ORDER = itemgetter(1, 2, 0)
"""Hits by start, end and key."""


def _placeholders(text: str) -> str:
    """Each whitespace character as the placeholder. Replaced one character at a time, only
    when present: ``str.translate`` looks up every character of a Chinese text (about 50 µs
    an item)."""
    for char in _WHITESPACE:
        if char in text:
            text = text.replace(char, _PLACEHOLDER)
    return text


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
    without it. Cues ("inc", "co"): only in lower case, as they are.
    """
    term = phrase.term
    if phrase.entry.field is Field.CUE:
        return {term.lower()}
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
    reads as one of their spellings. The automaton also holds the ``cues`` (the cue words
    of ``tagger._cues``), found anywhere, with no edge test.
    """

    def __init__(
        self, lang: Language, phrases: Iterable[Phrase], cues: Iterable[CueKey] = ()
    ) -> None:
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
        cues_of: dict[str, tuple[CueSpelling, ...]] = defaultdict(tuple)
        for spelling, found in cue_spellings(cues, fold_more=lang == "zh").items():
            cues_of[self._normalise(spelling)] += tuple(found)
        self._automaton = ahocorasick.Automaton()
        if lang == "en":
            self._build_en(keys_of, cues_of)
        else:
            for pattern in keys_of.keys() | cues_of.keys():
                value = self._value(pattern, keys_of.get(pattern, []), cues_of.get(pattern, ()))
                self._automaton.add_word(pattern, value)
        self._automaton.make_automaton()

    def _build_en(
        self, keys_of: dict[str, list[int]], cues_of: dict[str, tuple[CueSpelling, ...]]
    ) -> None:
        """The English automaton, over the edged text (``_edged``): each phrase as
        ``_EDGE`` + its edged spelling + ``_EDGE``, so that only matches on word edges are
        reported (the edge test used to reject two matches in three, "co" in "court"), and
        each cue word as its edged spelling, found anywhere. Spellings with other characters
        than letters and digits are checked against the lower-cased text (their edged forms
        may be shared: "lithium-ion" and "lithium ion")."""
        phrases: dict[str, list[_EnPhrase]] = defaultdict(list)
        cues: dict[str, list[_EnCue]] = defaultdict(list)
        for pattern in sorted(keys_of):
            keys = tuple(sorted(set(keys_of[pattern])))
            cased = any(key in self._spellings for key in keys)
            literal = None if _NOT_WORD.search(pattern) is None else pattern
            edged = _EDGE + _edged(pattern) + _EDGE
            phrases[edged].append((literal, keys, cased))
        for pattern in sorted(cues_of):
            literal = None if _NOT_WORD.search(pattern) is None else pattern
            cues[_edged(pattern)].append((literal, 0, len(pattern), cues_of[pattern]))
        for edged in phrases.keys() | cues.keys():
            value: _EnValue = (
                len(edged),
                tuple(phrases.get(edged, ())),
                tuple(cues.get(edged, ())),
            )
            self._automaton.add_word(edged, value)

    def _normalise(self, text: str) -> str:
        lowered = lower_keeping_offsets(text)
        return _placeholders(lowered) if self.lang == "zh" else lowered

    def _value(self, pattern: str, key_ids: list[int], cues: tuple[CueSpelling, ...]) -> _Value:
        """What the Chinese automaton returns for a pattern: its length, its keys, whether
        its first and last characters need a word edge beside them (Latin ones), whether a
        key is cased (its spelling must then be checked), and the cue words it may be."""
        left, right = pattern[0] in _ASCII_ALNUM, pattern[-1] in _ASCII_ALNUM
        keys = tuple(sorted(set(key_ids)))
        cased = any(key in self._spellings for key in keys)
        return len(pattern), keys, left, right, cased, cues

    def find(self, text: str) -> list[Hit]:
        """Every match in ``text``, as (key, start, end) character offsets, by start and
        then end."""
        return self.scan(text)[0]

    def scan(self, text: str) -> tuple[list[Hit], CueFinds]:
        """The matches in ``text`` (as ``find``), and where each cue word occurs."""
        cue_finds: CueFinds = {}
        if self.lang == "zh":
            hits = self._find_zh(text, cue_finds)
        else:
            hits = self._find_en(text, cue_finds)
        if hits and ("://" in text or "www." in text):
            hits = _outside_urls(hits, text)
        hits.sort(key=_SPAN_ORDER)
        return hits, cue_finds

    def _find_en(self, text: str, cue_finds: CueFinds) -> list[Hit]:
        """Matches with no letter, digit or underscore right before or after them, found in
        the edged text (``_build_en``): offsets there are those of ``text`` plus one."""
        hits: list[Hit] = []
        lowered = lower_keeping_offsets(text)
        edged = _EDGE + _edged(lowered) + _EDGE
        for last, (length, phrases, cues) in self._automaton.iter(edged):
            first = last - length  # where the match starts, in ``text``'s offsets
            # the cue words it may be (those whose check passes), noted here rather than in
            # a function of their own: some twenty calls an item fewer
            for literal, low, high, spellings in cues:
                start = first + low
                if literal is not None and (start < 0 or lowered[start : first + high] != literal):
                    continue
                note_cue(cue_finds, spellings, text, start)
            start, end = first + 1, last - 1  # a phrase's, inside its edges
            for literal, keys, cased in phrases:
                if literal is not None and lowered[start:end] != literal:
                    continue
                if not cased:
                    for key in keys:
                        hits.append((key, start, end))
                else:
                    self._add(hits, keys, cased, text, start, end)
        return hits

    def _find_zh(self, text: str, cue_finds: CueFinds) -> list[Hit]:
        """Matches anywhere, except a Latin term glued to other Latin letters or digits."""
        size = len(text)
        hits: list[Hit] = []
        for last, (length, keys, left, right, cased, cues) in self._automaton.iter(
            _placeholders(lower_keeping_offsets(text))
        ):
            end = last + 1
            start = end - length
            if cues:
                note_cue(cue_finds, cues, text, start)
                if not keys:
                    continue
            if left and start and text[start - 1] in _ASCII_ALNUM:
                continue
            if right and end < size and text[end] in _ASCII_ALNUM:
                continue
            self._add(hits, keys, cased, text, start, end)
        return hits

    def _add(
        self, hits: list[Hit], keys: tuple[int, ...], cased: bool, text: str, start: int, end: int
    ) -> None:
        """File a match under each of its keys; a cased key only when the text reads as one
        of its spellings."""
        if not cased:
            for key in keys:
                hits.append((key, start, end))
            return
        said = _squeeze(text[start:end])
        for key in keys:
            if key not in self._spellings or said in self._spellings[key]:
                hits.append((key, start, end))


def _edged(lowered: str) -> str:
    """The text with each character that is not a letter, digit or underscore as ``_EDGE``
    (one for one: offsets agree)."""
    if lowered.isascii():
        return lowered.translate(_ASCII_EDGES)
    return _NOT_WORD.sub(_EDGE, lowered)


def _outside_urls(hits: list[Hit], text: str) -> list[Hit]:
    """Hits that are not inside a URL ("/patents/law/" is no patent cue)."""
    urls = [match.span() for match in _URL.finditer(text)]
    return [hit for hit in hits if not any(a <= hit[1] and hit[2] <= b for a, b in urls)]


def _squeeze(text: str) -> str:
    """The text with whitespace runs as single spaces (zh spellings have no spaces at all)."""
    return " ".join(text.split())


class SourceTokenizer:
    """The pipelines' tokenizer: a doc that keeps the source text (``doc.user_data[SOURCE]``)
    and holds no tokens, because no component reads tokens: the phrase scan reads the text.

    Building the ~170 tokens of an English item (whitespace or rule tokenizer alike) cost
    about 65 µs, a fifth of tagging it, and every new token string grew the shared vocab for
    as long as the worker lived. Should a component ever need tokens (a user-installed NER
    model), it tokenizes the source with its own tokenizer.
    """

    def __init__(self, vocab: Vocab) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        doc = Doc(self.vocab, words=[])
        doc.user_data[SOURCE] = text
        return doc


class PhraseScanner:
    """The ``iprwatch_phrases`` component: taxonomy phrase hits in ``doc.user_data[HITS]``,
    cue words found in ``doc.user_data[CUE_FINDS]``."""

    def __init__(self, table: PhraseTable | None = None) -> None:
        self.table = table

    def __call__(self, doc: Doc) -> Doc:
        if self.table is None:
            raise RuntimeError("the iprwatch_phrases component has no phrase table")
        source = doc.user_data.get(SOURCE)
        text = source if isinstance(source, str) else doc.text
        doc.user_data[HITS], doc.user_data[CUE_FINDS] = self.table.scan(text)
        return doc


@SpacyLanguage.factory("iprwatch_phrases")
def _make_phrase_scanner(nlp: SpacyLanguage, name: str) -> PhraseScanner:
    return PhraseScanner()


def make_nlp(lang: Language, table: PhraseTable | None = None) -> SpacyLanguage:
    """A blank pipeline for ``lang`` with the ``SourceTokenizer`` and, given a table, the
    ``iprwatch_phrases`` component reading it."""
    nlp = spacy.blank(lang)
    nlp.tokenizer = SourceTokenizer(nlp.vocab)
    if table is not None:
        scanner = nlp.add_pipe("iprwatch_phrases")
        assert isinstance(scanner, PhraseScanner)
        scanner.table = table
    return nlp


def scans_only(nlp: SpacyLanguage, table: PhraseTable) -> bool:
    """Whether running ``nlp`` on a text gives just what ``table.scan`` of the text gives: its
    tokenizer is the ``SourceTokenizer`` and its one component the phrase scan over ``table``.
    The tagger then calls the scan directly: a doc per text and spaCy's batching around the
    scan cost about 2 % of tagging an English item (2026-12, counted with callgrind: 27,000 of
    1.5 million instructions)."""
    if not isinstance(nlp.tokenizer, SourceTokenizer) or nlp.pipe_names != ["iprwatch_phrases"]:
        return False
    scanner = nlp.get_pipe("iprwatch_phrases")
    return isinstance(scanner, PhraseScanner) and scanner.table is table
