"""Which stored profiles and saved searches today's vocabularies would refuse.

Stored documents are read leniently (``EnterpriseProfile.stored``, ``SearchQuery.stored``) so
that a value an earlier version accepted neither stops matching nor loses data. That leniency
also hides them: ``iprwatch profiles check`` validates each document strictly, as an import
or a new saved search would be today, and names every refused field, value and reason, so
that someone can fix them before they matter. Nothing is changed.

Each refusal's ``reason`` is in English, as the validators wrote it; its ``key`` and
``values`` say which refusal it is, so that the CLI can word it in Chinese from the message
catalogue (``check_<key>``). A reason of no known form keeps key ``""``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Enterprise, SavedSearch
from core.types import EnterpriseProfile
from search.errors import BadQuery
from search.query import SearchQuery

__all__ = ["CheckCounts", "Refusal", "check_profile", "check_saved_search", "check_stored"]


@dataclass(frozen=True)
class Refusal:
    """One value that would be refused today.

    Attributes:
        kind: ``profile`` or ``saved_search``.
        id: The enterprise id, or the saved search's id (as text).
        name: The enterprise's or the saved search's name.
        field: The field at fault (``destinations.0.country``), "" for the whole document.
        value: The stored value (None when the problem is a missing or crossed field).
        reason: Why it is refused, with what to write instead where the vocabulary says.
        readable: False when even the lenient reading fails (the document is unusable now).
        key: Which refusal the reason is, for its wording in another language ("" unknown).
        values: What the reason names, for that wording.
    """

    kind: str
    id: str
    name: str
    field: str
    value: Any
    reason: str
    readable: bool = True
    key: str = ""
    values: dict[str, str] = dataclass_field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """As a JSON line prints it (the reason in English; no wording keys)."""
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "field": self.field,
            "value": self.value,
            "reason": self.reason,
            "readable": self.readable,
        }


@dataclass(frozen=True)
class _Error:
    """One refused value: where, what, why in English, and which refusal it is."""

    field: str
    value: Any
    reason: str
    key: str = ""
    values: dict[str, str] = dataclass_field(default_factory=dict)


def _wording(err: Any) -> tuple[str, dict[str, str]]:
    """A pydantic error's key and values: the vocabulary's own, or pydantic's error type."""
    context = err.get("ctx") or {}
    if err["type"] == "vocabulary":
        return str(context.get("key", "")), dict(context.get("values") or {})
    return str(err["type"]), {k: str(v) for k, v in context.items()}


def _profile_errors(document: Any, strict: bool) -> list[_Error]:
    try:
        if strict:
            EnterpriseProfile.model_validate(document)
        else:
            EnterpriseProfile.stored(document)
    except ValidationError as exc:
        return [
            _Error(
                ".".join(str(p) for p in err["loc"]), err.get("input"), err["msg"], *_wording(err)
            )
            for err in exc.errors(include_url=False)
        ]
    return []


def _name_of(document: Any) -> str:
    name = document.get("name") if isinstance(document, dict) else None
    if not isinstance(name, dict):
        return ""
    return str(name.get("zh") or name.get("en") or "")


def check_profile(enterprise_id: str, document: Any) -> list[Refusal]:
    """What today's validation refuses in one stored profile document."""
    name = _name_of(document)
    unreadable = _profile_errors(document, strict=False)
    errors = unreadable or _profile_errors(document, strict=True)
    if not errors and not name.strip():
        value = document.get("name") if isinstance(document, dict) else None
        reason = "a profile needs a name: name: {zh: ..., en: ...}"
        errors = [_Error("name", value, reason, "name_required")]
    return [_refusal("profile", enterprise_id, name, e, not unreadable) for e in errors]


def _refusal(kind: str, document_id: str, name: str, error: _Error, readable: bool) -> Refusal:
    return Refusal(
        kind, document_id, name, error.field, error.value, error.reason, readable,
        error.key, error.values,
    )  # fmt: skip


def _query_error(data: dict[str, Any]) -> BadQuery | None:
    try:
        SearchQuery(**data)
    except BadQuery as exc:
        return exc
    return None


def _reason(exc: BadQuery) -> str:
    return exc.reason.removeprefix(f"{exc.field}: ") if exc.field else exc.reason


_UNKNOWN = r"^unknown (?P<what>jurisdiction|chain|IP type|source) (?P<value>'.*'); "
_SEARCH_FORMS = tuple(
    (key, re.compile(pattern, re.S))
    for key, pattern in (
        ("unknown_did_you_mean", _UNKNOWN + r"did you mean (?P<options>.+)\?$"),
        ("unknown_known", _UNKNOWN + r"known: (?P<known>.+)$"),
        (
            "unknown_iso_or",
            _UNKNOWN + r"use an ISO 3166 alpha-2 code \(US, DE, JP\) or one of (?P<known>.+)$",
        ),
        ("unknown_value", _UNKNOWN + r"(?P<hint>.*)$"),
        ("invalid_value", r"^invalid (?P<what>[\w ]+?) (?P<value>'.*')$"),
        ("literal_error", r"^Input should be (?P<expected>'.+)$"),
        ("day_range", r"^must be a day from (?P<start>\S+) to (?P<end>\S+)$"),
        ("string_too_short", r"^String should have at least (?P<min_length>\d+) characters?$"),
        ("string_too_long", r"^String should have at most (?P<max_length>\d+) characters?$"),
    )
)
"""The forms of the search query model's refusals (``search._vocabulary``, ``search.query``),
first match wins: read back so that they can be worded in another language, as crawler
health reasons are."""


def _search_error(field_name: str, value: Any, reason: str) -> _Error:
    """A saved search's refusal with its key and values, when its reason has a known form."""
    for key, pattern in _SEARCH_FORMS:
        found = pattern.match(reason)
        if found is not None:
            return _Error(field_name, value, reason, key, found.groupdict())
    return _Error(field_name, value, reason)


def _query_errors(query: dict[str, Any]) -> list[_Error]:
    """Each refused value of a stored query: list filters value by value, so that every
    unknown jurisdiction or chain is named, not only the first."""
    errors: list[_Error] = []
    for name, value in query.items():
        values = value if isinstance(value, list) else [value]
        for one in values:
            exc = _query_error({name: [one] if isinstance(value, list) else one})
            if exc is not None:
                errors.append(_search_error(exc.field or name, one, _reason(exc)))
    if not errors and (exc := _query_error(query)) is not None:
        name = exc.field or ""
        errors.append(_search_error(name, query.get(name) if name else None, _reason(exc)))
    return errors


def check_saved_search(saved_id: int, name: str, query: Any) -> list[Refusal]:
    """What today's validation refuses in one saved search's stored query."""
    if not isinstance(query, dict):
        error = _Error("", query, "not a query", "not_a_query")
        return [_refusal("saved_search", str(saved_id), name, error, False)]
    try:
        SearchQuery.stored(query)
    except BadQuery as exc:
        at = exc.field or ""
        error = _search_error(at, query.get(at) if at else None, _reason(exc))
        return [_refusal("saved_search", str(saved_id), name, error, False)]
    return [_refusal("saved_search", str(saved_id), name, e, True) for e in _query_errors(query)]


@dataclass
class CheckCounts:
    """How many documents were read, and how many of them would be refused."""

    profiles: int = 0
    refused_profiles: int = 0
    searches: int = 0
    refused_searches: int = 0


def check_stored(session: Session, counts: CheckCounts | None = None) -> Iterator[Refusal]:
    """Every refusal in the stored profiles (by id), then in the saved searches (by id);
    ``counts`` is filled in as they are read. Rows are streamed, not held."""
    counts = counts if counts is not None else CheckCounts()
    rows = session.execute(
        select(Enterprise.id, Enterprise.profile)
        .order_by(Enterprise.id)
        .execution_options(yield_per=1000)
    ).tuples()
    for enterprise_id, document in rows:
        counts.profiles += 1
        found = check_profile(enterprise_id, document)
        counts.refused_profiles += bool(found)
        yield from found
    searches = session.execute(
        select(SavedSearch.id, SavedSearch.name, SavedSearch.query).order_by(SavedSearch.id)
    ).tuples()
    for saved_id, name, query in searches:
        counts.searches += 1
        found = check_saved_search(saved_id, name, query)
        counts.refused_searches += bool(found)
        yield from found
