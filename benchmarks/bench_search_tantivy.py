"""A tantivy candidate for the embedded backend, measured against FTS5 by bench_search.py.

Same segmentation as the FTS5 index (``tagger.segment.segment_for_index``), same query
reading (``SearchQuery.clauses``), same facets (terms aggregations over fast fields), same
snippet code (``search.snippets.highlight_field`` over the stored originals, for the page
only). Not a backend yet: long Chinese clauses match as all their bigrams without the exact
substring check FTS5 adds, and the party/case-reference substring filters are not built.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import tantivy

from search.builder import FACETS, TEXT_FIELDS, date_bounds, keyword_filters
from search.query import SearchQuery
from search.snippets import highlight_field
from tagger.segment import segment_for_index

KEYWORDS = ("jurisdictions", "chains", "kind", "ip_types", "source", "month", "provinces",
            "cities")  # fmt: skip


def schema() -> tantivy.Schema:
    """Text fields stemmed like FTS5's porter tokenizer; keyword fields raw and fast."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    for name, _ in TEXT_FIELDS:
        builder.add_text_field(name, stored=False, tokenizer_name="en_stem")
    builder.add_text_field("stored", stored=True, index_option="basic", tokenizer_name="raw")
    for name in KEYWORDS:
        builder.add_text_field(name, stored=False, tokenizer_name="raw", fast=True)
    builder.add_integer_field("published_ts", stored=False, indexed=True, fast=True)
    builder.add_boolean_field("chinese_party", stored=False, indexed=True, fast=True)
    return builder.build()


class TantivyIndex:
    """One tantivy index in a directory."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.schema = schema()
        self.index: Any = None

    def build(self, docs: Iterable[dict[str, Any]], heap: int = 200_000_000) -> int:
        """Index ``docs`` from scratch; returns the count."""
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True)
        self.index = tantivy.Index(self.schema, path=str(self.path))
        writer = self.index.writer(heap_size=heap, num_threads=1)
        count = 0
        for doc in docs:
            writer.add_document(self._document(doc))
            count += 1
        writer.commit()
        writer.wait_merging_threads()
        self.index.reload()
        return count

    def open(self) -> None:
        """Open an existing index."""
        self.index = tantivy.Index.open(str(self.path))

    def _document(self, doc: dict[str, Any]) -> tantivy.Document:
        out = tantivy.Document()
        out.add_text("id", doc["id"])
        for name, _ in TEXT_FIELDS:
            out.add_text(name, segment_for_index(doc[name]))
        keep = {k: doc[k] for k in ("id", "title", "summary", "body", "lead", "source", "kind")}
        out.add_text("stored", json.dumps(keep, ensure_ascii=False))
        for name in KEYWORDS:
            value = doc.get(name)
            for v in value if isinstance(value, list) else [value] if value else []:
                out.add_text(name, str(v))
        out.add_integer("published_ts", _ts(doc["published_at"]))
        out.add_boolean("chinese_party", bool(doc["chinese_party"]))
        return out

    def search(self, query: SearchQuery) -> dict[str, Any]:
        """One page of hits with snippets, the total and the six facets."""
        searcher = self.index.searcher()
        tq = self._query(query)
        if query.effective_sort() == "relevance":
            result = searcher.search(tq, limit=query.limit + 1)
        else:
            result = searcher.search(tq, limit=query.limit + 1, order_by_field="published_ts")
        aggs = {f.name: {"terms": {"field": f.field, "size": f.size}} for f in FACETS}
        facets = searcher.aggregate(tq, aggs)
        words = {t for c in query.clauses() if not c.cjk for t in c.text.split()}
        cjk = [c.text for c in query.clauses() if c.cjk]
        hits = []
        for _, address in result.hits[: query.limit]:
            stored = json.loads(searcher.doc(address)["stored"][0])
            snippet = ""
            for name in ("title", "summary", "body"):
                snippet = highlight_field(stored[name], words, cjk, whole=name == "title")
                if snippet:
                    break
            hits.append({"id": stored["id"], "title": stored["title"], "snippet": snippet})
        return {"hits": hits, "total": result.count, "facets": facets}

    def _query(self, query: SearchQuery) -> tantivy.Query:
        schema = self.schema
        occur = tantivy.Occur
        must: list[tuple[Any, tantivy.Query]] = []
        for clause in query.clauses():
            per_field = []
            for name, weight in TEXT_FIELDS:
                if clause.cjk and len(clause.text) > 2:
                    grams = dict.fromkeys(
                        clause.text[i : i + 2] for i in range(len(clause.text) - 1)
                    )
                    inner = tantivy.Query.boolean_query(
                        [(occur.Must, tantivy.Query.term_query(schema, name, g)) for g in grams]
                    )
                else:
                    words = clause.text.split() if not clause.cjk else [clause.text]
                    if len(words) == 1:
                        inner = self.index.parse_query(_quoted(words[0]), [name])
                    else:
                        inner = self.index.parse_query(_quoted(" ".join(words)), [name])
                per_field.append((occur.Should, tantivy.Query.boost_query(inner, weight)))
            must.append((occur.Must, tantivy.Query.boolean_query(per_field)))
        for name, values in keyword_filters(query):
            filt = tantivy.Query.term_set_query(schema, name, values)
            must.append((occur.Must, tantivy.Query.const_score_query(filt, 0.0)))
        start, end = date_bounds(query)
        if start is not None or end is not None:
            rq = tantivy.Query.range_query(
                schema, "published_ts", tantivy.FieldType.Integer,
                start if start is not None else -(2**62), (end - 1) if end else 2**62,
            )  # fmt: skip
            must.append((occur.Must, tantivy.Query.const_score_query(rq, 0.0)))
        if query.chinese_party is not None:
            cq = tantivy.Query.term_query(schema, "chinese_party", query.chinese_party)
            must.append((occur.Must, tantivy.Query.const_score_query(cq, 0.0)))
        if not must:
            return tantivy.Query.all_query()
        return tantivy.Query.boolean_query(must)


def _quoted(text: str) -> str:
    return '"' + text.replace('"', " ").replace("\\", " ") + '"'


def _ts(published_at: str | None) -> int:
    from datetime import datetime

    if not published_at:
        return -(2**62)
    return int(datetime.fromisoformat(published_at.replace("Z", "+00:00")).timestamp() * 1000)
