"""A ``SearchQuery`` as a tantivy query, with the meaning ``search.builder`` states.

No user text reaches tantivy's query parser: clauses (``search.text``) become term and phrase
queries built from the analyzer's own tokens, filters become term-set, range and regex
queries. Also: which words of a stored text a query matched, for snippets.
"""

from __future__ import annotations

import re

import tantivy

from search._tantivy_schema import GRAM, LONG_GRAM, build_schema, gram_field, grams, token
from search.builder import MISSING_TS, TEXT_FIELDS, date_bounds, keyword_filters
from search.query import SearchQuery
from search.text import WORD, Clause

Occur = tantivy.Occur
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_REGEX_META = frozenset("\\.+*?()|[]{}^$#&-~")  # Rust's regex::escape set
_DIS_MAX_TIE = 0.0
_FEW_VALUES = 8  # filter values matched as term queries; more as a term set


def build_query(query: SearchQuery) -> tantivy.Query:
    """The whole query: every text clause and every filter must match."""
    must = [(Occur.Must, text_clause(c)) for c in query.clauses()]
    must += [(Occur.Must, _filter(f)) for f in _filters(query)]
    if not must:
        return tantivy.Query.all_query()
    return tantivy.Query.boolean_query(must)


def text_clause(clause: Clause) -> tantivy.Query:
    """One clause in any text field, best field scoring (as ``multi_match`` ``phrase``)."""
    per_field = []
    for name, weight in TEXT_FIELDS:
        inner = _field_clause(name, clause)
        per_field.append(tantivy.Query.boost_query(inner, weight))
    return tantivy.Query.disjunction_max_query(per_field, _DIS_MAX_TIE)


def _field_clause(name: str, clause: Clause) -> tantivy.Query:
    schema = build_schema()
    if clause.cjk and len(clause.text) >= GRAM:
        size = GRAM if len(clause.text) == GRAM else LONG_GRAM
        if len(clause.text) == size:
            return tantivy.Query.term_query(schema, gram_field(name, size), clause.text)
        phrase: list[str | tuple[int, str]] = list(grams(clause.text, size))
        return tantivy.Query.phrase_query(schema, gram_field(name, size), phrase)
    tokens = analyze(clause.text)
    if not tokens:
        return tantivy.Query.empty_query()
    if len(tokens) == 1:
        return tantivy.Query.term_query(schema, name, tokens[0])
    words: list[str | tuple[int, str]] = list(tokens)
    return tantivy.Query.phrase_query(schema, name, words)


def _filters(query: SearchQuery) -> list[tantivy.Query]:
    schema = build_schema()
    found = [_any_of(schema, name, values) for name, values in keyword_filters(query)]
    start, end = date_bounds(query)
    if start is not None or end is not None:
        lower = start if start is not None else MISSING_TS + 1
        found.append(_ts_range(lower, end, include_upper=False))
    if query.chinese_party is not None:
        found.append(tantivy.Query.term_query(schema, "chinese_party", query.chinese_party))
    for name, value in (
        ("party_names_folded", query.party_folded()),
        ("case_refs_folded", query.case_ref_folded()),
    ):
        if value:
            found.append(tantivy.Query.regex_query(schema, name, f".*{regex_escape(value)}.*"))
    return found


def _any_of(schema: tantivy.Schema, name: str, values: list[str]) -> tantivy.Query:
    """Documents with any of ``values`` in ``name``: a few as term queries over their posting
    lists, which an intersection can skip along (a term set first fills a bitset over every
    document holding a value); many as a term set."""
    if len(values) == 1:
        return tantivy.Query.term_query(schema, name, values[0])
    if len(values) <= _FEW_VALUES:
        terms = [(Occur.Should, tantivy.Query.term_query(schema, name, v)) for v in values]
        return tantivy.Query.boolean_query(terms)
    return tantivy.Query.term_set_query(schema, name, values)


def _filter(inner: tantivy.Query) -> tantivy.Query:
    return tantivy.Query.const_score_query(inner, 0.0)


def _ts_range(lower: int | None, upper: int | None, include_upper: bool) -> tantivy.Query:
    return tantivy.Query.range_query(
        build_schema(), "published_ts", tantivy.FieldType.Integer, lower, upper,
        include_upper=include_upper if upper is not None else True,
    )  # fmt: skip


def not_after(query: tantivy.Query, ts: int) -> tantivy.Query:
    """``query`` limited to items dated ``ts`` or earlier, and undated ones (date order)."""
    return tantivy.Query.boolean_query(
        [(Occur.Must, query), (Occur.Must, _filter(_ts_range(None, ts, include_upper=True)))]
    )


def regex_escape(value: str) -> str:
    """``value`` as a literal in tantivy's (Rust) regex syntax."""
    return "".join(f"\\{c}" if c in _REGEX_META else c for c in value)


def analyze(text: str) -> list[str]:
    """The terms the text fields index for a clause's words (lower-cased, folded, stemmed)."""
    return [t for t in (token(word) for word in text.split()) if t]


def word_phrases(clauses: list[Clause]) -> list[list[str]]:
    """The word clauses as the terms they match (what ``matched_words`` looks for)."""
    phrases = [analyze(c.text) for c in clauses if not c.cjk]
    return [p for p in phrases if p]


def matched_words(text: str, phrases: list[list[str]]) -> set[str]:
    """The non-Chinese strings in ``text`` (whitespace collapsed) that word clauses matched
    (``phrases``, from ``word_phrases``): single words by their stem, phrases as the whole
    stretch of text they cover."""
    if not phrases:
        return set()
    blanked = _CJK_RUN.sub(lambda m: " " * len(m.group()), text)
    starts = {p[0] for p in phrases}
    present = {word for word in set(WORD.findall(blanked)) if token(word) in starts}
    singles = {p[0] for p in phrases if len(p) == 1}
    found = {word for word in present if token(word) in singles}
    longer = [p for p in phrases if len(p) > 1]
    if not present or not longer:
        return found
    spans = [(m.start(), m.end(), m.group()) for m in WORD.finditer(blanked)]
    for index, (start, _, word) in enumerate(spans):
        if word in present:
            for phrase in longer:
                end = _phrase_end(spans, index, phrase)
                if end is not None:
                    found.add(text[start:end])
    return found


def _phrase_end(spans: list[tuple[int, int, str]], index: int, phrase: list[str]) -> int | None:
    window = spans[index : index + len(phrase)]
    if len(window) < len(phrase):
        return None
    for (_, _, word), term in zip(window, phrase, strict=True):
        if token(word) != term:
            return None
    return window[-1][1]
