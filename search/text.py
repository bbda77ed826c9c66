"""Free text to clauses: the one reading of a user's query that every backend executes.

The query is never handed to an engine's own query parser. It is cut into clauses, all of
which must match (in the title, the summary or the body):

- a *word clause* is one or more letters-and-digits tokens that must appear next to each
  other (``337-TA-1234`` is the tokens ``337 ta 1234``; ``"schedule a"`` in quotes likewise);
  punctuation and engine syntax (``* : ( ) AND``) are never operators, only separators or words;
- a *CJK clause* is a run of Chinese characters that must appear as written. Unquoted runs
  are split into words by ``tagger.segment.segment_query`` (苹果专利诉讼 → 苹果, 专利, 诉讼);
  one-character words inside a longer run (的, 和) are dropped; a quoted run stays whole.

With ``translate``, unquoted terms of the glossary ``synonyms.yml`` (Chinese and English
terms that mean the same to a searcher) become an ``AnyOf``: the user's own words, or any
other term of the group as a phrase. "锂电池" also finds "lithium-ion battery", "Section 337"
also finds "337调查": most items are in English, and a Chinese exporter searches in Chinese.
It is asked for, not the default: more matches cost more (every match is counted into the
facets), and the page offers it, naming the terms it would add (``glossary_matches``).
Terms are matched without accents ("Turkiye" is Türkiye, as the engines index both), and a
Chinese term only as whole words of the query's jieba segmentation (北美国家 is 北美 + 国家,
not 美国).

A translated search also leaves out the glossary's *fillers*, unquoted Chinese verbs and
function words (发起, 涉及, 关于 ...) that say how an exporter phrases a question, not what an
item must contain: "发起337调查" must find "Section 337 investigation", which no English item
words as 发起. Leaving out a required word only adds matches; the words left out are named
(``ignored_words``), and a query of fillers only keeps them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from tagger.segment import has_cjk, segment_query

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 32

WORD = re.compile(r"[^\W_]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_CJK_WORD = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


@dataclass(frozen=True)
class Clause:
    """One thing the text must contain.

    Attributes:
        text: For a word clause, its tokens joined by single spaces; for a CJK clause, the
            Chinese characters as written.
        cjk: Whether this is a CJK clause.
    """

    text: str
    cjk: bool

    @property
    def tokens(self) -> list[str]:
        """The word clause's tokens (the CJK clause as one token)."""
        return [self.text] if self.cjk else self.text.split(" ")


@dataclass(frozen=True)
class AnyOf:
    """A glossary term of the query: any one of its options must match.

    Attributes:
        options: Each a conjunction of clauses. The first is the user's own words (read as
            they would be without the glossary, so a glossary term never loses a match);
            the others are the group's other terms, each as a phrase.
    """

    options: tuple[tuple[Clause, ...], ...]


Term = Clause | AnyOf
"""What a query's text must contain: a clause, or one of several."""


def flatten(terms: list[Term]) -> list[Clause]:
    """Every clause the terms name, options included (what snippets mark where found)."""
    out: list[Clause] = []
    for term in terms:
        if isinstance(term, AnyOf):
            out.extend(c for option in term.options for c in option)
        else:
            out.append(term)
    return list(dict.fromkeys(out))


def normalise_query_text(q: str) -> str:
    """Fold full-width forms and typographic quotes, as the engines' analyzers would."""
    return unicodedata.normalize("NFKC", q).translate(_QUOTES).strip()


def parse_text(q: str, translate: bool = False) -> list[Term]:
    """The terms of a free-text query: clauses, and with ``translate`` glossary terms with
    their options (and without the glossary's fillers).

    Raises:
        ValueError: Unbalanced quotes, too long, nothing searchable, or only single
            Chinese characters. The message is meant for the user.
    """
    return list(_parsed(q, translate).terms)


def ignored_words(q: str, translate: bool = False) -> list[str]:
    """The words of ``q`` its search leaves out: with ``translate``, the glossary's fillers
    (发起, 涉及 ...) written unquoted, in order, without repeats; none without it.

    Raises:
        ValueError: As ``parse_text``.
    """
    return list(_parsed(q, translate).ignored)


def glossary_matches(q: str) -> list[tuple[str, tuple[str, ...]]]:
    """The unquoted glossary terms in ``q`` as written, each with the other terms of its
    group (what ``translate`` would also search for), in order, without repeats."""
    text = normalise_query_text(q)
    _, _, groups = _glossary()
    found: dict[str, tuple[str, ...]] = {}
    for part in text.split('"')[::2]:
        for start, end, key in _glossary_spans(part):
            written = part[start:end]
            own = _glossary_key(written)
            found.setdefault(written, tuple(t for t in groups[key] if _glossary_key(t) != own))
    return list(found.items())


@dataclass(frozen=True)
class _Reading:
    """A query's terms, and the words it leaves out (``ignored_words``)."""

    terms: tuple[Term, ...]
    ignored: tuple[str, ...] = ()


@lru_cache(maxsize=1024)
def _parsed(q: str, translate: bool) -> _Reading:
    """``parse_text``'s clauses, kept for recent queries: a search reads them to build its
    query and again to mark its snippets, and the next page and facet links repeat the text
    (segmenting Chinese is the costly part). Errors are not kept; they are raised again."""
    return _parse(q, translate)


def _parse(q: str, translate: bool) -> _Reading:
    text = normalise_query_text(q)
    if len(text) > MAX_QUERY_CHARS:
        raise ValueError(f"the query is longer than {MAX_QUERY_CHARS} characters")
    if not text:
        return _Reading(())
    if text.count('"') % 2:
        raise ValueError("the query has an unbalanced quote")
    read: list[tuple[Term, bool]] = []  # each term, and whether it is a filler to leave out
    for index, part in enumerate(text.split('"')):
        if index % 2:
            read.extend((t, False) for t in _quoted_clauses(part))
        elif translate:
            read.extend((t, _is_filler(t)) for t in _glossary_terms(part))
        else:
            read.extend((t, False) for t in _free_clauses(part))
    kept = [t for t, filler in read if not filler]
    if not kept:  # fillers only: searched as written rather than refused
        kept = [t for t, _ in read]
    terms = list(dict.fromkeys(kept))
    _check_clauses(terms)
    left_out = (t.text for t, filler in read if filler and isinstance(t, Clause) and t not in terms)
    return _Reading(tuple(terms), tuple(dict.fromkeys(left_out)))


def _is_filler(term: Term) -> bool:
    return isinstance(term, Clause) and term.cjk and term.text in fillers()


def _check_clauses(terms: list[Term]) -> None:
    if not terms:
        raise ValueError("the query has no searchable words")
    if len(terms) > MAX_CLAUSES:
        raise ValueError(f"the query has more than {MAX_CLAUSES} terms")
    if all(isinstance(t, Clause) and t.cjk and len(t.text) == 1 for t in terms):
        raise ValueError("single Chinese characters are too short to search; use two or more")


def _glossary_terms(part: str) -> list[Term]:
    """An unquoted part's terms: its glossary terms as ``AnyOf``, the text around them as
    clauses (one-character Chinese words left between glossary terms are dropped, as inside
    any longer run)."""
    _, _, groups = _glossary()
    terms: list[Term] = []
    last, found = 0, False
    for start, end, key in _glossary_spans(part):
        terms.extend(_free_clauses(part[last:start]))
        own = tuple(_free_clauses(part[start:end]))
        others = [tuple(_quoted_clauses(t)) for t in groups[key]]
        options = _fewest(list(dict.fromkeys(o for o in [own, *others] if o)))
        terms.append(AnyOf(options) if len(options) > 1 else options[0][0])
        last, found = end, True
    rest = _free_clauses(part[last:])
    if not found:
        return list(rest)
    terms.extend(rest)
    return [t for t in terms if not (isinstance(t, Clause) and t.cjk and len(t.text) == 1)]


def _fewest(options: list[tuple[Clause, ...]]) -> tuple[tuple[Clause, ...], ...]:
    """The options without those that imply another ("section 337 investigation" implies
    "section 337": whatever it matches, the shorter matches too), which add cost and no
    match."""
    kept: list[tuple[Clause, ...]] = []
    for option in options:  # the user's own words first: kept when any option is
        if not any(_implies(option, other) for other in kept):
            kept = [other for other in kept if not _implies(other, option)] + [option]
    return tuple(o for o in options if o in kept)


def _implies(option: tuple[Clause, ...], other: tuple[Clause, ...]) -> bool:
    """Whether every text that holds ``option`` holds ``other``: each clause of ``other``
    lies within a clause of ``option`` (Chinese as a substring, words as a run of words)."""
    return all(any(_within(clause, mine) for mine in option) for clause in other)


def _within(clause: Clause, mine: Clause) -> bool:
    if clause.cjk or mine.cjk:
        return clause.cjk and mine.cjk and clause.text in mine.text
    # Accents folded as the engines index words: "Türkiye" and "Turkiye" match the same.
    inner = _fold_accents(clause.text).casefold().split(" ")
    outer = _fold_accents(mine.text).casefold().split(" ")
    return any(outer[i : i + len(inner)] == inner for i in range(len(outer) - len(inner) + 1))


def _glossary_spans(part: str) -> Iterator[tuple[int, int, str]]:
    """Where an unquoted part holds glossary terms: each term's start, end and key, in order.

    Terms are matched on the accent-folded text (``_fold_accents``), so "Dusseldorf" is read
    as "Düsseldorf" (the engines index both as one word). A Chinese term counts only as
    whole words of the part's jieba segmentation (``_split_words``): 北美国家 is 北美 + 国家
    and holds no 美国. Where the longest term at a place cuts a word, a shorter one ending
    sooner is tried (as the pattern tries shorter terms when an end fails)."""
    pattern, keys, _ = _glossary()
    folded = _fold_accents(part)
    split = _split_words(part)
    pos = 0
    while match := pattern.search(folded, pos):
        start, end = match.start(), match.end()
        while match and not (
            start not in split and match.end() not in split and _ENDS.match(folded, match.end())
        ):
            end = match.end() - 1
            match = pattern.match(folded, start, end) if end > start else None
        if match is None:
            pos = start + 1
            continue
        yield start, match.end(), keys[match.lastindex or 0]
        pos = match.end()


def _split_words(part: str) -> frozenset[int]:
    """The places inside the part's Chinese runs that fall inside a jieba word (the query's
    segmentation, ``segment_query``): a term starting or ending there cuts a word."""
    inside: set[int] = set()
    for run in _CJK_RUN.finditer(part):
        words = segment_query(run.group()) if len(run.group()) > 2 else [run.group()]
        if "".join(words) != run.group():  # not a segmentation of the run: cut nowhere
            continue
        offset = run.start()
        for word in words:
            inside.update(range(offset + 1, offset + len(word)))
            offset += len(word)
    return frozenset(inside)


def _fold_accents(text: str) -> str:
    """``text`` without accents (NFKD without combining marks, as the engines fold words to
    index them: "Düsseldorf" is "Dusseldorf"), one character for one, so that places in the
    folded text are places in ``text``."""
    return "".join(_fold_char(c) for c in text)


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    return base if len(base) == 1 else char


def _glossary_key(term: str) -> str:
    return " ".join(WORD.findall(_fold_accents(term).casefold()))


_GLOSSARY_FILE = "synonyms.yml"


@lru_cache(maxsize=1)
def _glossary_data() -> dict[str, Any]:
    text = resources.files("search").joinpath(_GLOSSARY_FILE).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


@lru_cache(maxsize=1)
def _glossary() -> tuple[re.Pattern[str], list[str], dict[str, tuple[str, ...]]]:
    """The glossary as one pattern over its terms (longest first: 临时禁令 before 禁令;
    English terms on word boundaries), each term's key by the number of its group in the
    pattern, and each key's glossary group.

    Raises:
        ValueError: A term in two groups or twice in one, or with nothing searchable.
    """
    groups: dict[str, tuple[str, ...]] = {}
    for group in _glossary_data()["groups"]:
        terms = tuple(normalise_query_text(str(t)) for t in group)
        if len({_glossary_key(t) for t in terms}) < len(terms):
            raise ValueError(f"{_GLOSSARY_FILE}: a term is repeated in {list(terms)}")
        for term in terms:
            key = _glossary_key(term)
            if not key or groups.get(key, terms) != terms:
                raise ValueError(f"{_GLOSSARY_FILE}: {term!r} is empty or in two groups")
            groups[key] = terms
    keys = sorted(groups, key=len, reverse=True)
    terms_pattern = "|".join(f"({_term_words(key)})" for key in keys)
    pattern = f"{_TERM_START}(?:{terms_pattern}){_TERM_END}"
    return re.compile(pattern, re.IGNORECASE), ["", *keys], groups


@lru_cache(maxsize=1)
def fillers() -> frozenset[str]:
    """The glossary's fillers: Chinese words of two or more characters (one-character words
    are left out of longer runs anyway) that are not glossary terms.

    Raises:
        ValueError: A filler that is not such a word; the file is data, checked on load.
    """
    _, _, groups = _glossary()
    words = frozenset(normalise_query_text(str(w)) for w in _glossary_data()["fillers"])
    for word in sorted(words):
        if not _CJK_WORD.fullmatch(word) or word in groups:
            raise ValueError(
                f"{_GLOSSARY_FILE}: filler {word!r} is not a Chinese word of two or more"
                " characters outside the glossary"
            )
    return words


def _term_words(key: str) -> str:
    """A term's words with any separators between them."""
    return r"[\W_]+".join(re.escape(word) for word in key.split(" "))


_LATIN_WORD_CHAR = r"[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"
"""A letter or digit that is not a Chinese character."""
_CJK_CHAR = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]"

# Around the terms, once (each range of Chinese characters costs the regex compiler a pass
# over thousands of characters: written per term, the glossary took seconds to compile). A
# term that starts in English (or a digit) must not continue another English word; a term
# that ends in English may take a plural ending and must not run into another English letter
# or digit; Chinese may follow or precede ("USITC临时禁令", "发起337调查"). A term starting
# (ending) in Chinese is free on that side. When the end fails, the next (shorter) term is
# tried, as if each term carried its own ends.
_TERM_START = rf"(?:(?<!{_LATIN_WORD_CHAR})|(?={_CJK_CHAR}))"
_TERM_END = rf"(?:(?<={_CJK_CHAR})|(?:e?s)?(?!{_LATIN_WORD_CHAR}))"
_ENDS = re.compile(rf"(?<={_CJK_CHAR})|(?!{_LATIN_WORD_CHAR})")
"""Whether a term's end is a place a term may end (``_TERM_END`` without the plural): a
shorter term is tried with the text cut short, which would hide a letter that follows."""


def _free_clauses(part: str) -> list[Clause]:
    clauses: list[Clause] = []
    for chunk in part.split():
        for piece in _CJK_RUN.split(chunk):
            clauses.extend(_word_clauses(piece))
        for run in _CJK_RUN.findall(chunk):
            clauses.extend(Clause(word, cjk=True) for word in _run_words(run))
    return clauses


def _quoted_clauses(part: str) -> list[Clause]:
    clauses: list[Clause] = []
    for piece in _CJK_RUN.split(part):
        clauses.extend(_word_clauses(piece))
    clauses.extend(Clause(run, cjk=True) for run in _CJK_RUN.findall(part))
    return clauses


def _word_clauses(piece: str) -> list[Clause]:
    tokens = WORD.findall(piece)
    return [Clause(" ".join(tokens), cjk=False)] if tokens else []


def _run_words(run: str) -> list[str]:
    """The words a Chinese run must contain: jieba words, minus one-character fillers."""
    if len(run) == 1:
        return [run]
    longer = [w for w in segment_query(run) if has_cjk(w) and len(w) > 1]
    return longer or [run]
