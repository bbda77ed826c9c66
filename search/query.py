"""The typed search request: free text, filters, sort, page size and cursor.

Every backend and the alert matcher read a query through ``search.builder``. Constructing a
``SearchQuery`` validates everything up front and raises ``BadQuery`` (a ``ValueError``) with a
reason fit for users: engine syntax never reaches an engine raw.

Filters combine as *any of* the values within one filter and *all of* the filters.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from core.types import ItemKind
from search import _vocabulary as vocabulary
from search.errors import BadQuery, InvalidCursor
from search.text import MAX_QUERY_CHARS, Term, ignored_words, parse_text
from tagger.places import normalise_city, normalise_province

MAX_FILTER_VALUES = 50
MAX_CURSOR_CHARS = 1000
# Party and case-reference filters are substring matches (a regex in tantivy, a wildcard in
# OpenSearch): tantivy refuses one of more than about 480 UTF-8 bytes (120 characters outside
# the BMP), so a filter is capped at 100 characters once folded. No real name is longer.
MAX_NAME_FILTER_CHARS = 100
# Days every backend and ``datetime`` can represent, with a day to spare at each end
# (``until`` is searched as the day after it).
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(9000, 12, 31)

CursorValue = int | float | str
Sort = Literal["relevance", "date"]

_JURISDICTION = re.compile(r"^[A-Z][A-Z0-9-]{1,15}$")
_IDENTIFIER = re.compile(r"^[\w.:/-]{1,64}$")
_WHITESPACE = re.compile(r"\s+")

FilterList = list[str]


def fold_name(value: str) -> str:
    """Case- and space-insensitive form, for substring filters (party, case reference)."""
    return _WHITESPACE.sub(" ", value).strip().casefold()


def fold_case_ref(value: str) -> str:
    """A case reference without spaces and case: ``337-TA-1400`` == ``337-ta-1400``."""
    return _WHITESPACE.sub("", value).casefold()


class SearchQuery(BaseModel):
    """A search request.

    The keyword filters (jurisdictions, chains, IP types, sources) take known values only, in
    any case (``search._vocabulary``): an unknown one is a ``BadQuery`` naming it, not an
    empty result that looks like "no data".

    Attributes:
        q: Free text in Chinese and/or English (see ``search.text`` for its reading).
        jurisdictions: Country or region codes (``US``, ``EU``, ``UPC``), matched literally.
        chains: Industry-chain ids from the tags.
        kinds: Item kinds.
        ip_types: ``patent``, ``trademark``, ``design``, ``copyright`` ...
        sources: Source ids.
        party: A substring of a party's name, any case (2 to 100 characters).
        case_ref: A substring of a case reference, ignoring case and spaces (2 to 100).
        since: First publication day, inclusive (UTC), from 1900-01-01 to 9000-12-31.
        until: Last publication day, inclusive (UTC), within the same bounds.
        chinese_party: Only items naming (True) or not naming (False) a Chinese party.
        province: A Chinese province named in a party's location (``广东``, ``Guangdong``).
        city: A Chinese city named in a party's location (``深圳``, ``Shenzhen``).
        sort: ``relevance`` (best first; date order when there is no text) or ``date``
            (newest first; undated items last).
        limit: Hits per page, 1 to 100.
        cursor: ``next_cursor`` from the previous page of the same query.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    q: str = Field(default="", max_length=MAX_QUERY_CHARS)
    jurisdictions: FilterList = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    chains: FilterList = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    kinds: list[ItemKind] = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    ip_types: FilterList = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    sources: FilterList = Field(default_factory=list, max_length=MAX_FILTER_VALUES)
    party: str | None = Field(default=None, min_length=2, max_length=MAX_NAME_FILTER_CHARS)
    case_ref: str | None = Field(default=None, min_length=2, max_length=MAX_NAME_FILTER_CHARS)
    since: date | None = None
    until: date | None = None
    chinese_party: bool | None = None
    province: str | None = None
    city: str | None = None
    sort: Sort = "relevance"
    translate: bool = False
    """Also find the glossary's other terms for terms of ``q`` (``search.text``)."""
    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_CHARS)

    def __init__(self, **data: Any) -> None:
        """Validate; any problem is raised as ``BadQuery`` with a user-facing reason."""
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _bad_query(exc) from None

    @classmethod
    def stored(cls, data: dict[str, Any]) -> SearchQuery:
        """A query saved by an earlier version: filter values the vocabularies no longer
        know are kept (they match nothing, as before) instead of refusing the whole query,
        which would stop its subscription's deliveries and feed.

        Raises:
            BadQuery: Anything else is not valid.
        """
        reading = _STORED.set(True)  # (a custom __init__ gets no validation context)
        try:
            return cls(**data)
        finally:
            _STORED.reset(reading)

    @field_validator("jurisdictions")
    @classmethod
    def _jurisdictions(cls, values: list[str]) -> list[str]:
        codes = _checked(sorted({v.strip().upper() for v in values}), _JURISDICTION, "jurisdiction")
        return _known(codes, vocabulary.jurisdictions) if codes else codes

    @field_validator("chains")
    @classmethod
    def _chains(cls, values: list[str]) -> list[str]:
        ids = _checked(sorted({v.strip() for v in values}), _IDENTIFIER, "identifier")
        return _known(ids, vocabulary.chains) if ids else ids

    @field_validator("sources")
    @classmethod
    def _sources(cls, values: list[str]) -> list[str]:
        ids = _checked(sorted({v.strip() for v in values}), _IDENTIFIER, "identifier")
        return _known(ids, vocabulary.sources) if ids else ids

    @field_validator("ip_types")
    @classmethod
    def _ip_types(cls, values: list[str]) -> list[str]:
        types = _checked(sorted({v.strip().lower() for v in values}), _IDENTIFIER, "IP type")
        return _known(types, vocabulary.ip_types) if types else types

    @field_validator("party", "case_ref")
    @classmethod
    def _name_filter(cls, value: str | None) -> str | None:
        # Case folding may lengthen a name ("ß" is "ss"): the folded form is what is searched.
        if value and len(fold_name(value)) > MAX_NAME_FILTER_CHARS:
            raise ValueError(f"at most {MAX_NAME_FILTER_CHARS} characters")
        return value

    @field_validator("since", "until")
    @classmethod
    def _day(cls, value: date | None) -> date | None:
        if value is not None and not EARLIEST_DAY <= value <= LATEST_DAY:
            raise ValueError(f"must be a day from {EARLIEST_DAY} to {LATEST_DAY}")
        return value

    @field_validator("kinds")
    @classmethod
    def _kinds(cls, values: list[ItemKind]) -> list[ItemKind]:
        return sorted(set(values))

    @field_validator("province")
    @classmethod
    def _province(cls, value: str | None) -> str | None:
        return normalise_province(value) if value else None

    @field_validator("city")
    @classmethod
    def _city(cls, value: str | None) -> str | None:
        return normalise_city(value) if value else None

    @field_validator("q")
    @classmethod
    def _text(cls, value: str) -> str:
        parse_text(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> SearchQuery:
        if self.since and self.until and self.since > self.until:
            raise ValueError("since is after until")
        if self.cursor is not None:
            decode_cursor(self.cursor, self.fingerprint())
        return self

    def clauses(self) -> list[Term]:
        """The free text's terms: clauses and glossary terms (empty when there is no text)."""
        return parse_text(self.q, self.translate)

    def ignored_words(self) -> list[str]:
        """Words of the free text its search leaves out (with ``translate``, fillers such
        as 发起), to be named to the user."""
        return ignored_words(self.q, self.translate)

    def effective_sort(self) -> Sort:
        """The sort actually applied: relevance without text means date order."""
        return "relevance" if self.sort == "relevance" and self.q else "date"

    def party_folded(self) -> str | None:
        """The party filter in the form documents store names."""
        return fold_name(self.party) if self.party else None

    def case_ref_folded(self) -> str | None:
        """The case-reference filter in the form documents store references."""
        return fold_case_ref(self.case_ref) if self.case_ref else None

    def fingerprint(self) -> str:
        """A hash of everything that selects and orders results (not the page or cursor)."""
        # translate is left out when off, so cursors and saved fingerprints from before it
        # existed still hold
        left_out = {"cursor", "limit"} | (set() if self.translate else {"translate"})
        payload = self.model_dump(mode="json", exclude=left_out)
        payload["sort"] = self.effective_sort()
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]

    def search_after(self) -> list[CursorValue] | None:
        """The sort values to continue after, from the cursor."""
        return decode_cursor(self.cursor, self.fingerprint()) if self.cursor else None

    def next_cursor(self, sort_values: list[CursorValue]) -> str:
        """A cursor for the page after a hit with these sort values."""
        return encode_cursor(sort_values, self.fingerprint())


def _checked(values: list[str], pattern: re.Pattern[str], what: str) -> list[str]:
    for value in values:
        if not pattern.match(value):
            raise ValueError(f"invalid {what} {value[:40]!r}")
    return values


_STORED: ContextVar[bool] = ContextVar("stored_query", default=False)


def _known(values: list[str], known: Callable[[], vocabulary.Vocabulary]) -> list[str]:
    """``values`` as the known values they name (sorted), or a ValueError naming the first
    unknown one; in a stored query (``SearchQuery.stored``) an unknown value is kept as it
    is (it matches nothing, as when it was saved)."""
    vocab = known()
    if not _STORED.get():
        return sorted({vocab.canonical(value) for value in values})
    kept = set()
    for value in values:
        try:
            kept.add(vocab.canonical(value))
        except (ValueError, BadQuery):
            kept.add(value)
    return sorted(kept)


def _bad_query(exc: ValidationError) -> BadQuery:
    """The first validation error, as a BadQuery (our own BadQuery passes through)."""
    error = exc.errors(include_url=False)[0]
    original = (error.get("ctx") or {}).get("error")
    if isinstance(original, BadQuery):
        return original
    field = ".".join(str(part) for part in error["loc"] if not isinstance(part, int)) or None
    message = str(error["msg"]).removeprefix("Value error, ")
    return BadQuery(f"{field}: {message}" if field else message, field=field)


def encode_cursor(sort_values: list[CursorValue], fingerprint: str) -> str:
    """An opaque cursor: the sort values of the last hit and the query's fingerprint."""
    blob = json.dumps({"h": fingerprint, "a": sort_values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(blob.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> list[CursorValue]:
    """The sort values in a cursor issued for the query with this fingerprint.

    Raises:
        InvalidCursor: The cursor is malformed or was issued for another query.
    """
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw.decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidCursor("the cursor is not valid") from None
    if not isinstance(payload, dict) or payload.get("h") != fingerprint:
        raise InvalidCursor("the cursor belongs to another query")
    values = payload.get("a")
    if not isinstance(values, list) or not _valid_sort_values(values):
        raise InvalidCursor("the cursor is not valid")
    return list(values)


def _valid_sort_values(values: list[Any]) -> bool:
    if len(values) != 2:
        return False
    first, second = values
    return (
        isinstance(first, int | float)
        and not isinstance(first, bool)
        and math.isfinite(first)
        and -(2**63) <= first < 2**63  # what every backend's sort values fit in
        and isinstance(second, str)
        and len(second) <= 256
    )
