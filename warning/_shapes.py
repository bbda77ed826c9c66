"""Decisions kept per item shape, so that an item shaped like one seen before skips candidate
generation and the group decisions.

What ``warning.engine.decide_item`` decides for plain candidates is a function of the item's
shape: its chains, market codes (``ItemView.scope``), classes of right, HS codes, standards,
the term hits found in its text (kind and term, in text order: they number the key row
bits), and, per applicable rule, its ``when`` with the item facts it reads and the lookups
it is found through. Where in the text a term was found is not part of it: that is read
when alerts are written out, from the item's own hits.

Shapes repeat: items of one source follow its templates, and the same notice is published
again by several sources. Of the 170 sample items that ``make demo`` loads with rules that
apply, 105 repeated a shape already seen, matched against 10,000 bench profiles.

Not kept: items whose decisions depend on more than the shape (party evidence, "not us"
dismissals, profiles decided one by one, rules that read ``profile``; the engine does not
ask for those). The memo is bounded by the bytes its values hold (``MEMO_BYTES``) and
forgets the shapes least recently used first; a shape larger than an eighth of the bound is
not kept, so one large item does not crowd out the rest.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from warning.matching import _Coded

__all__ = ["MEMO_BYTES", "Shape", "ShapeMemo", "read_only"]

MEMO_BYTES = 8 * 1024 * 1024
"""Bytes the kept shapes hold at most: small next to a worker's index (a few hundred
shapes at 10,000 profiles; at 100,000, where each shape holds ten times the candidates, a
few dozen)."""

_LIST_BYTES = sys.getsizeof([]) + 8  # a list of group rows: its header and a pointer


class Shape(NamedTuple):
    """What a shape decided: the plain candidates with their key rows and shared codes, and
    their groups (``order``, ``starts``, the key row of each group) with the groups each
    applicable rule fires for, rules given by their place among the applicable ones. No
    groups when no rule fires. Arrays are read-only once kept."""

    plain: npt.NDArray[np.int32]
    plain_keys: npt.NDArray[np.uint64]
    codes: _Coded
    order: npt.NDArray[np.intp] | None = None
    starts: npt.NDArray[np.intp] | None = None
    listed: list[list[int]] | None = None
    fired: tuple[tuple[int, list[int]], ...] = ()

    def nbytes(self) -> int:
        """About the bytes the shape holds (arrays, and the group lists at a pointer per
        entry: their small ints are shared)."""
        arrays = (self.plain, self.plain_keys, self.order, self.starts)
        size = sum(a.nbytes for a in arrays if a is not None)
        size += self.codes.positions.nbytes + self.codes.ids.nbytes + self.codes.bits.nbytes
        listed = self.listed or []
        lists: list[list[Any]] = [listed, *listed, *(groups for _, groups in self.fired)]
        return size + _LIST_BYTES * len(lists) + 8 * sum(map(len, lists))


def read_only(*arrays: npt.NDArray[Any] | None) -> None:
    """Make ``arrays`` read-only (a kept value is shared by the items of its shape)."""
    for array in arrays:
        if array is not None:
            array.setflags(write=False)


class ShapeMemo:
    """Shapes by key, bounded by the bytes they hold; when full, the shapes least recently
    used are forgotten first."""

    def __init__(self, limit: int = MEMO_BYTES) -> None:
        self.limit = limit
        self._kept: dict[tuple[Any, ...], tuple[Shape, int]] = {}  # least recently used first
        self._held = 0
        self.hits = 0  # lookups that found a kept shape
        self.misses = 0

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def held(self) -> int:
        """Bytes held now."""
        return self._held

    def values(self) -> list[Shape]:
        """The shapes kept now."""
        return [shape for shape, _ in self._kept.values()]

    def get(self, key: tuple[Any, ...]) -> Shape | None:
        """The shape kept under ``key``, if any (now the most recently used)."""
        found = self._kept.pop(key, None)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._kept[key] = found
        return found[0]

    def remember(self, key: tuple[Any, ...], shape: Shape) -> None:
        """Keep ``shape``, forgetting the least recently used ones as needed (not when it
        holds more than an eighth of the bound)."""
        size = shape.nbytes()
        if size * 8 > self.limit or key in self._kept:
            return
        read_only(shape.plain, shape.plain_keys, shape.order, shape.starts)
        while self._kept and self._held + size > self.limit:
            oldest = next(iter(self._kept))
            self._held -= self._kept.pop(oldest)[1]
        self._kept[key] = (shape, size)
        self._held += size
