"""spaCy pipelines and phrase matchers: where the tokenizer's time goes.

English uses ``spacy.blank("en")``. Chinese uses ``spacy.blank("zh")`` with character tokens,
which find keywords faster and more completely than word segmentation (MEASURED.md). The
tokens are the ones spaCy's default "char" segmenter makes, but they are built by spaCy's
whitespace tokenizer over the characters joined by spaces, which is several times faster,
and each whitespace character stays as a placeholder token so that token i is character i.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import spacy
from spacy.attrs import IDX, LENGTH
from spacy.language import Language as SpacyLanguage
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.vocab import Vocab

from tagger._lexicon import Entry, Language, Phrase

_PLACEHOLDER = "\u2423"
_WHITESPACE = " \t\n\r\f\v\u2028\u2029\x85"
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_LAST_WORD = re.compile(r"([a-z]{3,})$")

Hit = tuple[int, int, int]
"""A match: (phrase key, start character, end character) in the prepared text."""


class CharTokenizer:
    """One token per character, whitespace included (as a placeholder token)."""

    def __init__(self, vocab: Vocab) -> None:
        self._inner = Tokenizer(vocab)

    def __call__(self, text: str) -> Doc:
        doc: Doc = self._inner(" ".join(_placeholders(text)))
        return doc


def _placeholders(text: str) -> str:
    """Each whitespace character as the placeholder. Replaced one character at a time, only
    when present: ``str.translate`` looks up every character of a Chinese text (about 50 µs
    an item)."""
    for char in _WHITESPACE:
        if char in text:
            text = text.replace(char, _PLACEHOLDER)
    return text


def make_nlp(lang: Language) -> SpacyLanguage:
    """A blank pipeline for ``lang`` (character tokens for Chinese).

    The English tokenizer runs without its exceptions ("Inc.", "Co.", "it's" ...): any text
    containing one takes spaCy's special-case path, which made legal text about seven times
    slower. Patterns are tokenised the same way, so matching is unaffected.
    """
    nlp = spacy.blank(lang)
    if lang == "zh":
        nlp.tokenizer = CharTokenizer(nlp.vocab)
    elif isinstance(nlp.tokenizer, Tokenizer):
        nlp.tokenizer.rules = {}
    return nlp


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
    """The phrases of one language in one PhraseMatcher (on LOWER), and what each match key
    means.

    Cased phrases ("LED", "US") are matched in lower case too, then kept only when the text
    reads as one of their spellings: one matcher pass instead of a LOWER and an ORTH pass.
    """

    def __init__(self, nlp: SpacyLanguage, lang: Language, phrases: Iterable[Phrase]) -> None:
        self.lang = lang
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        grouped: dict[_Key, list[Phrase]] = defaultdict(list)
        for phrase in phrases:
            text = phrase.term if phrase.cased else phrase.term.lower()
            grouped[_Key(phrase.cased, text)].append(phrase)
        self.entries: dict[int, tuple[Entry, ...]] = {}
        self._spellings: dict[int, frozenset[str]] = {}
        self._latin_edges: dict[int, tuple[bool, bool]] = {}
        for key, members in grouped.items():
            self._add(nlp, key, members)

    def _add(self, nlp: SpacyLanguage, key: _Key, members: list[Phrase]) -> None:
        name = f"{self.lang}|{'O' if key.cased else 'L'}|{key.text}"
        spellings = sorted(set().union(*(variants(p, self.lang) for p in members)))
        self._matcher.add(name, [nlp.make_doc(s) for s in spellings])
        key_id = nlp.vocab.strings[name]
        self.entries[key_id] = tuple(p.entry for p in members)
        if key.cased:
            self._spellings[key_id] = frozenset(_squeeze(s) for s in spellings)
        self._latin_edges[key_id] = (key.text[0] in _ASCII_ALNUM, key.text[-1] in _ASCII_ALNUM)

    def find(self, doc: Doc, text: str) -> list[Hit]:
        """Every match in ``doc``, as character offsets into ``text`` (the doc's source)."""
        spellings = self._spellings
        hits: list[Hit] = []
        matches = self._matcher(doc)
        if not matches:
            return hits
        if self.lang == "zh":  # character tokens: token offsets are character offsets
            found = [(key, start, end) for key, start, end in matches]
            found = [hit for hit in found if self._stands_apart(hit, text)]
        else:  # token offsets and lengths at once, not a Token object per look-up
            starts, lengths = doc.to_array([IDX, LENGTH]).T.tolist()
            found = [
                (key, starts[start], starts[end - 1] + lengths[end - 1])
                for key, start, end in matches
            ]
        for hit in found:
            key = hit[0]
            if key in spellings and _squeeze(text[hit[1] : hit[2]]) not in spellings[key]:
                continue
            hits.append(hit)
        return hits

    def _stands_apart(self, hit: Hit, text: str) -> bool:
        """In character tokens, a Latin term must not touch other Latin letters ("LED" is not
        in "LEDGER")."""
        key, start, end = hit
        left, right = self._latin_edges[key]
        if left and start > 0 and text[start - 1] in _ASCII_ALNUM:
            return False
        return not (right and end < len(text) and text[end] in _ASCII_ALNUM)


def _squeeze(text: str) -> str:
    """The text with whitespace runs as single spaces (zh spellings have no spaces at all)."""
    return " ".join(text.split())
