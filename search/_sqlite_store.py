"""Tables and rows of the embedded index (see ``search.sqlite_`` for the layout)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.logging_ import get_logger
from search.builder import FACETS, HIT_SOURCE_FIELDS, KEYWORD_FIELDS, TERM_FIELDS, filter_token
from search.document import Document
from search.snippets import MARK_CLOSE, MARK_OPEN
from tagger.segment import segment_for_index

log = get_logger(__name__)

TOKENIZER = "porter unicode61 remove_diacritics 2"
# Facet codes: "<facet index><FIELD_SEP><value>", joined by CODE_SEP (neither occurs in values).
CODE_SEP = "\x1f"
FIELD_SEP = "\x1e"
_CONTROL = str.maketrans({MARK_OPEN: " ", MARK_CLOSE: " "})
_CODE_SAFE = str.maketrans({"\x1e": " ", "\x1f": " "})


@dataclass(frozen=True)
class Tables:
    """The table names of one generation."""

    generation: int
    has_facets: bool = True

    @property
    def fts(self) -> str:
        """The FTS5 table."""
        return f"fts_{self.generation}"

    @property
    def docs(self) -> str:
        """The documents table (original texts and display fields)."""
        return f"docs_{self.generation}"

    @property
    def terms(self) -> str:
        """The (document, field, value) rows."""
        return f"terms_{self.generation}"

    @property
    def facets(self) -> str:
        """One narrow row per document: its facet codes (see ``facet_codes``)."""
        return f"facets_{self.generation}"


def ensure_schema(conn: sqlite3.Connection) -> None:
    """Create the meta table and the first generation on first use (safe to race)."""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_meta'").fetchone():
        return
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("BEGIN IMMEDIATE")
    try:
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_meta'").fetchone():
            conn.execute("CREATE TABLE search_meta (key TEXT PRIMARY KEY, value INTEGER)")
            conn.execute("INSERT INTO search_meta VALUES ('generation', 1), ('next_generation', 2)")
            create_tables(conn, Tables(1))
        conn.execute("COMMIT")
    except BaseException:
        rollback(conn)
        raise


def live_tables(conn: sqlite3.Connection) -> Tables:
    """The generation searches and writes use."""
    row = conn.execute("SELECT value FROM search_meta WHERE key = 'generation'").fetchone()
    generation = int(row[0])
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = ?", (Tables(generation).facets,)
    ).fetchone()
    return Tables(generation, has_facets=found is not None)


def next_generation(conn: sqlite3.Connection) -> Tables:
    """Reserve a new generation number (inside a write transaction)."""
    row = conn.execute("SELECT value FROM search_meta WHERE key = 'next_generation'").fetchone()
    conn.execute("UPDATE search_meta SET value = value + 1 WHERE key = 'next_generation'")
    return Tables(int(row[0]))


def switch_generation(conn: sqlite3.Connection, tables: Tables) -> None:
    """Make ``tables`` the live generation (inside a write transaction)."""
    conn.execute("UPDATE search_meta SET value = ? WHERE key = 'generation'", (tables.generation,))


def create_tables(conn: sqlite3.Connection, t: Tables) -> None:
    """Create one generation's tables and indexes."""
    # Narrow columns first: reading them must not walk a long body's overflow pages.
    conn.execute(
        f"CREATE TABLE {t.docs} (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
        " version INTEGER NOT NULL, published_ts INTEGER, chinese_party INTEGER NOT NULL,"
        " title TEXT NOT NULL, summary TEXT NOT NULL, body TEXT NOT NULL, hit TEXT NOT NULL)"
    )
    conn.execute(f"CREATE TABLE {t.facets} (rowid INTEGER PRIMARY KEY, codes TEXT NOT NULL)")
    conn.execute(f"CREATE INDEX {t.docs}_published ON {t.docs} (published_ts)")
    conn.execute(
        f"CREATE TABLE {t.terms} (doc INTEGER NOT NULL, field TEXT NOT NULL,"
        " value TEXT NOT NULL, PRIMARY KEY (doc, field, value)) WITHOUT ROWID"
    )
    conn.execute(f"CREATE INDEX {t.terms}_field ON {t.terms} (field, value, doc)")
    conn.execute(
        f"CREATE VIRTUAL TABLE {t.fts} USING fts5(title, summary, body, tags,"
        f" tokenize = '{TOKENIZER}')"
    )


def drop_tables(conn: sqlite3.Connection, t: Tables) -> None:
    """Drop one generation's tables."""
    for table in (t.fts, t.terms, t.facets, t.docs):
        conn.execute(f"DROP TABLE IF EXISTS {table}")


def rollback(conn: sqlite3.Connection) -> None:
    """Roll back if a transaction is open."""
    if conn.in_transaction:
        conn.execute("ROLLBACK")


@dataclass(frozen=True)
class Row:
    """A document converted to the values the tables store."""

    doc_id: str
    version: int
    docs: tuple[Any, ...]
    fts: tuple[str, str, str, str]
    terms: list[tuple[str, str]]
    codes: str


def to_row(doc: Document) -> Row:
    """Convert a document before writing anything, so a malformed one writes nothing.

    Raises:
        KeyError, TypeError, ValueError: The document is malformed.
    """
    version = int(doc["version"])
    docs = (
        str(doc["id"]), version, str(doc["title"]), str(doc["summary"]), str(doc["body"]),
        _epoch_ms(doc["published_at"]), int(bool(doc["chinese_party"])),
        json.dumps({k: doc.get(k) for k in HIT_SOURCE_FIELDS}, ensure_ascii=False),
    )  # fmt: skip
    texts = (_fts_text(doc["title"]), _fts_text(doc["summary"]), _fts_text(doc["body"]))
    tokens = " ".join(filter_token(f, v) for f in KEYWORD_FIELDS for v in values(doc, f))
    terms = [(field, value) for field in TERM_FIELDS for value in values(doc, field)]
    return Row(str(doc["id"]), version, docs, (*texts, tokens), terms, facet_codes(doc))


def facet_codes(doc: Document) -> str:
    """A document's facet values as one string of codes, counted in Python at search time
    (one narrow row per hit instead of a lookup per hit and facet)."""
    codes = (
        f"{index}{FIELD_SEP}{value.translate(_CODE_SAFE)}"
        for index, facet in enumerate(FACETS)
        for value in values(doc, facet.field)
    )
    return CODE_SEP.join(dict.fromkeys(codes))


def upsert(conn: sqlite3.Connection, t: Tables, row: Row) -> None:
    """Insert or replace a document, unless the index holds a newer version of it."""
    found = conn.execute(f"SELECT rowid, version FROM {t.docs} WHERE id = ?", (row.doc_id,))
    existing = found.fetchone()
    if existing and existing[1] > row.version:
        return
    if existing:
        remove(conn, t, existing[0])
    cursor = conn.execute(
        f"INSERT INTO {t.docs} (id, version, title, summary, body, published_ts,"
        " chinese_party, hit) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        row.docs,
    )
    rowid = cursor.lastrowid
    conn.execute(
        f"INSERT INTO {t.fts} (rowid, title, summary, body, tags) VALUES (?, ?, ?, ?, ?)",
        (rowid, *row.fts),
    )
    conn.executemany(
        f"INSERT OR IGNORE INTO {t.terms} (doc, field, value) VALUES (?, ?, ?)",
        [(rowid, field, value) for field, value in row.terms],
    )
    if t.has_facets:
        conn.execute(f"INSERT INTO {t.facets} (rowid, codes) VALUES (?, ?)", (rowid, row.codes))


def upsert_all(conn: sqlite3.Connection, t: Tables, docs: list[Document]) -> list[str]:
    """Upsert documents; the ids of malformed ones (logged, not written)."""
    rejected: list[str] = []
    for doc in docs:
        try:
            row = to_row(doc)
        except (KeyError, TypeError, ValueError) as exc:
            log.warning("search.sqlite.rejected", id=doc.get("id"), error=repr(exc)[:500])
            rejected.append(str(doc.get("id")))
            continue
        upsert(conn, t, row)
    return rejected


def remove(conn: sqlite3.Connection, t: Tables, rowid: int) -> None:
    """Delete a document's rows from its tables."""
    conn.execute(f"DELETE FROM {t.fts} WHERE rowid = ?", (rowid,))
    conn.execute(f"DELETE FROM {t.terms} WHERE doc = ?", (rowid,))
    if t.has_facets:
        conn.execute(f"DELETE FROM {t.facets} WHERE rowid = ?", (rowid,))
    conn.execute(f"DELETE FROM {t.docs} WHERE rowid = ?", (rowid,))


def values(doc: Document, field: str) -> list[str]:
    """A field's values as strings (scalars as a one-item list, None as none)."""
    value = doc.get(field)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _fts_text(text: str) -> str:
    return segment_for_index(str(text).translate(_CONTROL))


def _epoch_ms(published_at: str | None) -> int | None:
    if not published_at:
        return None
    return int(datetime.fromisoformat(published_at.replace("Z", "+00:00")).timestamp() * 1000)
