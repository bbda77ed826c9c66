"""Saved searches: a ``SearchQuery`` stored under a name, optionally owned by an enterprise.

A saved search is the stored form of a query, not of its results: running it searches the
index as it is now, with the same builder as every other search. Subscriptions and alerts
refer to one by id (``get_saved_search``) and run it with overrides such as ``since`` or a
cursor (``run_saved_search``).

Typical use::

    saved = save_search(session, "337 锂电池", SearchQuery(q="锂电池", kinds=["dispute"]))
    results = run_saved_search(saved, since=date(2026, 1, 1))

Names are 1 to 200 characters and unique per owner (``enterprise_id``, or none). The stored
query leaves out the cursor and every default value; it is validated again when run, so a
query that has become invalid raises ``BadQuery`` instead of searching something else.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import SavedSearch, Subscription
from search.backend import SearchBackend, get_backend
from search.errors import BadQuery, SavedSearchExists, SavedSearchInUse, SavedSearchNotFound
from search.query import SearchQuery
from search.results import SearchResults

__all__ = [
    "SavedSearch",
    "delete_saved_search",
    "find_saved_search",
    "get_saved_search",
    "list_saved_searches",
    "run_saved_search",
    "save_search",
    "saved_query",
    "update_saved_search",
]

MAX_NAME_CHARS = 200
ANY_OWNER: Any = object()


def stored_form(query: SearchQuery) -> dict[str, Any]:
    """The JSON a saved search keeps: every non-default field except the cursor."""
    return query.model_dump(mode="json", exclude={"cursor"}, exclude_defaults=True)


def save_search(
    session: Session,
    name: str,
    query: SearchQuery,
    enterprise_id: str | None = None,
    replace: bool = False,
) -> SavedSearch:
    """Store ``query`` under ``name`` for ``enterprise_id`` (flushed, not committed).

    Args:
        session: A session on the records database.
        name: The search's name, unique for its owner.
        query: The query to keep (its cursor is dropped).
        enterprise_id: The owning enterprise, or None for a shared search.
        replace: Overwrite the query of an existing search of that name instead of failing.

    Raises:
        BadQuery: The name is empty or too long.
        SavedSearchExists: The owner has a search of that name and ``replace`` is False.
    """
    name = _checked_name(name)
    existing = _by_name(session, name, enterprise_id)
    if existing is not None and not replace:
        raise SavedSearchExists(f"a saved search named {name!r} exists")
    if existing is not None:
        existing.query = stored_form(query)
        session.flush()
        return existing
    saved = SavedSearch(name=name, enterprise_id=enterprise_id, query=stored_form(query))
    session.add(saved)
    session.flush()
    return saved


def update_saved_search(
    session: Session, saved: SavedSearch, name: str | None = None, query: SearchQuery | None = None
) -> SavedSearch:
    """Rename a saved search and/or replace its query (flushed, not committed).

    Raises:
        BadQuery: The new name is empty or too long.
        SavedSearchExists: The owner has another search of the new name.
    """
    if name is not None:
        name = _checked_name(name)
        other = _by_name(session, name, saved.enterprise_id)
        if other is not None and other.id != saved.id:
            raise SavedSearchExists(f"a saved search named {name!r} exists")
        saved.name = name
    if query is not None:
        saved.query = stored_form(query)
    session.flush()
    return saved


def get_saved_search(session: Session, saved_id: int) -> SavedSearch:
    """The saved search with this id.

    Raises:
        SavedSearchNotFound: There is none.
    """
    saved = session.get(SavedSearch, saved_id)
    if saved is None:
        raise SavedSearchNotFound(f"no saved search {saved_id}")
    return saved


def find_saved_search(session: Session, name: str, enterprise_id: str | None = None) -> SavedSearch:
    """The saved search of this name for this owner (None: the shared ones).

    Raises:
        SavedSearchNotFound: There is none.
    """
    saved = _by_name(session, name.strip(), enterprise_id)
    if saved is None:
        raise SavedSearchNotFound(f"no saved search named {name.strip()!r}")
    return saved


def list_saved_searches(session: Session, enterprise_id: Any = ANY_OWNER) -> list[SavedSearch]:
    """Saved searches by name: all of them, or one owner's (None: the shared ones)."""
    stmt = select(SavedSearch).order_by(SavedSearch.name, SavedSearch.id)
    if enterprise_id is not ANY_OWNER:
        stmt = stmt.where(_owner_is(enterprise_id))
    return list(session.scalars(stmt))


def delete_saved_search(session: Session, saved: SavedSearch) -> None:
    """Delete a saved search (flushed, not committed).

    Raises:
        SavedSearchInUse: Subscriptions follow it. Deleting it would stop their deliveries
            and, where ids are reused (SQLite), hand them the next search saved.
    """
    followers = session.scalar(select(func.count()).where(Subscription.saved_search_id == saved.id))
    if followers:
        raise SavedSearchInUse(
            f"saved search {saved.id} ({saved.name!r}) is followed by {followers} "
            "subscription(s); delete those subscriptions first"
        )
    session.delete(saved)
    session.flush()


def saved_query(saved: SavedSearch, **overrides: Any) -> SearchQuery:
    """The stored query, validated, with ``overrides`` (any ``SearchQuery`` field) applied.

    Raises:
        BadQuery: The stored query or an override is not valid (any more).
    """
    stored = saved.query if isinstance(saved.query, dict) else {}
    return SearchQuery.stored({**stored, **{k: v for k, v in overrides.items() if v is not None}})


def run_saved_search(
    saved: SavedSearch, backend: SearchBackend | None = None, **overrides: Any
) -> SearchResults:
    """Run a saved search against the index as it is now.

    Args:
        saved: The saved search.
        backend: The search backend (default: the configured one).
        **overrides: ``SearchQuery`` fields that replace the stored ones for this run, such as
            ``limit``, ``cursor``, ``sort`` or ``since`` (None values are ignored).

    Raises:
        BadQuery: The stored query or an override is not valid.
        SearchUnavailable: The engine is down.
    """
    return (backend or get_backend()).search(saved_query(saved, **overrides))


def _checked_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME_CHARS:
        raise BadQuery(f"name: 1 to {MAX_NAME_CHARS} characters", field="name")
    return name


def _owner_is(enterprise_id: str | None) -> Any:
    if enterprise_id is None:
        return SavedSearch.enterprise_id.is_(None)
    return SavedSearch.enterprise_id == enterprise_id


def _by_name(session: Session, name: str, enterprise_id: str | None) -> SavedSearch | None:
    stmt = select(SavedSearch).where(SavedSearch.name == name, _owner_is(enterprise_id))
    return session.scalars(stmt).first()
