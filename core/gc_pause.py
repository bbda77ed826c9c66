"""Pausing Python's cyclic garbage collector while many fresh, acyclic objects are made.

Report assembly and batch tagging use it. A briefing decodes some 10,000 item rows (each a
few dicts and lists of its JSON) and keeps them all until it is assembled. None of them are
garbage, and none form reference cycles, but every few hundred allocations the collector
walks the young ones, and every hundred of those passes the whole heap again: a third of the
assembly's time on 200,000 items, for nothing to collect. Tagging a batch is alike: 2,000
items left no cycle to collect, and the passes cost 5-8 % of the time. Paused, what cycles
other code makes meanwhile wait for the next pass.

The collector is process-wide, so overlapping pauses (API threads assembling two briefings,
or tagging while a briefing is assembled) are counted: it comes back on when the last one
ends, and only if it was on when the first began.

The other side: a structure kept for the life of a process (the worker's matching index) is
taken out of the collector's passes once built (``settle_long_lived``), and given back
before it is replaced (``unsettle``).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pauses:
    """How many pauses are open, and whether the collector was on before the first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open = 0
        self.was_enabled = False


_PAUSES = _Pauses()


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block (see the module docstring)."""
    with _PAUSES.lock:
        if _PAUSES.open == 0:
            _PAUSES.was_enabled = gc.isenabled()
            gc.disable()
        _PAUSES.open += 1
    try:
        yield
    finally:
        with _PAUSES.lock:
            _PAUSES.open -= 1
            if _PAUSES.open == 0 and _PAUSES.was_enabled:
                gc.enable()


def settle_long_lived() -> None:
    """Keep every object alive now out of the collector's future passes (``gc.freeze``),
    after collecting what is garbage already.

    For a large structure kept for the life of a process, as the worker's matching index:
    at 100,000 profiles it holds millions of tuples and strings, and each full pass of the
    collector walked them all, 0.7-0.9 s in the middle of some item's matching, to free
    nothing. Frozen objects are still freed by reference counting; only reference cycles
    among them wait until ``unsettle`` (call it before dropping such a structure).
    """
    gc.collect()
    gc.freeze()


def unsettle() -> None:
    """Return the frozen objects to the collector (``gc.unfreeze``): call it before a
    structure kept by ``settle_long_lived`` is replaced, so that whatever cycles it holds
    can be collected."""
    gc.unfreeze()
