"""Deciding groups of plain candidates: which parts of a key row each rule's outcome reads.

A key row (see ``warning.matching.Candidates``) holds, for one profile, what the item
concerns of it. A rule's ``when`` reads only a few ``match`` fields, and ``candidates`` names
the lookups it applies through; so two rows that agree on those columns (and on the term-hit
bits of the kinds it reads) give the same outcome. ``RowKey`` projects a row to exactly that,
so a rule runs once per distinct projection of an item, not once per distinct row. A rule
that names a field not listed here is keyed on the whole row (always correct, only slower).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from warning._columns import SOURCE_BITS, Columns
from warning._memo import BoundedMemo
from warning.matching import KEY_WIDTH, Candidates, TermHit
from warning.rules import Rule

__all__ = ["RowKey", "RowMatch", "kind_masks"]

_MARKETS, _CHAINS, _PATENT, _TRADEMARK, _SOURCES, _CODES = range(KEY_WIDTH)

_FIELD_COLUMNS: dict[str, tuple[int, ...]] = {
    "markets": (_MARKETS,),
    "chains": (_CHAINS,),
    "hs": (_CODES,),
    "standards": (_CODES,),
    "patent_markets": (_MARKETS, _PATENT),
    "no_patent_markets": (_MARKETS, _PATENT),
    "trademark_markets": (_MARKETS, _TRADEMARK),
    "no_trademark_markets": (_MARKETS, _TRADEMARK),
    # plain candidates have no party evidence: these are the same (empty) for every row
    "parties": (),
    "competitor_parties": (),
    "party_score": (),
}
"""The key row columns each ``match`` field is a function of."""

_FIELD_KINDS = {
    "names": "name",
    "competitors": "competitor",
    "keywords": "keyword",
    "watch_terms": "watch_term",
}
"""``match`` fields (and lookups) read from term hits, by the kind of hit."""
_KINDS = tuple(_FIELD_KINDS.values())


def kind_masks(hits: Sequence[TermHit]) -> dict[str, tuple[int, ...]]:
    """Per kind of term hit, the bits of the hits of that kind, in 64-bit words."""
    if not hits:
        return {}
    words = (len(hits) + 63) // 64
    masks: dict[str, list[int]] = {}
    for bit, hit in enumerate(hits):
        mask = masks.get(hit.kind)
        if mask is None:
            mask = masks[hit.kind] = [0] * words
        mask[bit >> 6] |= 1 << (bit & 63)
    return {kind: tuple(masks[kind]) for kind in _KINDS if kind in masks}


def _picker(columns: tuple[int, ...]) -> Callable[[Sequence[int]], tuple[int, ...]]:
    """A function returning ``tuple(row[c] for c in columns)``, fast."""
    if len(columns) > 1:
        return itemgetter(*columns)
    if columns:
        only = columns[0]
        return lambda row: (row[only],)
    return lambda row: ()


@dataclass(frozen=True, slots=True)
class _Static:
    """The parts of a ``RowKey`` that depend on the rule alone."""

    columns: tuple[int, ...]
    source_bits: int
    kinds: frozenset[str]
    found_by: frozenset[str]
    whole: bool


_STATIC: dict[tuple[str, tuple[str, ...]], _Static] = {}


def _static(rule: Rule) -> _Static:
    slot = (rule.when, tuple(rule.candidates))
    found = _STATIC.get(slot)
    if found is None:
        fields = rule.match_fields
        unknown = [f for f in fields if f not in _FIELD_COLUMNS and f not in _FIELD_KINDS]
        bits = 0
        for source in rule.candidates:
            bits |= SOURCE_BITS.get(source, 0)
        found = _STATIC[slot] = _Static(
            tuple(sorted({c for f in fields for c in _FIELD_COLUMNS.get(f, ())})),
            bits,
            frozenset(_FIELD_KINDS[f] for f in [*fields, *rule.candidates] if f in _FIELD_KINDS),
            frozenset(_FIELD_KINDS[f] for f in rule.candidates if f in _FIELD_KINDS),
            bool(unknown),
        )
    return found


@dataclass(frozen=True, slots=True)
class RowKey:
    """The part of a key row that decides one rule's outcome."""

    columns: tuple[int, ...]
    source_bits: int
    terms: tuple[tuple[int, int], ...]  # (column, mask) pairs over the term-hit words
    found_by: tuple[tuple[int, int], ...]  # the same for the term kinds it is found through
    whole: bool
    stable: bool = False
    """Whether projections mean the same on every item of the index (no term-hit bits or
    code ids, which are numbered per item)."""
    _pick: Callable[[Sequence[int]], tuple[int, ...]] = field(
        default=lambda row: (), compare=False, repr=False
    )

    @classmethod
    def of(cls, rule: Rule, masks: dict[str, tuple[int, ...]]) -> RowKey:
        """The projection for ``rule`` on an item whose term hits have these ``masks``."""
        static = _static(rule)
        terms = _word_masks(static.kinds, masks)
        return cls(
            static.columns,
            static.source_bits,
            terms,
            _word_masks(static.found_by, masks),
            static.whole,
            not (static.whole or terms or _CODES in static.columns),
            _picker(static.columns),
        )

    @classmethod
    def cached(cls, rule: Rule, masks: dict[str, tuple[int, ...]]) -> RowKey:
        """``of``, kept per rule and masks (items repeat the same few masks)."""
        slot = (rule.when, tuple(rule.candidates), *masks.items())
        found = _KEYS.get(slot)
        if found is None:
            found = _KEYS.remember(slot, cls.of(rule, masks))
        return found

    @property
    def narrow(self) -> bool:
        """Whether the projection reads only the columns before the term-hit words (then it
        is the same for every row that agrees on those)."""
        return not (self.whole or self.terms or self.found_by)

    def __call__(self, row: Sequence[int]) -> tuple[Any, ...] | None:
        """The projection of ``row`` (equal projections, equal outcomes); None when none of
        the rule's lookups found the profile (the rule does not apply)."""
        sources = row[_SOURCES] & self.source_bits
        if not sources:
            for column, mask in self.found_by:
                if row[column] & mask:
                    break
            else:
                return None
        if self.whole:
            return tuple(row)
        if self.terms:
            return (sources, *self._pick(row), *[row[c] & mask for c, mask in self.terms])
        return (sources, *self._pick(row))

    def firing(
        self,
        rows: Sequence[Sequence[int]],
        decide: Callable[[tuple[Any, ...], Sequence[int]], bool],
    ) -> list[int]:
        """The indices of the ``rows`` the rule fires for, ``decide`` telling the outcome of a
        projection (given with the first row that has it) once per distinct projection.
        Rows the rule does not apply to are skipped; the common keys (found through lookup
        bits, reading a few columns) are projected here without a call per row."""
        general = self.found_by or self.whole or self.terms
        bits, pick = self.source_bits, self._pick
        outcomes: dict[tuple[Any, ...], bool] = {}
        out = []
        for n, row in enumerate(rows):
            if general:
                projection = self(row)
                if projection is None:
                    continue
            else:
                sources = row[_SOURCES] & bits
                if not sources:
                    continue
                projection = (sources, *pick(row))
            fired = outcomes.get(projection)
            if fired is None:
                fired = outcomes[projection] = decide(projection, row)
            if fired:
                out.append(n)
        return out

    def meaning(self, projection: Sequence[int], found: Candidates) -> tuple[Any, ...] | None:
        """The projection in values that mean the same on every item: the code id as the
        HS codes and standards it stands for, the term-hit bits as the (kind, term) of their
        hits (what ``match`` reads of them). Equal meanings, equal outcomes, on any item
        with equal facts; None for a key on whole rows."""
        if self.whole:
            return None
        width = 1 + len(self.columns)
        head: list[Any] = list(projection[:width])
        if _CODES in self.columns:
            at = 1 + self.columns.index(_CODES)
            hs, named = found.codes.shared(int(head[at]))
            head[at] = (tuple(hs), tuple(named))
        hits = found.hits
        terms = set()
        for (column, _), word in zip(self.terms, projection[width:], strict=True):
            first, bits = (column - KEY_WIDTH) * 64, int(word)
            while bits:
                low = bits & -bits
                hit = hits[first + low.bit_length() - 1]
                terms.add((hit.kind, hit.term))
                bits ^= low
        return (*head, tuple(sorted(terms)))

    def project(
        self, rows: npt.NDArray[np.uint64]
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.uint64]]:
        """``__call__`` over many rows at once: the indices of the rows the rule applies to,
        and their projections (one row each, the same values as ``__call__`` gives)."""
        applies = (rows[:, _SOURCES] & np.uint64(self.source_bits)) != 0
        for column, mask in self.found_by:
            applies |= (rows[:, column] & np.uint64(mask)) != 0
        kept = np.flatnonzero(applies)
        if self.whole:
            return kept, rows[kept]
        chosen = rows[kept]
        parts = [chosen[:, _SOURCES] & np.uint64(self.source_bits)]
        parts += [chosen[:, c] for c in self.columns]
        parts += [chosen[:, c] & np.uint64(mask) for c, mask in self.terms]
        return kept, np.stack(parts, axis=1)


_KEYS: BoundedMemo[tuple[Any, ...], RowKey] = BoundedMemo(10_000)


def _word_masks(
    kinds: AbstractSet[str], masks: dict[str, tuple[int, ...]]
) -> tuple[tuple[int, int], ...]:
    """(key row column, mask) for the term-hit words holding hits of these kinds."""
    if not masks or not kinds:
        return ()
    words: dict[int, int] = {}
    for kind in kinds:
        for word, mask in enumerate(masks.get(kind, ())):
            words[KEY_WIDTH + word] = words.get(KEY_WIDTH + word, 0) | mask
    return tuple((column, mask) for column, mask in sorted(words.items()) if mask)


def _decode(mask: int, codes: Sequence[str]) -> list[str]:
    out = []
    while mask:
        low = mask & -mask
        out.append(codes[low.bit_length() - 1])
        mask ^= low
    return out


def _terms(match: RowMatch, kind: str) -> list[str]:
    hits = match.found.hits
    terms = set()
    for word, bits in enumerate(match.row[KEY_WIDTH:]):
        while bits:
            low = bits & -bits
            hit = hits[word * 64 + low.bit_length() - 1]
            if hit.kind == kind:
                terms.add(hit.term)
            bits ^= low
    return sorted(terms)


def _markets(match: RowMatch, mask: int) -> list[str]:
    return _decode(mask, match.columns.market_codes)


_ROW_FIELDS: dict[str, Callable[[RowMatch], Any]] = {
    "markets": lambda m: _markets(m, m.row[_MARKETS]),
    "chains": lambda m: _decode(m.row[_CHAINS], m.columns.chain_codes),
    "names": lambda m: _terms(m, "name"),
    "competitors": lambda m: _terms(m, "competitor"),
    "keywords": lambda m: _terms(m, "keyword"),
    "watch_terms": lambda m: _terms(m, "watch_term"),
    "parties": lambda m: [],
    "competitor_parties": lambda m: [],
    "party_score": lambda m: 0.0,
    "hs": lambda m: m.found.codes.shared(m.row[_CODES])[0],
    "standards": lambda m: m.found.codes.shared(m.row[_CODES])[1],
    "patent_markets": lambda m: _markets(m, m.row[_PATENT]),
    "no_patent_markets": lambda m: _markets(m, m.row[_MARKETS] & ~m.row[_PATENT]),
    "trademark_markets": lambda m: _markets(m, m.row[_TRADEMARK]),
    "no_trademark_markets": lambda m: _markets(m, m.row[_MARKETS] & ~m.row[_TRADEMARK]),
}


class RowMatch(dict[str, Any]):
    """The ``match`` of a plain candidate read straight from its key row, for rule
    conditions (lists hold the same values as ``warning._context.Match``, in bit order:
    conditions do not depend on order). Fields are filled in when first read.

    Raises:
        KeyError: for a field that ``match`` does not have.
    """

    def __init__(self, row: Sequence[int], found: Candidates, columns: Columns) -> None:
        super().__init__()
        self.row: Sequence[int] = row
        self.found: Candidates = found
        self.columns: Columns = columns

    def __missing__(self, key: str) -> Any:
        value = self[key] = _ROW_FIELDS[key](self)
        return value
