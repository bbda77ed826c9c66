"""Which stored profiles and saved searches today's vocabularies would refuse.

Stored documents are read leniently (``EnterpriseProfile.stored``, ``SearchQuery.stored``) so
that a value an earlier version accepted neither stops matching nor loses data. That leniency
also hides them: ``iprwatch profiles check`` validates each document strictly, as an import
or a new saved search would be today, and names every refused field, value and reason, so
that someone can fix them before they matter. Nothing is changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
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
    """

    kind: str
    id: str
    name: str
    field: str
    value: Any
    reason: str
    readable: bool = True

    def to_dict(self) -> dict[str, Any]:
        """As a JSON line prints it."""
        return asdict(self)


def _profile_errors(document: Any, strict: bool) -> list[tuple[str, Any, str]]:
    try:
        if strict:
            EnterpriseProfile.model_validate(document)
        else:
            EnterpriseProfile.stored(document)
    except ValidationError as exc:
        return [
            (".".join(str(p) for p in err["loc"]), err.get("input"), err["msg"])
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
        errors = [("name", value, "a profile needs a name: name: {zh: ..., en: ...}")]
    return [
        Refusal("profile", enterprise_id, name, field, value, reason, not unreadable)
        for field, value, reason in errors
    ]


def _query_error(data: dict[str, Any]) -> BadQuery | None:
    try:
        SearchQuery(**data)
    except BadQuery as exc:
        return exc
    return None


def _reason(exc: BadQuery) -> str:
    return exc.reason.removeprefix(f"{exc.field}: ") if exc.field else exc.reason


def _query_errors(query: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """Each refused value of a stored query: list filters value by value, so that every
    unknown jurisdiction or chain is named, not only the first."""
    errors: list[tuple[str, Any, str]] = []
    for field, value in query.items():
        values = value if isinstance(value, list) else [value]
        for one in values:
            exc = _query_error({field: [one] if isinstance(value, list) else one})
            if exc is not None:
                errors.append((exc.field or field, one, _reason(exc)))
    if not errors and (exc := _query_error(query)) is not None:
        field = exc.field or ""
        errors.append((field, query.get(field) if field else None, _reason(exc)))
    return errors


def check_saved_search(saved_id: int, name: str, query: Any) -> list[Refusal]:
    """What today's validation refuses in one saved search's stored query."""
    if not isinstance(query, dict):
        return [Refusal("saved_search", str(saved_id), name, "", query, "not a query", False)]
    try:
        SearchQuery.stored(query)
    except BadQuery as exc:
        field = exc.field or ""
        value = query.get(field) if field else None
        return [Refusal("saved_search", str(saved_id), name, field, value, _reason(exc), False)]
    return [
        Refusal("saved_search", str(saved_id), name, field, value, reason)
        for field, value, reason in _query_errors(query)
    ]


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
