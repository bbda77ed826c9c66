"""Company names in running English text ("granted a preliminary injunction to Orthomed
GmbH against Wuxi Kangli Medical Instruments Co., Ltd."), read only where the text speaks
of an IP matter.

A name counts only when it ends in a company suffix (Inc., Co., Ltd., GmbH ...): without a
list, a caption or a role word, capitalised words alone are too often courts, products or
places. The role is left open, but for the PTAB's "petition by X", "X filed a petition" and
"a patent owned by X"; the structured readers give it when they find the party, and
``_party_prose`` when the sentence says who sued whom. A court named right before a firm
("Munich Regional Court Huawei ...") is not part of its name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from tagger._cues import Cues, cue_words
from tagger._party_captions import SCHEDULE_A
from tagger._party_text import (
    SUFFIX_PATTERN,
    SUFFIXED_NAME,
    RawParty,
    clean_name,
    court_prefix_end,
)

_IP_MATTER = cue_words(
    "patent",
    "trademark",
    "trade mark",
    "copyright",
    "infring",
    "injunction",
    "lawsuit",
    "sued",
    "sues",
    "squat",
    "counterfeit",
    "seiz",
    "trade secret",
    "court",
    "litigation",
    "section 337",
    "USITC",
    "International Trade Commission",
    any_case=True,
)
_NAME = re.compile(r"[A-Z0-9](?<![\w&'’.\-][A-Z0-9])" + SUFFIXED_NAME.removeprefix("[A-Z0-9]"))
"""``SUFFIXED_NAME`` not right after a name character. The pattern opens with its first
character class and checks the character before it afterwards (the same test), so that the
regex engine can skip ahead to capitals and digits instead of trying every position."""
_ANY_SUFFIX = re.compile(r"(?<![\w&])" + SUFFIX_PATTERN)
"""Any company suffix: names are looked for only before one."""
_LEADING_WORDS = re.compile(
    r"^(?:(?:The|In|On|After|Before|Under|Today|Also|But|And|When|While|As|At|By|From|For|"
    r"Since|Yesterday|Meanwhile|However|Last|This|That|Separately|Plaintiffs?|Defendants?|"
    r"Petitioners?|Respondents?|Complainants?|Appellants?|Appellees?|Applicants?|Claimants?|"
    r"PLAINTIFFS?|DEFENDANTS?)\s+)+"
)
_NOT_FIRMS = re.compile(r"^(?:U\.?S\.?|United\s+States|Court|Commission|Office)\b")
_PETITION_BY = re.compile(r"\bpetitions?\s+(?:(?:was|were)\s+)?(?:filed\s+)?by\s+$", re.I)
""""on a petition by X", "a petition filed by X": X is the petitioner."""
_PETITION_AFTER = re.compile(
    r"\s+(?:has\s+|had\s+)?(?:filed|submitted)\s+(?:a\s+|an\s+)?(?:IPR\s+|PGR\s+)?petitions?\b",
    re.I,
)
""""X filed a petition": X is the petitioner."""
_OWNED_BY = re.compile(
    r"\bpatents?(?:\s+Nos?\.\s*[\d,]*\d|(?:(?!\b(?:firm|company|subsidiary|unit|suit|"
    r"lawsuit|business)\b)[^.;])*?)\s*,?\s+(?:owned|held)\s+by\s+$",
    re.I,
)
""""a patent owned by X", "U.S. Patent No. 11,222,333, owned by X": X is the patent owner (not
"a firm owned by X" after a patent suit was named)."""
_PATENT_BEFORE = 120
"""How far before a name the patent it owns may be named."""
_MAX_NAMES = 20
_MAX_SUFFIXES = 200
_WINDOW = 250
_LOWER_ASCII = frozenset("abcdefghijklmnopqrstuvwxyz")
_CONNECTORS = frozenset(("of", "and", "de", "the", "for", "du", "von", "van", "a", "et", "aux"))
"""The lower-case words ``SUFFIXED_NAME`` lets into a name."""
_FLOOR_WORDS = 6
"""How many words before a suffix ``_name_floor`` reads: most names are shorter."""
"""How far before a suffix a name may start (ten words and a bracketed place)."""


_URL_MARKS = cue_words("://", "www.")
_FOLDS_TO_ASCII = ("ı", "İ", "ſ")
"""Letters that match ASCII ones case-insensitively in a regex but not once lower-cased: a
text with one is searched by the regex, not from the phrase scan's cues."""


def suffix_cues_usable(cues: Cues) -> bool:
    """Whether the phrase scan's company-suffix hits find every company suffix the regex
    would: not when the text has URLs (the scan skips their inside) or letters that case-fold
    to ASCII ones only in a regex (``_FOLDS_TO_ASCII``)."""
    if cues.mentions(_URL_MARKS):
        return False
    text = cues.text
    return text.isascii() or not any(char in text for char in _FOLDS_TO_ASCII)


def _suffixes_at(text: str, starts: Iterable[int]) -> Iterator[re.Match[str]]:
    """The company suffixes ``_ANY_SUFFIX.finditer`` would find, read only at ``starts``
    (candidates that include every position where one starts)."""
    last = 0
    for start in sorted(set(starts)):
        if start < last:
            continue
        suffix = _ANY_SUFFIX.match(text, start)
        if suffix is not None:
            last = suffix.end()
            yield suffix


def _name_floor(text: str, suffix: int) -> int:
    """The earliest position a name ending in the suffix at ``suffix`` can start: at most
    ``_WINDOW`` characters before it, and not before the last word that cannot be part of a
    name (from the end back).

    Such a word starts with a lower-case ASCII letter, is no connector ("of", "and" ...) and
    is not inside a bracketed place ("(Suzhou industrial park)"): a name holds only
    capitalised words, connectors, "&", bracketed places and, after its first suffix, more
    suffixes (a lower-case suffix before this one would have started the joined window
    itself). Narrowing so ("based on a complaint filed by X Co., Ltd.") spares the name
    regex most of the 250 characters it would otherwise try.
    """
    low = max(0, suffix - _WINDOW)
    chunk = text[low:suffix]
    end = len(chunk)
    bracketed = False
    words = chunk.rsplit(None, _FLOOR_WORDS)
    for word in reversed(words[1:] if len(words) > _FLOOR_WORDS else words):
        end = chunk.rfind(word, 0, end)
        if bracketed:
            bracketed = "(" not in word
        elif ")" in word and "(" not in word:
            bracketed = True
        elif word[0] in _LOWER_ASCII and word.rstrip(",") not in _CONNECTORS:
            return low + end
    return low


def _windows(
    text: str, suffix_starts: Iterable[int] | None, read: Sequence[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Stretches of text that end in a company suffix: only there can a name end.

    Windows within ``_WINDOW`` characters of each other are joined (a window's end decides
    what the name regex sees, so they stay as they were); only the start of each joined
    window is moved up to where the first name in it can begin (``_name_floor``).
    """
    suffixes = (
        _ANY_SUFFIX.finditer(text) if suffix_starts is None else _suffixes_at(text, suffix_starts)
    )
    windows: list[tuple[int, int]] = []
    for count, suffix in enumerate(suffixes):
        if count >= _MAX_SUFFIXES:
            break
        start = suffix.start()
        if read and _starts_in(start, read):
            continue
        low, high = max(0, start - _WINDOW), suffix.end() + 12
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((_name_floor(text, start), high))
    return windows


def _starts_in(position: int, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether ``position`` is in one of the (start, end) ``spans``."""
    for low, high in spans:  # noqa: SIM110 - a plain loop: any() over a generator costs more
        if low <= position < high:
            return True
    return False


def _names(windows: list[tuple[int, int]], text: str) -> Iterator[re.Match[str]]:
    """Name matches, in order, each once, scanning only near company suffixes."""
    last = -1
    for low, high in windows:
        for match in _NAME.finditer(text, max(low, last), high):
            if match.start() >= last:
                last = match.end()
                yield match


def from_suffixed_names(
    text: str,
    cues: Cues,
    suffix_starts: Iterable[int] | None = None,
    read: Sequence[tuple[int, int]] = (),
) -> Iterator[RawParty]:
    """Names ending in a company suffix, in order, without a role.

    ``text`` is what names are read from: ``cues.text``, or the same with some characters
    blanked (offsets kept); ``cues`` says whether it speaks of an IP matter.
    ``suffix_starts``, when given, holds every position where a company suffix may start (the
    phrase scan's cue hits): the text is then not scanned for suffixes again. ``read``: the
    spans the list and caption readers took their parties from; a suffix there ends a name
    they have read already, and reading it again gave junk such as "2020. Plaintiff X Inc."
    or "China and X LLC".
    """
    if not cues.mentions(_IP_MATTER):
        return
    windows = _windows(text, suffix_starts, read)
    if not windows:
        return
    captions = [m.span() for m in SCHEDULE_A.finditer(text)] if "chedule" in text else []
    for count, match in enumerate(_names(windows, text)):
        if count >= _MAX_NAMES:
            return
        if captions and _starts_in(match.start(), captions):
            continue  # "… Corporations, Limited Liability Companies …" of a Schedule A caption
        leading = _LEADING_WORDS.match(match.group(0))
        start = match.start() + (leading.end() if leading else 0)
        start += court_prefix_end(text[start : match.end()])
        name = clean_name(text[start : match.end()])
        if name and not _NOT_FIRMS.match(name):
            yield RawParty(name, _stated_role(text, start, match.end()), None, (start, match.end()))


def _stated_role(text: str, start: int, end: int) -> str | None:
    """The role running text gives a name in PTAB language: "on a petition by X" and "X filed
    a petition" (petitioner), "a patent owned by X" (patent owner); else None."""
    before = text[max(0, start - 40) : start]
    if _PETITION_BY.search(before) or _PETITION_AFTER.match(text, end):
        return "petitioner"
    if _OWNED_BY.search(text, max(0, start - _PATENT_BEFORE), start):
        return "patent_owner"
    return None
