"""A short-lived cache of the principals behind API keys, valid for one authorisation
generation (:mod:`api.auth._generation`).

Building a key's principal takes three queries (key, organisation and user, enterprise
assignments); a client polling with the same key would pay them on every request. An entry is
used only while the database's generation is the one it was built under and for at most
``ttl`` seconds, so a revoked key, a changed scope or a withdrawn assignment is refused on the
very next request in every process. Keys are looked up by their SHA-256 digest: the plaintext
is never kept.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from api.auth._principal import Principal

DEFAULT_TTL_SECONDS = 5.0
MAX_ENTRIES = 10_000
"""Past this many keys the cache starts again (a bound on memory, not an eviction policy)."""


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    generation: int
    expires: float


class PrincipalCache:
    """Principals by key digest, each tied to the generation it was built under."""

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS, max_entries: int = MAX_ENTRIES) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def get(self, digest: str, generation: int) -> Principal | None:
        """The cached principal, if built under ``generation`` and not expired."""
        entry = self._entries.get(digest)
        if entry is None or entry.generation != generation or entry.expires < time.monotonic():
            return None
        return entry.principal

    def put(self, digest: str, generation: int, principal: Principal) -> None:
        """Remember ``principal`` for this key under ``generation``."""
        entry = _Entry(principal, generation, time.monotonic() + self.ttl)
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()
            self._entries[digest] = entry

    def clear(self) -> None:
        """Forget every principal."""
        with self._lock:
            self._entries.clear()
