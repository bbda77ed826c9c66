"""Large blocks freed while a structure is built go back to the system (``core.heap``).

Each case runs in a fresh interpreter, so that glibc's malloc starts from its defaults. Both
free a 20 MB block, which (unguarded) raises glibc's mmap threshold to 20 MB; then they make
and free a 16 MB one, and report how much of it stayed resident.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from core.heap import _glibc

pytestmark = pytest.mark.skipif(_glibc() is None, reason="the C library is not glibc")

_CHILD = """
import sys
from contextlib import nullcontext
from core.heap import building_large

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

MB = 1024 * 1024
first = bytearray(20 * MB)  # freed: glibc raises its mmap threshold to 20 MB
del first
guard = building_large() if sys.argv[1] == "guarded" else nullcontext()
with guard:
    before = rss_mb()
    second = bytearray(b"\x01") * (16 * MB)  # filled, so every page is touched
    del second
    after = rss_mb()
print(after - before)
"""


def _resident_after_free(mode: str) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, mode], check=True, capture_output=True, text=True
    )
    return float(done.stdout.strip())


def test_a_large_block_freed_while_building_is_given_back_to_the_system() -> None:
    assert _resident_after_free("guarded") < 4


def test_without_the_guard_glibc_keeps_such_a_block_resident() -> None:
    # what the guard is for: the same steps unguarded leave the freed block in the heap
    assert _resident_after_free("plain") > 12
