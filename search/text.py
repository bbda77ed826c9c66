"""Free text to clauses: the one reading of a user's query that every backend executes.

The query is never handed to an engine's own query parser. It is cut into clauses, all of
which must match (in the title, the summary or the body):

- a *word clause* is one or more letters-and-digits tokens that must appear next to each
  other (``337-TA-1234`` is the tokens ``337 ta 1234``; ``"schedule a"`` in quotes likewise);
  punctuation and engine syntax (``* : ( ) AND``) are never operators, only separators or words;
- a *CJK clause* is a run of Chinese characters that must appear as written. Unquoted runs
  are split into words by ``tagger.segment.segment_query`` (苹果专利诉讼 → 苹果, 专利, 诉讼);
  one-character words inside a longer run (的, 和) are dropped; a quoted run stays whole.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from tagger.segment import has_cjk, segment_query

MAX_QUERY_CHARS = 500
MAX_CLAUSES = 32

WORD = re.compile(r"[^\W_]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
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


def normalise_query_text(q: str) -> str:
    """Fold full-width forms and typographic quotes, as the engines' analyzers would."""
    return unicodedata.normalize("NFKC", q).translate(_QUOTES).strip()


def parse_text(q: str) -> list[Clause]:
    """The clauses of a free-text query.

    Raises:
        ValueError: Unbalanced quotes, too long, nothing searchable, or only single
            Chinese characters. The message is meant for the user.
    """
    return list(_parsed(q))


@lru_cache(maxsize=1024)
def _parsed(q: str) -> tuple[Clause, ...]:
    """``parse_text``'s clauses, kept for recent queries: a search reads them to build its
    query and again to mark its snippets, and the next page and facet links repeat the text
    (segmenting Chinese is the costly part). Errors are not kept; they are raised again."""
    return tuple(_parse(q))


def _parse(q: str) -> list[Clause]:
    text = normalise_query_text(q)
    if len(text) > MAX_QUERY_CHARS:
        raise ValueError(f"the query is longer than {MAX_QUERY_CHARS} characters")
    if not text:
        return []
    if text.count('"') % 2:
        raise ValueError("the query has an unbalanced quote")
    clauses: list[Clause] = []
    for index, part in enumerate(text.split('"')):
        clauses.extend(_quoted_clauses(part) if index % 2 else _free_clauses(part))
    clauses = list(dict.fromkeys(clauses))
    _check_clauses(clauses)
    return clauses


def _check_clauses(clauses: list[Clause]) -> None:
    if not clauses:
        raise ValueError("the query has no searchable words")
    if len(clauses) > MAX_CLAUSES:
        raise ValueError(f"the query has more than {MAX_CLAUSES} terms")
    if all(c.cjk and len(c.text) == 1 for c in clauses):
        raise ValueError("single Chinese characters are too short to search; use two or more")


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
