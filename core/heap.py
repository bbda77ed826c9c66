"""Giving freed memory back to the system while a large, long-lived structure is built.

glibc's ``malloc`` serves blocks over its mmap threshold (128 KB at start) with their own
mapping, returned to the system when freed. After such a block is freed it raises the
threshold to that block's size (up to 32 MB), so that later large blocks come from the heap,
where freed memory stays resident for reuse. That suits a process making and dropping large
temporaries; it does not suit building the worker's matching index, which grows tables and
lists, drops them, and keeps what it built: at 100,000 profiles 21 MB of freed heap stayed
resident after the build, and the build peaked 8-10 MB higher than with the threshold held
at 128 KB (``benchmarks/bench_memory.py``).

``building_large`` holds the threshold at 128 KB for the block, then sets it to 32 MB (so
that large temporaries of the work that follows, such as per-item arrays over every
profile, are reused from the heap instead of mapped and zeroed each time) and trims the
heap. Both are glibc's documented ``mallopt`` and ``malloc_trim``; elsewhere (musl, macOS)
it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

M_MMAP_THRESHOLD = -3  # glibc's <malloc.h>
BUILD_THRESHOLD = 128 * 1024  # glibc's initial value
AFTER_THRESHOLD = 32 * 1024 * 1024  # glibc's largest dynamic value on 64-bit

_LOCK = threading.Lock()


@lru_cache(maxsize=1)
def _glibc() -> Any | None:
    """The C library when it is glibc (it has ``mallopt`` and ``malloc_trim``), else None."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
    except OSError:
        return None
    if not (hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim")):
        return None
    return libc


@contextmanager
def building_large() -> Iterator[None]:
    """Large blocks freed during the block go back to the system at once (see above)."""
    libc = _glibc()
    if libc is None:
        yield
        return
    with _LOCK:
        libc.mallopt(M_MMAP_THRESHOLD, BUILD_THRESHOLD)
    try:
        yield
    finally:
        with _LOCK:
            libc.mallopt(M_MMAP_THRESHOLD, AFTER_THRESHOLD)
            libc.malloc_trim(0)
