"""Profiles as bit columns, so that thousands of chain and rights candidates are grouped in a
few numpy operations instead of a Python loop per profile.

Each profile's markets, chains and rights (by class) become 64-bit masks over the 64 most
common markets and chains of the index. A profile naming a market or chain outside those is
marked ``overflow`` and always looked at one by one (``ProfileIndex`` does that), so the
columns never have to be exact for it.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from warning._facts import RIGHT_CLASSES, ProfileFacts
from warning._memo import BoundedMemo

__all__ = ["ROW_WIDTH", "SOURCES_COLUMN", "SOURCE_BITS", "Columns"]

_BITS = 64
_OUTCOMES_LIMIT = 200_000
"""Rule outcomes kept with the columns (see ``warning.engine._outcome``)."""
ROW_WIDTH = 5
"""Columns of a key row: concerned markets, shared chains, patent markets, trademark markets,
lookups (``SOURCE_BITS``)."""
SOURCES_COLUMN = 4
SOURCE_BITS = {"chain": 1, "rights": 2, "hs": 4, "standards": 8}
"""The bit a candidate's key row sets for each lookup that found it."""
assert SOURCE_BITS["chain"] == 1  # ``Columns.keys`` writes it as a bool

_RIGHTS = ("patent", "trademark", *sorted(set(RIGHT_CLASSES.values()) - {"patent", "trademark"}))
"""Classes of right in the order of their ``Columns._table`` columns (after markets and
chains): patent and trademark first, at the columns they have in a key row."""


def _table(counts: Counter[str]) -> dict[str, int]:
    return {code: bit for bit, (code, _) in enumerate(counts.most_common(_BITS))}


def _mask(values: Iterable[str], table: dict[str, int]) -> int | None:
    """The bits of ``values``; None when one is outside the table."""
    mask = 0
    for value in values:
        bit = table.get(value)
        if bit is None:
            return None
        mask |= 1 << bit
    return mask


class Columns:
    """Market, chain and rights masks per profile position."""

    def __init__(self, facts: Sequence[ProfileFacts]) -> None:
        self.market_bits = _table(Counter(m for f in facts for m in f.markets))
        self.chain_bits = _table(Counter(c for f in facts for c in f.chains))
        self.market_codes = list(self.market_bits)  # by bit
        self.outcomes: BoundedMemo[tuple[Any, ...], bool] = BoundedMemo(_OUTCOMES_LIMIT)
        self.chain_codes = list(self.chain_bits)
        # markets, chains, then rights in ``_RIGHTS`` order, side by side: one gather per
        # item instead of one per column. Filled through flat 64-bit buffers: lists of
        # Python ints (an object per mask) cost a worker with 100,000 profiles some 20 MB
        # at the peak of building its index.
        flat = array("Q")
        overflow = array("B")
        for f in facts:
            market_mask = _mask(f.markets, self.market_bits)
            chain_mask = _mask(f.chains, self.chain_bits)
            overflow.append(market_mask is None or chain_mask is None)
            flat.append(market_mask or 0)
            flat.append(chain_mask or 0)
            for right in _RIGHTS:
                flat.append(_mask(f.right_markets(right), self.market_bits) or 0)
        width = 2 + len(_RIGHTS)
        self._table = np.frombuffer(flat, dtype=np.uint64).reshape(len(facts), width).copy()
        del flat
        self.markets = self._table[:, 0]  # views: no copies
        self.chains = self._table[:, 1]
        self.rights = {r: self._table[:, 2 + n] for n, r in enumerate(_RIGHTS)}
        self.overflow = np.frombuffer(overflow, dtype=np.uint8).astype(np.bool_)

    def _bits(self, values: Iterable[str], table: dict[str, int]) -> np.uint64:
        mask = 0
        for value in values:
            if value in table:
                mask |= 1 << table[value]
        return np.uint64(mask)

    def keys(
        self,
        positions: npt.NDArray[np.int32],
        chains: Iterable[str],
        markets: Iterable[str],
        ip_classes: Iterable[str],
        wanted: set[str],
        out: npt.NDArray[np.uint64],
    ) -> None:
        """Write into ``out`` (``ROW_WIDTH`` columns, a row per position) the key rows for
        ``positions`` against an item's chains, markets (all the codes it concerns) and
        classes of right; the last column has a ``SOURCE_BITS`` bit for each wanted lookup
        that finds the profile. Rows of overflow profiles mean nothing.
        """
        if not len(positions):
            return
        table = self._table.take(positions, axis=0)
        concerned, sources = out[:, 0], out[:, SOURCES_COLUMN]
        # rights markets are among the profile's markets: masked by the item's markets, they
        # are masked by the concerned ones. Column by column: numpy runs a loop per row over
        # a short last axis, which costs more than one call per column.
        markets_mask = self._bits(markets, self.market_bits)
        np.bitwise_and(table[:, 0], markets_mask, out=concerned)
        np.bitwise_and(table[:, 1], self._bits(chains, self.chain_bits), out=out[:, 1])
        np.bitwise_and(table[:, 2], markets_mask, out=out[:, 2])
        np.bitwise_and(table[:, 3], markets_mask, out=out[:, 3])
        if "chain" in wanted:  # shares a chain and exports to a concerned market
            np.logical_and(out[:, 1], concerned, out=sources)  # 1: SOURCE_BITS["chain"]
        else:
            sources[:] = 0
        if "rights" in wanted and ip_classes:
            columns = [2 + _RIGHTS.index(right) for right in ip_classes]
            # patent and trademark (columns 2 and 3) are masked in ``out`` already
            held = out[:, columns[0]] if columns[0] < 4 else table[:, columns[0]] & markets_mask
            for column in columns[1:]:
                held = held | (table[:, column] & markets_mask)
            np.bitwise_or(sources, np.uint64(SOURCE_BITS["rights"]), out=sources, where=held != 0)
