"""The garbage-collector pause around report assembly and batch tagging: on again when the last pause ends."""

from __future__ import annotations

import gc
import threading

import pytest

from core.gc_pause import collector_paused


def test_collector_is_back_on_after_a_failing_block() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        assert not gc.isenabled()
        raise RuntimeError("assembly failed")
    assert gc.isenabled()


def test_overlapping_pauses_keep_the_collector_off_until_the_last_ends() -> None:
    first_open, second_done = threading.Event(), threading.Event()
    seen: list[bool] = []

    def first() -> None:
        with collector_paused():
            first_open.set()
            second_done.wait(5)
            seen.append(gc.isenabled())

    thread = threading.Thread(target=first)
    thread.start()
    first_open.wait(5)
    with collector_paused():
        pass
    still_off = not gc.isenabled()
    second_done.set()
    thread.join(5)
    assert still_off
    assert seen == [False]
    assert gc.isenabled()
