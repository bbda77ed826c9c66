"""The search package's one exception hierarchy.

::

    SearchError
    ├── BadQuery (also a ValueError): the request cannot be searched; ``reason`` says why
    │   └── InvalidCursor: the cursor is malformed or belongs to another query
    ├── SearchUnavailable: the engine is down, missing or failing; retry later
    ├── IndexingFailed: the engine rejected some documents (``failed_ids``); others went in
    ├── ReindexFailed: a rebuilt index did not pass its checks; the alias did not move
    ├── SavedSearchNotFound (also a LookupError): no saved search with that id or name
    ├── SavedSearchExists (also a ValueError): the owner already has a search of that name
    └── SavedSearchInUse (also a ValueError): subscriptions follow it, so it cannot be deleted

Messages are meant for users: engine errors are logged in full and replaced by a short reason.
"""

from __future__ import annotations

from collections.abc import Iterable


class SearchError(Exception):
    """Base class of every search error."""


class BadQuery(SearchError, ValueError):
    """A query that cannot be run as given (validation, syntax, length, cursor).

    Attributes:
        reason: A short message safe to show to the user.
        field: The query field at fault, when there is one.
    """

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


class InvalidCursor(BadQuery):
    """A cursor that cannot be decoded, or that was issued for a different query."""

    def __init__(self, reason: str = "invalid cursor") -> None:
        super().__init__(reason, field="cursor")


class SearchUnavailable(SearchError):
    """The search engine cannot be reached or failed; nothing was changed by the call."""


class IndexingFailed(SearchError):
    """The engine rejected some documents; the others were indexed.

    Attributes:
        failed_ids: Ids of the documents that were not indexed.
    """

    def __init__(self, failed_ids: Iterable[str]) -> None:
        self.failed_ids = sorted(set(failed_ids))
        super().__init__(f"{len(self.failed_ids)} documents were rejected by the search engine")


class ReindexFailed(SearchError):
    """A rebuilt index failed its checks (e.g. the document count); the live index is kept."""


class SavedSearchNotFound(SearchError, LookupError):
    """No saved search has that id (or that name for that owner)."""


class SavedSearchExists(SearchError, ValueError):
    """The owner already has a saved search of that name."""


class SavedSearchInUse(SearchError, ValueError):
    """Subscriptions follow the saved search: deleting it would stop their deliveries."""
