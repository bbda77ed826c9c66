"""Grouping candidates by key row: equal rows land in one group, unequal rows never do."""

from __future__ import annotations

import numpy as np
import pytest

from warning import engine
from warning.engine import _unique_rows


def _reference(keys: np.ndarray) -> list[list[int]]:  # type: ignore[type-arg]
    groups: dict[tuple[int, ...], list[int]] = {}
    for n, row in enumerate(keys.tolist()):
        groups.setdefault(tuple(row), []).append(n)
    return sorted(groups.values())


@pytest.mark.parametrize(("count", "width"), [(1, 6), (300, 7), (5_000, 7), (2_000, 70)])
def test_rows_are_grouped_exactly_and_in_their_order(count: int, width: int) -> None:
    rng = np.random.default_rng(count)
    # few distinct values per column, so that many rows repeat; high bits set in some words
    keys = rng.integers(0, 3, size=(count, width)).astype(np.uint64)
    keys[:, 1] <<= np.uint64(40)
    keys[::7, 2] |= np.uint64(1 << 63)
    distinct, order, starts = _unique_rows(keys)
    ends = [*starts[1:].tolist(), len(order)]
    groups = [order[s:e].tolist() for s, e in zip(starts.tolist(), ends, strict=True)]
    assert sorted(groups) == _reference(keys)
    assert all(group == sorted(group) for group in groups)  # stable: profile order kept
    for row, group in zip(distinct.tolist(), groups, strict=True):
        assert all(keys[n].tolist() == row for n in group)


@pytest.mark.parametrize("count", [300, 3_000])
def test_rows_sharing_a_hash_are_still_grouped_exactly(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a hash that gives every row the same value: the exact fallback must do the grouping
    monkeypatch.setattr(
        engine, "_digest", lambda keys: np.zeros(len(keys), dtype=np.uint64) + np.uint64(7)
    )
    rng = np.random.default_rng(count)
    keys = rng.integers(0, 3, size=(count, 7)).astype(np.uint64)
    distinct, order, starts = engine._unique_rows(keys)
    ends = [*starts[1:].tolist(), len(order)]
    groups = [order[s:e].tolist() for s, e in zip(starts.tolist(), ends, strict=True)]
    assert sorted(groups) == _reference(keys)
    assert all(group == sorted(group) for group in groups)
    for row, group in zip(distinct.tolist(), groups, strict=True):
        assert all(keys[n].tolist() == row for n in group)
