"""Snippets for the embedded index, cut from the original text (never the segmented copy).

FTS5's ``highlight()`` runs over the indexed text, where Chinese is split into spaced words.
It is used only to learn which *words* matched (which knows about stemming); the marks are
then placed on the original text, with Chinese clauses marked where they occur as written.
"""

from __future__ import annotations

import html
import re

from search.results import SNIPPET_CHARS
from search.text import WORD
from tagger.segment import has_cjk

MARK_OPEN, MARK_CLOSE = "\x02", "\x03"
_MARKED = re.compile(f"{MARK_OPEN}(.*?){MARK_CLOSE}", re.DOTALL)
_SPACES = re.compile(r"\s+")
_CONTEXT_BEFORE = 40

Span = tuple[int, int]


def marked_words(highlighted: str) -> set[str]:
    """The non-Chinese strings FTS5 marked in one field (whitespace collapsed)."""
    words = {_SPACES.sub(" ", m).strip() for m in _MARKED.findall(highlighted)}
    return {w for w in words if w and not has_cjk(w)}


def highlight_field(
    text: str, words: set[str], cjk_terms: list[str], whole: bool, collapsed: bool = False
) -> str:
    """HTML for a field with the matches marked, or "" when nothing matched.

    Args:
        text: The original field text.
        words: Matched non-Chinese strings (from ``marked_words``).
        cjk_terms: Chinese clauses of the query, marked wherever they occur.
        whole: Return the whole field (titles) rather than a window around the first match.
        collapsed: ``text`` has its whitespace collapsed already (not done again).
    """
    if not collapsed:
        text = " ".join(text.split())  # as ``_SPACES.sub(" ", text).strip()``, in one C pass
    spans = _merge(_word_spans(text, words) + _cjk_spans(text, cjk_terms))
    if not spans:
        return ""
    if whole:
        return _render(text, spans)
    start = _window_start(text, spans[0][0])
    end = min(len(text), start + SNIPPET_CHARS)
    inside = [(s, min(e, end)) for s, e in spans if s < end]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + _render(text, inside, start, end) + suffix


def _window_start(text: str, first_match: int) -> int:
    """Some context before the first match, starting at a word when there are spaces."""
    start = max(0, first_match - _CONTEXT_BEFORE)
    if start > 0 and not text[start - 1].isspace():
        space = text.find(" ", start, first_match)
        start = space + 1 if space >= 0 else start
    return start


def _word_spans(text: str, words: set[str]) -> list[Span]:
    if not words:
        return []
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    pattern = re.compile(alternatives, re.IGNORECASE)
    return [
        m.span()
        for m in pattern.finditer(text)
        if WORD.search(m.group()) and _stands_alone(text, m.start(), m.end())
    ]


def _stands_alone(text: str, start: int, end: int) -> bool:
    """Whether a match is a whole word: no letter or digit glued on (Chinese may be)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not (_joins(before) or _joins(after))


def _joins(char: str) -> bool:
    return char.isalnum() and not has_cjk(char)


def _cjk_spans(text: str, terms: list[str]) -> list[Span]:
    spans: list[Span] = []
    for term in terms:
        start = text.find(term)
        while start >= 0:
            spans.append((start, start + len(term)))
            start = text.find(term, start + 1)
    return spans


def _merge(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _render(text: str, spans: list[Span], start: int = 0, end: int | None = None) -> str:
    end = len(text) if end is None else end
    out: list[str] = []
    position = start
    for span_start, span_end in spans:
        span_start = max(span_start, start)
        out.append(html.escape(text[position:span_start], quote=False))
        out.append(f"<mark>{html.escape(text[span_start:span_end], quote=False)}</mark>")
        position = span_end
    out.append(html.escape(text[position:end], quote=False))
    return "".join(out)
