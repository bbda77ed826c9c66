"""Cue words the extractors test for ("respondent", " v. ", "-cv-", "HTS" ...), found in the
same pass as the taxonomy phrases instead of a substring search per word.

The extractors ask, a hundred times an item, whether a text mentions one of a few words and
where: each ``word in text`` reads the whole text again (0.5-1 µs for a 1,000-character
item). The phrase scan's Aho-Corasick automaton (``tagger._matching.PhraseTable``) also holds
every cue word and notes where each occurs, so the questions become dictionary look-ups.
``scan_cues`` does the same scan on its own, for texts no phrase scan read (unsupported
scripts) and for the extractors called directly.

A module declares its cue words once, at import, with ``cue_words``. Words match as written
(``cue_words("Respondent")``) or in any case (``cue_words("patent", any_case=True)``),
anywhere: inside longer words too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import ahocorasick

from tagger._text import lower_keeping_offsets

__all__ = [
    "CueFinds",
    "CueKey",
    "CueSpelling",
    "CueWords",
    "Cues",
    "cue_spellings",
    "cue_words",
    "declared_count",
    "declared_cues",
    "note_cue",
    "scan_cues",
]

CueKey = tuple[str, bool]
"""A declared word and whether it matches in any case."""

CueFinds = dict[CueKey, list[int]]
"""Where each cue word starts in a text, in order."""

_DECLARED: dict[CueKey, None] = {}
"""Every cue word declared, in order of declaration."""


@dataclass(frozen=True, slots=True)
class CueWords:
    """Cue words declared with ``cue_words``: what ``Cues.mentions`` and ``Cues.positions``
    ask about."""

    keys: tuple[CueKey, ...]


def cue_words(*words: str, any_case: bool = False) -> CueWords:
    """Declare cue words (at import time): every scan finds them from now on."""
    keys = tuple((word, any_case) for word in words)
    for key in keys:
        _DECLARED.setdefault(key)
    return CueWords(keys)


def declared_cues() -> list[CueKey]:
    """Every cue word declared so far."""
    return list(_DECLARED)


def declared_count() -> int:
    """How many cue words were declared so far."""
    return len(_DECLARED)


@dataclass(frozen=True, slots=True)
class CueSpelling:
    """A cue word as an automaton finds it in a normalised text, and the check a find must
    pass: ``exact``, the word as written (compared with the text itself), or ``folded``, the
    word in lower case (compared with the text's lower case: the automaton's text may fold
    more than case, e.g. all whitespace to one character); neither: no check."""

    key: CueKey
    exact: str | None
    folded: str | None


def cue_spellings(keys: Iterable[CueKey], fold_more: bool) -> dict[str, list[CueSpelling]]:
    """The cue words by their lower-cased spelling (what the automaton looks for);
    ``fold_more``: the automaton's text folds more than case."""
    spellings: dict[str, list[CueSpelling]] = {}
    for key in keys:
        word, any_case = key
        lowered = lower_keeping_offsets(word)
        exact = None if any_case else word
        folded = lowered if any_case and fold_more else None
        spellings.setdefault(lowered, []).append(CueSpelling(key, exact, folded))
    return spellings


def note_cue(found: CueFinds, spellings: tuple[CueSpelling, ...], text: str, start: int) -> None:
    """Note the cue words an automaton found at ``start`` (those whose check passes)."""
    for spelling in spellings:
        if spelling.exact is not None:
            if not text.startswith(spelling.exact, start):
                continue
        elif spelling.folded is not None:
            said = text[start : start + len(spelling.folded)]
            if lower_keeping_offsets(said) != spelling.folded:
                continue
        starts = found.get(spelling.key)
        if starts is None:
            found[spelling.key] = [start]
        else:
            starts.append(start)


class Cues:
    """Where each cue word occurs in one text (every occurrence, overlapping ones too)."""

    __slots__ = ("_found", "text")

    def __init__(self, text: str, found: CueFinds) -> None:
        self.text = text
        self._found = found

    def mentions(self, words: CueWords) -> bool:
        """Whether the text holds any of ``words``."""
        found = self._found
        for key in words.keys:  # noqa: SIM110 - called a dozen times an item; any() costs more
            if key in found:
                return True
        return False

    def positions(self, words: CueWords) -> list[int]:
        """Where each of ``words`` occurs, in order: for each word, the occurrences a search
        from left to right finds (not one that starts inside the previous one)."""
        found: list[int] = []
        for key in words.keys:
            starts = self._found.get(key)
            if starts is None:
                continue
            length, end = len(key[0]), -1
            for start in starts:
                if start >= end:
                    found.append(start)
                    end = start + length
        found.sort()
        return found

    def starts(self, words: CueWords) -> list[int]:
        """Every position where one of ``words`` starts, overlapping ones too, each once, in
        order."""
        found: set[int] = set()
        for key in words.keys:
            found.update(self._found.get(key, ()))
        return sorted(found)


@dataclass(slots=True)
class _Automaton:
    size: int
    automaton: ahocorasick.Automaton


def _build() -> _Automaton:
    automaton = ahocorasick.Automaton()
    for spelling, words in cue_spellings(_DECLARED, fold_more=False).items():
        automaton.add_word(spelling, (len(spelling), tuple(words)))
    automaton.make_automaton()
    return _Automaton(len(_DECLARED), automaton)


_current: _Automaton | None = None


def _automaton() -> ahocorasick.Automaton:
    global _current  # one automaton per process, rebuilt when more words were declared
    if _current is None or _current.size != len(_DECLARED):
        _current = _build()
    return _current.automaton


def scan_cues(text: str) -> Cues:
    """Every occurrence of every declared cue word in ``text``, in a scan of its own."""
    found: CueFinds = {}
    for last, (length, spellings) in _automaton().iter(lower_keeping_offsets(text)):
        note_cue(found, spellings, text, last + 1 - length)
    return Cues(text, found)
