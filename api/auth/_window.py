"""A sliding-window counter in process memory, for the per-key API limit in embedded mode.

It counts as ``limits``' sliding window counter does (the previous window's count, weighted by
how much of it still overlaps the last ``period`` seconds, plus the current window's), with
two integers per key under one lock. ``limits``' own memory storage is not used for this hot
path: it restarts a timer thread every 10 ms to expire its counters, which costs more than
the request it limits. With Redis (every API process sharing the counters), ``limits`` is used.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from limits import RateLimitItem


@dataclass
class _Counts:
    window: int
    current: int
    previous: int


class LocalSlidingWindow:
    """Hits per identifier over a sliding window, in this process only."""

    def __init__(self) -> None:
        self._counts: dict[str, _Counts] = {}
        self._lock = threading.Lock()

    def hit(self, item: RateLimitItem, identifier: str) -> bool:
        """Count one hit; ``False`` (and not counted) when it would pass ``item``'s limit."""
        period = item.get_expiry()
        now = time.time()
        with self._lock:
            counts = self._current(identifier, int(now // period))
            if math.floor(self._weighted(counts, now, period)) + 1 > item.amount:
                return False
            counts.current += 1
            return True

    def retry_after(self, item: RateLimitItem, identifier: str) -> int:
        """Whole seconds until one more hit would be allowed (at least 1)."""
        period = item.get_expiry()
        now = time.time()
        with self._lock:
            counts = self._current(identifier, int(now // period))
        window_end = (counts.window + 1) * period
        if counts.current >= item.amount or counts.previous == 0:
            return max(1, math.ceil(window_end - now))
        # The previous window's weight falls linearly to 0 at the end of this window.
        room = item.amount - 1 - counts.current  # hits the previous window may still weigh
        overlap_allowed = max(0.0, room / counts.previous)
        return max(1, math.ceil(window_end - overlap_allowed * period - now))

    def _current(self, identifier: str, window: int) -> _Counts:
        counts = self._counts.get(identifier)
        if counts is None:
            counts = self._counts[identifier] = _Counts(window, 0, 0)
        elif counts.window != window:
            previous = counts.current if counts.window == window - 1 else 0
            counts.window, counts.current, counts.previous = window, 0, previous
        return counts

    @staticmethod
    def _weighted(counts: _Counts, now: float, period: int) -> float:
        overlap = 1 - (now - counts.window * period) / period
        return counts.previous * overlap + counts.current
