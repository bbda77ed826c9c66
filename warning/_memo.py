"""A small bounded memo shared by the matching caches (rule outcomes, rule reads, row keys).

Each cache keeps pure results by a key that repeats from item to item; none may grow
without bound in a long-running worker, and none needs more than forgetting everything
when full (it refills within a few items).
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["BoundedMemo"]

_K = TypeVar("_K")
_V = TypeVar("_V")


class BoundedMemo(dict[_K, _V]):
    """A dict that is emptied when an entry would take it past ``limit`` entries.

    Read it as a dict (``get`` stays the plain, fast dict lookup); add through
    ``remember``.
    """

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def remember(self, key: _K, value: _V) -> _V:
        """Keep ``value`` under ``key`` (first forgetting everything when full); return it."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
