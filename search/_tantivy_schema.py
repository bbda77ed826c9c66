"""The tantivy index's schema, analyzers and documents (see ``search.tantivy_``).

Text is read as the FTS5 backend reads it, in Python before tantivy sees it: Chinese runs are
segmented by ``tagger.segment.segment_for_index`` (jieba words plus character bigrams), and
words are lower-cased, stripped of diacritics and Porter-stemmed (PyStemmer's ``porter``, the
algorithm of FTS5's ``porter`` and Lucene's ``porter_stem``). A second, positional field holds
each Chinese run as its *ordered* character trigrams, and a third its ordered
4-grams, so that a Chinese term longer than two characters matches exactly where it occurs as
written (as a phrase of bigrams does on Elasticsearch's ``cjk_bigram``): three characters are
one trigram, four one 4-gram (a term query: no positions to read), longer terms a phrase of
their 4-grams. Longer grams are rarer, so these read short posting lists.

Title, summary and body are matched and scored in ONE multi-valued field (``TEXT_FIELD``, and
likewise one field per gram size) holding each text as often as its weight (``weight_repeats``:
title 3, summary 2, body 1), each repeat a separate value. tantivy leaves a position gap
between the values of a field, so a phrase never matches across the end of one value and the
start of the next (nor across the repeats). A clause is then one term or phrase query on one
field, which an intersection with the other clauses and filters skips along, instead of a
union over three fields per clause. Its score is BM25 over weighted term frequencies (a word
in the title counts three times); that is how SQLite FTS5's ``bm25()`` with column weights
scores (``fts5_aux.c``: the frequency of a phrase in a row is the sum, over its hits, of the
weight of the column holding each hit, and one BM25 term per phrase uses it). The length
normalisation differs: FTS5 uses the row's unweighted token count across all columns, this
field the weighted one (three times the title's tokens, twice the summary's, plus the body's).

Multi-valued facet fields (``SET_FACET_FIELDS``) also keep their values as one sorted,
joined string in a single-valued fast field (``set_field``): tantivy counts a single-valued
column several times faster than a multi-valued one, and the counts per value are the sums
over the sets holding it.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import datetime
from functools import lru_cache
from typing import Any

import orjson
import Stemmer
import tantivy

from search.builder import HIT_SOURCE_FIELDS, KEYWORD_FIELDS, MISSING_TS, TEXT_FIELDS
from search.document import Document
from search.text import WORD
from tagger.segment import segment_for_index

TEXT_ANALYZER = "iprw_text"
# The one field title, summary and body are matched in (see the module docstring).
TEXT_FIELD = "text"
GRAM_ANALYZER = "iprw_grams"
# Keyword fields kept as raw terms: filters (term sets), facets (fast-field aggregations).
KEYWORD_COLUMNS = (*KEYWORD_FIELDS, "month")
SUBSTRING_COLUMNS = ("party_names_folded", "case_refs_folded")
RUN_BREAK = "|"  # between Chinese runs: no trigram phrase spans two runs
GRAM = 3
LONG_GRAM = 4
# Facet fields that hold lists: counted from their value sets (``set_field``).
SET_FACET_FIELDS = ("jurisdictions", "chains", "ip_types")
SET_SEPARATOR = "\x1f"
MAX_TOKEN_BYTES = 255

# The id's first 48 UTF-8 bytes as six big-endian numbers: fast fields that order equal-score
# hits by id without reading stored documents (UTF-8 byte order is code-point order).
ID_KEY_FIELDS = tuple(f"id_key{i}" for i in range(6))
_ID_KEY_BYTES = 8 * len(ID_KEY_FIELDS)

# Relevance ties: tantivy multiplies each hit's score by ``log2(2 + tie)`` (``weight_by_field``),
# and ``tie`` is chosen so that this factor is ``1 + k * TIE_STEP`` for ``k`` in
# ``[0, TIE_LEVELS)`` from a hash of the id. Hits whose BM25 scores are equal (common: templated
# notices of the same length) then mostly differ, so a page cut rarely falls inside a large
# group of equal scores, which would have to be fetched whole to order it by id. The step is a
# few float32 ulps (scores are float32), so the factors stay distinct; at most it moves a hit
# past others whose scores differ by less than ``TIE_LEVELS * TIE_STEP`` (0.025%).
TIE_FIELD = "tie"
TIE_LEVELS = 1024
TIE_STEP = 2.0**-22

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def gram_field(name: str, size: int = GRAM) -> str:
    """The ordered-gram field (trigrams, or 4-grams) beside text field ``name``."""
    return f"{name}_cjk" if size == GRAM else f"{name}_cjk{size}"


@lru_cache(maxsize=1)
def weight_repeats() -> tuple[tuple[str, int], ...]:
    """Each text field and how many times ``TEXT_FIELD`` holds it (its whole-number weight).

    Raises:
        ValueError: A weight in ``TEXT_FIELDS`` is not a positive whole number.
    """
    if any(weight < 1 or weight != int(weight) for _, weight in TEXT_FIELDS):
        raise ValueError(f"text field weights must be positive whole numbers: {TEXT_FIELDS}")
    return tuple((name, int(weight)) for name, weight in TEXT_FIELDS)


def set_field(name: str) -> str:
    """The single-valued fast field holding a multi-valued facet field's values as one set."""
    return f"{name}_set"


def value_set(values: list[str]) -> str:
    """A list of facet values as one string: distinct, sorted, joined by ``SET_SEPARATOR``."""
    return SET_SEPARATOR.join(sorted(set(values)))


def text_analyzer() -> tantivy.TextAnalyzer:
    """Splits the pre-analysed text (``index_text``) at spaces; drops over-long terms."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace())
        .filter(tantivy.Filter.remove_long(MAX_TOKEN_BYTES + 1))
        .build()
    )


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("porter")


@lru_cache(maxsize=200_000)
def token(word: str) -> str:
    """A word as FTS5's ``porter unicode61 remove_diacritics 2`` indexes it: lower-cased,
    diacritics removed, Porter-stemmed when longer than two characters ("" if too long)."""
    folded = unicodedata.normalize("NFKD", word.lower())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    stemmed = _stemmer().stemWord(folded) if len(folded) > 2 else folded
    return stemmed if len(stemmed.encode("utf-8")) <= MAX_TOKEN_BYTES else ""


def tokens(text: str) -> list[str]:
    """The terms of ``text`` in order (Chinese runs as ``segment_for_index`` splits them)."""
    found = (token(word) for word in WORD.findall(segment_for_index(text)))
    return [t for t in found if t]


def index_text(text: str) -> str:
    """``text`` analysed in Python (the tokenizer and stemmer the other backends use), as
    space-separated terms for the whitespace analyzer."""
    return " ".join(tokens(text))


def register_analyzers(index: tantivy.Index) -> None:
    """Register the analyzers the schema names (tantivy does not persist them)."""
    index.register_tokenizer(TEXT_ANALYZER, text_analyzer())
    index.register_tokenizer(GRAM_ANALYZER, text_analyzer())


@lru_cache(maxsize=1)
def build_schema() -> tantivy.Schema:
    """Text fields (not stored), keyword columns (fast), dates, flags and the stored hit."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", tokenizer_name="raw", index_option="basic")
    builder.add_text_field(TEXT_FIELD, tokenizer_name=TEXT_ANALYZER)
    builder.add_text_field(gram_field(TEXT_FIELD), tokenizer_name=GRAM_ANALYZER)
    builder.add_text_field(gram_field(TEXT_FIELD, LONG_GRAM), tokenizer_name=GRAM_ANALYZER)
    for name in KEYWORD_COLUMNS:
        builder.add_text_field(name, fast=True, tokenizer_name="raw", index_option="basic")
    for name in SET_FACET_FIELDS:
        builder.add_text_field(
            set_field(name), fast=True, tokenizer_name="raw", index_option="basic"
        )
    for name in SUBSTRING_COLUMNS:
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_integer_field("published_ts", indexed=True, fast=True)
    builder.add_integer_field("version", fast=True)
    for name in ID_KEY_FIELDS:
        builder.add_unsigned_field(name, fast=True)
    builder.add_float_field(TIE_FIELD, fast=True)
    builder.add_boolean_field("chinese_party", indexed=True, fast=True)
    builder.add_bytes_field("stored", stored=True)
    return builder.build()


@lru_cache(maxsize=1)
def field_names() -> tuple[str, ...]:
    """The names ``build_schema`` declares, in order (as an index's ``meta.json`` lists them):
    an index with other fields was built by an earlier version and must be rebuilt."""
    text = (TEXT_FIELD, gram_field(TEXT_FIELD), gram_field(TEXT_FIELD, LONG_GRAM))
    return (
        "id", *text, *KEYWORD_COLUMNS,
        *(set_field(n) for n in SET_FACET_FIELDS), *SUBSTRING_COLUMNS, "published_ts",
        "version", *ID_KEY_FIELDS, TIE_FIELD, "chinese_party", "stored",
    )  # fmt: skip


def id_key(doc_id: str) -> tuple[int, ...]:
    """Numbers that order like ``doc_id`` (exactly, when ids differ in the first 48 bytes)."""
    raw = doc_id.encode("utf-8")[:_ID_KEY_BYTES].ljust(_ID_KEY_BYTES, b"\0")
    return tuple(int.from_bytes(raw[i : i + 8], "big") for i in range(0, _ID_KEY_BYTES, 8))


def tie_weight(doc_id: str) -> float:
    """The ``TIE_FIELD`` value of a document: ``log2(2 + value) = 1 + k * TIE_STEP``, ``k``
    from a hash of the id (the same in every process and version)."""
    digest = hashlib.blake2b(doc_id.encode("utf-8"), digest_size=4).digest()
    level = int.from_bytes(digest, "big") % TIE_LEVELS
    return float(2.0 ** (1.0 + level * TIE_STEP) - 2.0)


def to_tantivy(doc: Document) -> tuple[str, int, tantivy.Document]:
    """A document as (id, version, tantivy document); converts everything before writing.

    Raises:
        KeyError, TypeError, ValueError: The document is malformed.
    """
    doc_id, version = str(doc["id"]), int(doc["version"])
    ts = epoch_ms(doc["published_at"])
    out = tantivy.Document()
    out.add_text("id", doc_id)
    for name, repeats in weight_repeats():
        _add_weighted_text(out, str(doc[name]), repeats)
    for name in (*KEYWORD_COLUMNS, *SUBSTRING_COLUMNS):
        for value in field_values(doc, name):
            out.add_text(name, value)
    for name in SET_FACET_FIELDS:
        values = field_values(doc, name)
        if values:
            out.add_text(set_field(name), value_set(values))
    out.add_integer("published_ts", ts)
    out.add_integer("version", version)
    for name, part in zip(ID_KEY_FIELDS, id_key(doc_id), strict=True):
        out.add_unsigned(name, part)
    out.add_float(TIE_FIELD, tie_weight(doc_id))
    out.add_boolean("chinese_party", bool(doc["chinese_party"]))
    stored = {k: doc.get(k) for k in HIT_SOURCE_FIELDS}
    stored.update({name: str(doc[name]) for name, _ in TEXT_FIELDS})
    out.add_bytes("stored", json.dumps(stored, ensure_ascii=False).encode("utf-8"))
    return doc_id, version, out


def _add_weighted_text(out: tantivy.Document, text: str, repeats: int) -> None:
    """Add ``text`` ``repeats`` times as separate values of ``TEXT_FIELD`` and of the gram
    fields (the position gap between values keeps phrases within one)."""
    values = [(TEXT_FIELD, index_text(text))]
    values += [
        (gram_field(TEXT_FIELD, size), ordered_grams(text, size)) for size in (GRAM, LONG_GRAM)
    ]
    for field, value in values:
        if value:
            for _ in range(repeats):
                out.add_text(field, value)


def ordered_grams(text: str, size: int = GRAM) -> str:
    """Each Chinese run as its ``size``-grams in order, runs separated by ``RUN_BREAK``."""
    runs = [run for run in _CJK_RUN.findall(text) if len(run) >= size]
    return f" {RUN_BREAK} ".join(" ".join(grams(run, size)) for run in runs)


def grams(run: str, size: int = GRAM) -> list[str]:
    """The character ``size``-grams of a Chinese run (of ``size`` or more characters), in
    order."""
    return [run[i : i + size] for i in range(len(run) - size + 1)]


def field_values(doc: Document, name: str) -> list[str]:
    """A field's values as non-empty strings (scalars as a one-item list)."""
    value = doc.get(name)
    if value is None:
        return []
    values = value if isinstance(value, list) else [value]
    return [str(v) for v in values if str(v)]


def epoch_ms(published_at: str | None) -> int:
    """Milliseconds since the epoch, or ``MISSING_TS`` for an undated item."""
    if not published_at:
        return MISSING_TS
    return int(datetime.fromisoformat(published_at.replace("Z", "+00:00")).timestamp() * 1000)


def stored_hit(raw: Any) -> dict[str, Any]:
    """The stored display fields and texts of a hit (``stored`` bytes: the JSON ``to_tantivy``
    wrote, read with orjson, which decodes it in a third of the standard library's time)."""
    loaded: dict[str, Any] = orjson.loads(bytes(raw))
    return loaded
