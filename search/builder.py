"""The one query builder: a ``SearchQuery`` as an engine request (Elasticsearch/OpenSearch DSL)
and as the pieces of an SQLite FTS5 query, with the same meaning.

Shared semantics (the contract tests hold both backends to it):

- every text clause (``search.text``) must match within one of title, summary or body: a word
  clause as a phrase, a CJK clause as its exact characters;
- keyword filters match any of their values, and all filters must match;
- ``since``/``until`` are whole UTC days, inclusive; items without a date never match them;
- party and case-reference filters are case-insensitive substrings;
- facets count items over the whole filtered set: top ``size`` values by count then value,
  months newest first;
- order: relevance (then id) or publication date newest first, undated last (then id).
"""

from __future__ import annotations

import hashlib
import operator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from search.query import CursorValue, SearchQuery
from search.results import SNIPPET_CHARS
from search.text import AnyOf, Clause, Term, flatten

TEXT_FIELDS: tuple[tuple[str, float], ...] = (("title", 3.0), ("summary", 2.0), ("body", 1.0))
_VALUE = operator.itemgetter(0)  # of a (facet value, count) pair
_COUNT = operator.itemgetter(1)


@dataclass(frozen=True)
class Facet:
    """A facet: its name in results, the document field it counts, and how many values."""

    name: str
    field: str
    size: int
    newest_first: bool = False

    def top(self, counts: list[tuple[str, int]]) -> dict[str, int]:
        """The facet's ``size`` values in result order: newest first for months, otherwise by
        count, then by value (UTF-8 bytes, as the engines sort them: the order of code points,
        which Python compares strings by).

        Two stable sorts by one key each (value, then count descending, equal counts keeping
        value order): half the time of one sort by a composite key, for hundreds of values.
        """
        counts.sort(key=_VALUE, reverse=self.newest_first)
        if not self.newest_first:
            counts.sort(key=_COUNT, reverse=True)
        return dict(counts[: self.size])


FACETS = (
    Facet("jurisdiction", "jurisdictions", 250),
    Facet("chain", "chains", 200),
    Facet("kind", "kind", 20),
    Facet("ip_type", "ip_types", 20),
    Facet("source", "source", 500),
    Facet("month", "month", 240, newest_first=True),
)

# Fields the any-of keyword filters apply to (``keyword_filters`` yields these).
KEYWORD_FIELDS = ("jurisdictions", "chains", "kind", "ip_types", "source", "provinces", "cities")

# Fields whose values the embedded index keeps as rows (facets and filters).
TERM_FIELDS = (
    *(f.field for f in FACETS),
    "provinces",
    "cities",
    "party_names_folded",
    "case_refs_folded",
)


def keyword_filters(query: SearchQuery) -> list[tuple[str, list[str]]]:
    """The any-of keyword filters as ``(document field, values)``, empty ones left out."""
    pairs = [
        ("jurisdictions", query.jurisdictions),
        ("chains", query.chains),
        ("kind", [k.value for k in query.kinds]),
        ("ip_types", query.ip_types),
        ("source", query.sources),
        ("provinces", [query.province] if query.province else []),
        ("cities", [query.city] if query.city else []),
    ]
    return [(name, values) for name, values in pairs if values]


def date_bounds(query: SearchQuery) -> tuple[int | None, int | None]:
    """``since`` and the day after ``until`` as epoch milliseconds (UTC), when set."""
    start = _epoch_ms(query.since) if query.since else None
    end = _epoch_ms(query.until + timedelta(days=1)) if query.until else None
    return start, end


def _epoch_ms(day: date) -> int:
    return int(datetime.combine(day, time.min, tzinfo=UTC).timestamp() * 1000)


# --- Elasticsearch / OpenSearch -------------------------------------------------------------

HIT_SOURCE_FIELDS = [
    "id", "title", "lead", "published_at", "source", "kind", "jurisdictions", "chains", "url",
    "language",
]  # fmt: skip


def build_engine_request(query: SearchQuery) -> dict[str, Any]:
    """The search request body for Elasticsearch or OpenSearch (one page plus one hit)."""
    clauses = query.clauses()
    body: dict[str, Any] = {
        "query": {
            "bool": {
                "must": [_engine_term(t) for t in clauses] or [{"match_all": {}}],
                "filter": _engine_filters(query),
            }
        },
        "sort": _engine_sort(query),
        "size": query.limit + 1,
        "track_total_hits": True,
        "aggs": {facet.name: _engine_facet(facet) for facet in FACETS},
        "_source": HIT_SOURCE_FIELDS,
    }
    if clauses:
        body["highlight"] = _engine_highlight()
    after = query.search_after()
    if after is not None:
        body["search_after"] = after
    return body


def _engine_term(term: Term) -> dict[str, Any]:
    """A clause, or a glossary term: any one of its options (each all of its clauses)."""
    if isinstance(term, Clause):
        return _engine_clause(term)
    options = [
        _engine_clause(o[0]) if len(o) == 1 else {"bool": {"must": [_engine_clause(c) for c in o]}}
        for o in term.options
    ]
    return {"bool": {"should": options, "minimum_should_match": 1}}


def _engine_clause(clause: Clause) -> dict[str, Any]:
    fields = [f"{name}^{weight:g}" for name, weight in TEXT_FIELDS]
    return {"multi_match": {"query": clause.text, "type": "phrase", "fields": fields}}


def _engine_filters(query: SearchQuery) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = [
        {"terms": {name: values}} for name, values in keyword_filters(query)
    ]
    start, end = date_bounds(query)
    if start is not None or end is not None:
        bounds = {k: v for k, v in (("gte", start), ("lt", end)) if v is not None}
        filters.append({"range": {"published_at": {**bounds, "format": "epoch_millis"}}})
    if query.chinese_party is not None:
        filters.append({"term": {"chinese_party": query.chinese_party}})
    for name, value in (
        ("party_names_folded", query.party_folded()),
        ("case_refs_folded", query.case_ref_folded()),
    ):
        if value:
            filters.append({"wildcard": {name: {"value": f"*{_wildcard_escape(value)}*"}}})
    return filters


def _wildcard_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("*", "\\*").replace("?", "\\?")


def _engine_sort(query: SearchQuery) -> list[Any]:
    if query.effective_sort() == "relevance":
        return [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
    return [
        {"published_at": {"order": "desc", "missing": "_last"}},
        {"id": {"order": "asc"}},
    ]


def _engine_facet(facet: Facet) -> dict[str, Any]:
    order = [{"_key": "desc"}] if facet.newest_first else [{"_count": "desc"}, {"_key": "asc"}]
    return {"terms": {"field": facet.field, "size": facet.size, "order": order}}


def _engine_highlight() -> dict[str, Any]:
    passage = {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1, "no_match_size": 0}
    return {
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "encoder": "html",
        "require_field_match": True,
        "fields": {"title": {"number_of_fragments": 0}, "summary": passage, "body": passage},
    }


# --- SQLite FTS5 ----------------------------------------------------------------------------

FTS_TEXT_COLUMNS = "{title summary body}"
FTS_FILTER_COLUMN = "tags"
MISSING_TS = -(2**63)


def filter_token(field_name: str, value: str) -> str:
    """The FTS token standing for ``field = value`` (digits only: no tokenizer or stemmer
    changes it, and no value can collide with FTS syntax)."""
    digest = hashlib.blake2b(f"{field_name}\x00{value}".encode(), digest_size=8).digest()
    return str(int.from_bytes(digest, "big"))


def fts_string(text: str) -> str:
    """An FTS5 string literal: a phrase of the tokens in ``text``, never an operator."""
    return '"' + text.replace('"', '""') + '"'


@dataclass
class FtsQuery:
    """A ``SearchQuery`` as the parts of an FTS5/SQL query.

    Attributes:
        match: The full MATCH expression (text clauses and keyword filters), or None.
        text_match: The MATCH expression of the text clauses alone (for highlighting).
        conditions: SQL conditions on ``d`` (the documents table); ``{terms}`` is the
            table of term rows.
        params: Parameters of ``conditions``, in order.
        order_by: ORDER BY over ``h`` (the hits: ``rank``, ``ts``, ``id``).
        after: Cursor condition over ``h`` and its parameters, or None.
        cjk_terms: Chinese clauses, to mark in snippets.
    """

    match: str | None
    text_match: str | None
    conditions: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)
    order_by: str = "h.rank, h.id"
    after: tuple[str, list[CursorValue]] | None = None
    cjk_terms: list[str] = field(default_factory=list)


def build_fts_query(query: SearchQuery) -> FtsQuery:
    """The FTS5 expression and SQL conditions for a query."""
    clauses = query.clauses()
    text_parts = [_fts_term(t) for t in clauses]
    filter_parts = [
        f"{FTS_FILTER_COLUMN} : ({' OR '.join(fts_string(filter_token(n, v)) for v in values)})"
        for n, values in keyword_filters(query)
    ]
    parts = text_parts + filter_parts
    plan = FtsQuery(
        match=" AND ".join(parts) if parts else None,
        text_match=" AND ".join(text_parts) if text_parts else None,
        cjk_terms=[c.text for c in flatten(clauses) if c.cjk],
    )
    for term in clauses:
        if isinstance(term, AnyOf):
            _add_any_of(term, plan)
        elif term.cjk and len(term.text) > 2:
            plan.conditions.append(_FTS_LITERAL)
            plan.params.extend([term.text] * len(TEXT_FIELDS))
    _add_sql_filters(query, plan)
    _add_order(query, plan)
    return plan


_FTS_LITERAL = "(" + " OR ".join(f"instr(d.{n}, ?) > 0" for n, _ in TEXT_FIELDS) + ")"
"""A long Chinese clause as written in some text field (its bigrams may match apart)."""


def _fts_term(term: Term) -> str:
    if isinstance(term, Clause):
        return _fts_clause(term)
    options = [" AND ".join(_fts_clause(c) for c in option) for option in term.options]
    return "(" + " OR ".join(f"({o})" for o in options) + ")"


def _add_any_of(term: AnyOf, plan: FtsQuery) -> None:
    """The condition that one option matches as a whole, when an option holds a long Chinese
    clause (its bigrams, which the MATCH reads, may match apart): some option both matches
    by itself and holds its long Chinese clauses as written."""
    if not any(c.cjk and len(c.text) > 2 for option in term.options for c in option):
        return
    parts = []
    for option in term.options:
        part = ["d.rowid IN (SELECT rowid FROM {fts} WHERE {fts} MATCH ?)"]
        plan.params.append(" AND ".join(_fts_clause(c) for c in option))
        for clause in option:
            if clause.cjk and len(clause.text) > 2:
                part.append(_FTS_LITERAL)
                plan.params.extend([clause.text] * len(TEXT_FIELDS))
        parts.append("(" + " AND ".join(part) + ")")
    plan.conditions.append("(" + " OR ".join(parts) + ")")


def _fts_clause(clause: Clause) -> str:
    """A clause as FTS5: a phrase; long CJK words as their bigrams (checked exactly in SQL)."""
    if clause.cjk and len(clause.text) > 2:
        bigrams = dict.fromkeys(clause.text[i : i + 2] for i in range(len(clause.text) - 1))
        return f"{FTS_TEXT_COLUMNS} : ({' AND '.join(fts_string(b) for b in bigrams)})"
    return f"{FTS_TEXT_COLUMNS} : {fts_string(clause.text)}"


def _add_sql_filters(query: SearchQuery, plan: FtsQuery) -> None:
    start, end = date_bounds(query)
    if start is not None:
        plan.conditions.append("d.published_ts >= ?")
        plan.params.append(start)
    if end is not None:
        plan.conditions.append("d.published_ts < ?")
        plan.params.append(end)
    if query.chinese_party is not None:
        plan.conditions.append("d.chinese_party = ?")
        plan.params.append(int(query.chinese_party))
    for name, value in (
        ("party_names_folded", query.party_folded()),
        ("case_refs_folded", query.case_ref_folded()),
    ):
        if value:
            plan.conditions.append(
                "EXISTS (SELECT 1 FROM {terms} t WHERE t.doc = d.rowid"
                " AND t.field = ? AND instr(t.value, ?) > 0)"
            )
            plan.params.extend([name, value])


def _add_order(query: SearchQuery, plan: FtsQuery) -> None:
    after = query.search_after()
    if query.effective_sort() == "relevance":
        plan.order_by = "h.rank ASC, h.id ASC"
        condition = "(h.rank > ? OR (h.rank = ? AND h.id > ?))"
    else:
        plan.order_by = "h.ts DESC, h.id ASC"
        condition = "(h.ts < ? OR (h.ts = ? AND h.id > ?))"
    if after is not None:
        plan.after = (condition, [after[0], after[0], after[1]])


def fts_rank_expression(table: str) -> str:
    """BM25 over the FTS table, title weighted highest and the filter column not at all."""
    weights = ", ".join(f"{w:.1f}" for _, w in TEXT_FIELDS)
    return f"bm25({table}, {weights}, 0.0)"
