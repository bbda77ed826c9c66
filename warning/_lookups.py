"""The parts a ``ProfileIndex`` is built from: lookup lists while profiles are read, the
arrays they become, and the word index for Latin terms."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from warning import _cues
from warning._facts import ProfileFacts, term_forms

__all__ = ["BuildLists", "SharedPositions", "WordIndex", "arrays", "positions_array"]

_K = TypeVar("_K")


def positions_array(values: Iterable[int]) -> npt.NDArray[np.int32]:
    return np.fromiter(sorted(set(values)), dtype=np.int32)


class SharedPositions:
    """``positions_array`` for an index build, with one shared read-only array per single
    position: most lookup lists hold one position (a company name is one profile's, a block
    key often one name's), and at 100,000 profiles some 300,000 such arrays of one number
    took about 30 MB, mostly numpy's per-array overhead, though only one per position is
    needed."""

    def __init__(self) -> None:
        self._single: dict[int, npt.NDArray[np.int32]] = {}

    def __call__(self, values: list[int]) -> npt.NDArray[np.int32]:
        first = values[0] if values else None
        if first is None or any(v != first for v in values):
            return positions_array(values)
        held = self._single.get(first)
        if held is None:
            held = self._single[first] = np.array([first], dtype=np.int32)
            held.flags.writeable = False
        return held


class BuildLists:
    """Lookup lists while the index is built (turned into arrays afterwards)."""

    def __init__(self) -> None:
        self.by_chain: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_hs: dict[str, list[int]] = defaultdict(list)
        self.by_standard: dict[str, list[int]] = defaultdict(list)
        self.by_right: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_block: dict[str, list[int]] = defaultdict(list)
        self.terms: dict[str, dict[tuple[str, str], list[int]]] = defaultdict(dict)
        self.markets: dict[str, None] = {}
        self.names: list[str] = []  # normalised party names, words sorted, by name id
        self.name_owner: list[int] = []  # the profile position of each name id
        self.name_slot: list[int] = []  # its place in that profile's party_names

    def add(self, facts: ProfileFacts) -> None:
        pos = facts.position
        for chain in facts.chains:
            for market in facts.markets:
                self.by_chain[(chain, market)].append(pos)
        for code in facts.hs:
            self.by_hs[code[:4]].append(pos)
        for standard in facts.standards:
            self.by_standard[standard].append(pos)
        self.markets.update(dict.fromkeys(facts.markets))
        for right, markets in facts.rights_items:
            for market in markets:
                self.by_right[(right, market)].append(pos)
        for slot, (norm, _, _) in enumerate(facts.party_names):
            name_id = len(self.names)
            self.names.append(norm)
            self.name_owner.append(pos)
            self.name_slot.append(slot)
            for key in _cues.block_keys(norm):
                self.by_block[key].append(name_id)
        for lower, term, kind in facts.terms:
            self.terms[lower].setdefault((term, kind), []).append(pos)

    def add_forms(self) -> None:
        """Add the other forms of product terms (``term_forms``) to ``terms``, owned as the
        term is: once per distinct term, after every profile is read (a form per profile
        would cost the index a third more memory at 100,000 profiles). A form that is also
        some profile's own term gets both owner lists."""
        extra: dict[str, dict[tuple[str, str], list[int]]] = defaultdict(dict)
        for lower, owners in self.terms.items():
            for key, positions in owners.items():
                for form in term_forms(lower, key[1])[1:]:
                    _share(extra[form], key, positions)
        for form, owners in extra.items():
            mine = self.terms[form]
            for key, positions in owners.items():
                _share(mine, key, positions)


def _share(owners: dict[tuple[str, str], list[int]], key: tuple[str, str], add: list[int]) -> None:
    """Own ``add`` under ``key``: the same list when there is none yet (lists are only read
    from here on), else a new list of both."""
    held = owners.get(key)
    owners[key] = add if held is None else held + add


_RUN = re.compile(r"[A-Za-z0-9]+")


class WordIndex:
    """Latin terms by their first one or two letter-digit runs: finds every occurrence that
    starts a run, which are the only ones a Latin term may match (word boundaries).

    It replaces the Aho-Corasick automaton for such terms because 100,000 profiles bring
    200,000 distinct company names, and a character trie of them takes hundreds of megabytes;
    Chinese terms (matched anywhere) stay in the automaton.
    """

    def __init__(self) -> None:
        self._one: dict[str, list[int]] = {}
        self._two: dict[str, list[int]] = {}

    def add(self, lower: str, slot: int) -> bool:
        """Index ``lower`` under ``slot``; False when it is not a Latin term starting a run."""
        first = _RUN.match(lower)
        if first is None or _cues.has_cjk(lower):
            return False
        second = _RUN.search(lower, first.end())
        if second is None:
            self._one.setdefault(first.group(), []).append(slot)
        else:
            self._two.setdefault(lower[: second.end()], []).append(slot)
        return True

    def find(self, lower: str) -> list[tuple[int, int]]:
        """(start, slot) for each run start where an indexed term's key begins."""
        runs = list(_RUN.finditer(lower))
        one, two = self._one, self._two
        last = len(runs) - 1
        out: list[tuple[int, int]] = []
        for n, run in enumerate(runs):
            start = run.start()
            slots = one.get(run.group())
            if slots:
                out += [(start, slot) for slot in slots]
            if two and n < last:
                slots = two.get(lower[start : runs[n + 1].end()])
                if slots:
                    out += [(start, slot) for slot in slots]
        return out


def arrays(lists: dict[_K, list[int]], convert: SharedPositions) -> dict[_K, npt.NDArray[np.int32]]:
    """The lists as arrays, emptying ``lists`` on the way (the peak memory of a build)."""
    out = {}
    while lists:
        key, values = lists.popitem()
        out[key] = convert(values)
    return out
