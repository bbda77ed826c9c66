"""A ``SearchQuery`` as a tantivy query, with the meaning ``search.builder`` states.

No user text reaches tantivy's query parser: clauses (``search.text``) become term and phrase
queries built from the analyzer's own tokens, filters become term-set, range and regex
queries. Also: which words of a stored text a query matched, for snippets.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import tantivy

from search._tantivy_schema import (
    GRAM,
    LONG_GRAM,
    TEXT_FIELD,
    build_schema,
    gram_field,
    grams,
    token,
)
from search.builder import MISSING_TS, date_bounds, keyword_filters
from search.errors import BadQuery
from search.query import SearchQuery
from search.text import Clause, Term

Occur = tantivy.Occur
# ``text.WORD`` runs without Chinese characters: the words of a text whose Chinese runs were
# blanked out, found in one pass over the text itself.
_NON_CJK_WORD = re.compile(r"[^\W_\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_REGEX_META = frozenset("\\.+*?()|[]{}^$#&-~")  # Rust's regex::escape set
_FEW_VALUES = 8  # filter values matched as term queries; more as a term set
_MAX_MONTH_TERMS = 12  # a date filter's whole months matched as terms (longer: one range)


def build_query(query: SearchQuery) -> tantivy.Query:
    """The whole query: every text clause and every filter must match."""
    must = [(Occur.Must, text_term(t)) for t in query.clauses()]
    must += [(Occur.Must, _filter(f)) for f in _filters(query)]
    if not must:
        return tantivy.Query.all_query()
    return tantivy.Query.boolean_query(must)


def text_term(term: Term) -> tantivy.Query:
    """A clause, or a glossary term: any one of its options (each all of its clauses)."""
    if isinstance(term, Clause):
        return text_clause(term)
    return tantivy.Query.boolean_query([(Occur.Should, _all_of(o)) for o in term.options])


def _all_of(option: tuple[Clause, ...]) -> tantivy.Query:
    if len(option) == 1:
        return text_clause(option[0])
    return tantivy.Query.boolean_query([(Occur.Must, text_clause(c)) for c in option])


def text_clause(clause: Clause) -> tantivy.Query:
    """One clause in title, summary or body: one term or phrase query on the combined field
    (``_tantivy_schema.TEXT_FIELD``, each text repeated as often as its weight), so that it
    scores as BM25 over weighted term frequencies, as FTS5's ``bm25()`` with column weights.

    One posting list per clause (not a union over three fields) lets an intersection with
    the other clauses and the filters skip along it.
    """
    schema = build_schema()
    if clause.cjk and len(clause.text) >= GRAM:
        size = GRAM if len(clause.text) == GRAM else LONG_GRAM
        if len(clause.text) == size:
            return tantivy.Query.term_query(schema, gram_field(TEXT_FIELD, size), clause.text)
        phrase: list[str | tuple[int, str]] = list(grams(clause.text, size))
        return tantivy.Query.phrase_query(schema, gram_field(TEXT_FIELD, size), phrase)
    tokens = analyze(clause.text)
    if not tokens:
        return tantivy.Query.empty_query()
    if len(tokens) == 1:
        return tantivy.Query.term_query(schema, TEXT_FIELD, tokens[0])
    words: list[str | tuple[int, str]] = list(tokens)
    return tantivy.Query.phrase_query(schema, TEXT_FIELD, words)


def _filters(query: SearchQuery) -> list[tantivy.Query]:
    schema = build_schema()
    found = [_any_of(schema, name, values) for name, values in keyword_filters(query)]
    start, end = date_bounds(query)
    if start is not None or end is not None:
        by_month = bool(query.q)  # only beside text clauses (see ``_date_filter``)
        found.append(_date_filter(query.since, query.until, start, end, by_month))
    if query.chinese_party is not None:
        found.append(tantivy.Query.term_query(schema, "chinese_party", query.chinese_party))
    for field, name, value in (
        ("party", "party_names_folded", query.party_folded()),
        ("case_ref", "case_refs_folded", query.case_ref_folded()),
    ):
        if value:
            found.append(_substring(schema, field, name, value))
    return found


def _substring(schema: tantivy.Schema, field: str, name: str, value: str) -> tantivy.Query:
    """Terms of ``name`` containing ``value``. The query model caps the value's length below
    what tantivy's regex compiler takes; should one still be refused, it is the request's
    fault, not the engine's."""
    try:
        return tantivy.Query.regex_query(schema, name, f".*{regex_escape(value)}.*")
    except ValueError:
        raise BadQuery(f"{field}: too long or complex to search for", field=field) from None


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


def _date_filter(
    since: date | None,
    until: date | None,
    start: int | None,
    end: int | None,
    by_month: bool,
) -> tantivy.Query:
    """Items published in ``[start, end)`` (epoch ms; undated items never match).

    With ``by_month``, a bounded range's whole calendar months (UTC) are matched as ``month``
    terms and only the partial months at its ends by ``published_ts``: intersected with
    common words, the months' posting lists cost less than the fast field's range (a year
    beside three words each in 40% of the items: a quarter less CPU per search at 200,000
    items), though a little more beside rare words (0.2-0.4 ms); without text, and for open
    ranges or ranges of more than ``_MAX_MONTH_TERMS`` months, one range.
    """
    lower = start if start is not None else MISSING_TS + 1
    if not by_month or since is None or until is None or start is None or end is None:
        return _ts_range(lower, end, include_upper=False)
    first = _month_start(since, 0 if since.day == 1 else 1)
    after = _month_start(until + timedelta(days=1), 0)  # the first month not wholly inside
    months: list[date] = []
    month = first
    while month < after and len(months) <= _MAX_MONTH_TERMS:
        months.append(month)
        month = _month_start(month, 1)
    if not months or len(months) > _MAX_MONTH_TERMS:
        return _ts_range(lower, end, include_upper=False)
    schema = build_schema()
    parts = [tantivy.Query.term_query(schema, "month", f"{m:%Y-%m}") for m in months]
    whole_from, whole_to = _midnight_ms(months[0]), _midnight_ms(_month_start(months[-1], 1))
    if lower < whole_from:
        parts.append(_ts_range(lower, whole_from, include_upper=False))
    if whole_to < end:
        parts.append(_ts_range(whole_to, end, include_upper=False))
    if len(parts) == 1:
        return parts[0]
    return tantivy.Query.boolean_query([(Occur.Should, part) for part in parts])


def _month_start(day: date, months_later: int) -> date:
    """The first day of the month ``months_later`` months after ``day``'s."""
    index = day.year * 12 + day.month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


def _midnight_ms(day: date) -> int:
    """Midnight UTC of ``day`` in epoch milliseconds."""
    return int(datetime.combine(day, time.min, tzinfo=UTC).timestamp() * 1000)


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


def in_month(query: tantivy.Query, month: str) -> tantivy.Query:
    """``query`` limited to items published in ``month`` ("YYYY-MM", UTC)."""
    within = tantivy.Query.term_query(build_schema(), "month", month)
    return tantivy.Query.boolean_query([(Occur.Must, query), (Occur.Must, _filter(within))])


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


def matched_words(
    text: str, phrases: list[list[str]], candidates: set[str] | None = None
) -> set[str]:
    """The non-Chinese strings in ``text`` (whitespace collapsed) that word clauses matched
    (``phrases``, from ``word_phrases``): single words by their stem, phrases as the whole
    stretch of text they cover. ``candidates``, when given, holds every word of ``text`` that
    may start a match (``StemPrefixes.candidates``); the others are not looked at."""
    if not phrases:
        return set()
    starts = {p[0] for p in phrases}
    if candidates is None:
        candidates = set(_NON_CJK_WORD.findall(text))
    present = {word for word in candidates if token(word) in starts}
    singles = {p[0] for p in phrases if len(p) == 1}
    found = {word for word in present if token(word) in singles}
    longer = [p for p in phrases if len(p) > 1]
    if not present or not longer:
        return found
    spans = [(m.start(), m.end(), m.group()) for m in _NON_CJK_WORD.finditer(text)]
    for index, (start, _, word) in enumerate(spans):
        if word in present:
            for phrase in longer:
                end = _phrase_end(spans, index, phrase)
                if end is not None:
                    found.add(text[start:end])
    return found


class StemPrefixes:
    """Finds, in one regex pass, the words of an ASCII text that may start a match of word
    clauses: a Porter stem differs from its word (lower-cased) at most in its last letter, so
    such a word begins with its first term's stem less that letter. Texts with other
    characters (Chinese, accents, which fold) are not narrowed."""

    def __init__(self, phrases: list[list[str]]) -> None:
        prefixes = sorted({phrase[0][:-1] for phrase in phrases}, key=len, reverse=True)
        alternatives = "|".join(re.escape(prefix) for prefix in prefixes)
        self._pattern = (
            re.compile(rf"(?<![^\W_])(?:{alternatives})[^\W_]*", re.IGNORECASE)
            if prefixes
            else None
        )
        # In an ASCII text, an ASCII prefix matches case-insensitively only where the
        # lower-cased text holds it: a substring test (in C) rules most texts out first.
        self._lowered = tuple(prefixes) if all(p.isascii() for p in prefixes) else None

    def candidates(self, text: str) -> set[str] | None:
        """The words of ``text`` that may start a match (maybe none), or None when ``text``
        is not ASCII (then every word may)."""
        if not text.isascii():
            return None
        if self._pattern is None:
            return set()
        if self._lowered is not None:
            lowered = text.lower()
            if not any(prefix in lowered for prefix in self._lowered):
                return set()
        return set(self._pattern.findall(text))


def _phrase_end(spans: list[tuple[int, int, str]], index: int, phrase: list[str]) -> int | None:
    window = spans[index : index + len(phrase)]
    if len(window) < len(phrase):
        return None
    for (_, _, word), term in zip(window, phrase, strict=True):
        if token(word) != term:
            return None
    return window[-1][1]
