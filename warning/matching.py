"""Candidate generation: which profiles could an item concern, and on what evidence.

An index over the profiles answers, per item, with the profiles that share a chain, whose
names, competitors, product keywords or watch terms occur in the text (one Aho-Corasick scan),
whose HS codes or standards the item names, or that hold a right of the item's IP type in a
market the item concerns. Party names are blocked on shared tokens before fuzzy scoring
(rapidfuzz). ``naive_*`` functions find the same evidence by brute force: they are the
reference that the index must agree with, and the baseline of the benchmark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import ahocorasick
import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from core.heap import building_large
from core.types import EnterpriseProfile
from warning import _cues
from warning._columns import ROW_WIDTH, SOURCE_BITS, SOURCES_COLUMN, Columns
from warning._facts import (
    _FIELDS,
    _NAME_KINDS,
    PARTY_THRESHOLD,
    Interner,
    ItemView,
    PartyHit,
    ProfileFacts,
    TermHit,
    _Party,
    term_forms,
)
from warning._lookups import BuildLists, SharedPositions, WordIndex, arrays, positions_array
from warning._shapes import ShapeMemo
from warning.jurisdictions import group_members

__all__ = [
    "PARTY_THRESHOLD",
    "Candidates",
    "ItemView",
    "PartyHit",
    "ProfileFacts",
    "ProfileIndex",
    "TermHit",
    "naive_party_hits",
    "naive_term_hits",
]


def _hs_related(item_code: str, profile_code: str) -> bool:
    shorter = min(len(item_code), len(profile_code))
    return shorter >= 4 and item_code[:shorter] == profile_code[:shorter]


def naive_term_hits(view: ItemView, facts: ProfileFacts) -> list[TermHit]:
    """Every occurrence of every profile term, by brute-force search (the reference)."""
    hits = []
    for lower, term, kind in facts.terms:
        for form in term_forms(lower, kind):
            start = view.lower.find(form)
            while start >= 0:
                hit = view.hit(kind, term, start, start + len(form))
                if hit is not None:
                    hits.append(hit)
                start = view.lower.find(form, start + 1)
    return sorted(hits, key=_hit_order)


def _hit_order(hit: TermHit) -> tuple[int, str, str, str]:
    return (_FIELDS.index(hit.field) * 10**9 + hit.start, hit.kind, hit.term, hit.text)


def _score(party: _Party, norm: str) -> float:
    return float(fuzz.token_sort_ratio(party.norm, norm))


def naive_party_hits(view: ItemView, facts: ProfileFacts) -> list[PartyHit]:
    """Every party scoring at least the threshold against any profile name (the reference)."""
    return _party_hits(view.parties, facts)


def _party_hits(
    parties: Iterable[_Party],
    facts: ProfileFacts,
    scores: dict[tuple[str, str], float] | None = None,
) -> list[PartyHit]:
    """Fuzzy party matches against the profile's names; ``scores`` caches pairs already scored
    (competitor names recur across many profiles)."""
    best: dict[tuple[str, str], PartyHit] = {}
    for party in parties:
        for norm, original, kind in facts.party_names:
            if scores is None:
                score = _score(party, norm)
            else:
                score = scores.get((party.norm, norm), -1.0)
                if score < 0:
                    score = scores[(party.norm, norm)] = _score(party, norm)
            if score < PARTY_THRESHOLD:
                continue
            hit = PartyHit(kind, party.name, party.role, original, score, party.norm)
            previous = best.get((kind, party.name))
            if previous is None or score > previous.score:
                best[(kind, party.name)] = hit
    return sorted(best.values(), key=lambda h: (h.kind, -h.score, h.party))


def naive_hs(view: ItemView, facts: ProfileFacts) -> list[str]:
    """The profile's HS codes that an item code names (either is a prefix of the other)."""
    return [code for code in facts.hs if any(_hs_related(i, code) for i in view.hs)]


def concerned_markets(view: ItemView, facts: ProfileFacts) -> list[str]:
    """The profile's destinations that the item concerns, in the profile's order."""
    out = []
    for market in facts.markets:
        for code in view.scope:
            members = group_members(code)
            if code == market or (members is not None and ("*" in members or market in members)):
                out.append(market)
                break
    return out


def holds_right_in_market(view: ItemView, facts: ProfileFacts) -> bool:
    """Whether the profile holds a right of the item's IP type in a market the item concerns."""
    markets = set(concerned_markets(view, facts))
    return any(markets & facts.right_markets(right) for right in view.ip_classes)


@dataclass(slots=True)
class Evidence:
    """What one candidate profile shares with the item, and through which lookups."""

    sources: set[str] = field(default_factory=set)
    terms: list[TermHit] = field(default_factory=list)
    parties: list[PartyHit] = field(default_factory=list)


_TERM_SOURCE = {
    "name": "names",
    "competitor": "competitors",
    "keyword": "keywords",
    "watch_term": "watch_terms",
}
_EMPTY = np.zeros(0, dtype=np.int32)
KEY_WIDTH = ROW_WIDTH + 1
"""Key row columns before the term-hit words: the ``Columns`` row, then the codes column (an
id per distinct pair of shared HS codes and standards, 0 for none)."""


@dataclass(frozen=True, slots=True)
class _Coded:
    """Profiles sharing codes with an item: sorted positions, code ids (equal ids, equal
    shared HS codes and standards) and the ``SOURCE_BITS`` each sets."""

    positions: npt.NDArray[np.int32]
    ids: npt.NDArray[np.uint64]
    bits: npt.NDArray[np.uint64]
    hs: tuple[tuple[str, ...], ...] = ()  # the shared HS codes of HS id n at n - 1
    standards: tuple[tuple[str, ...], ...] = ()  # the same for standards

    def within(self, every: npt.NDArray[np.int32]) -> _Coded:
        """The same for the positions that are also in ``every`` (sorted)."""
        kept = _found(every, every.searchsorted(self.positions), self.positions)
        if np.count_nonzero(kept) == len(kept):
            return self
        return _Coded(
            self.positions[kept], self.ids[kept], self.bits[kept], self.hs, self.standards
        )

    def shared(self, code_id: int) -> tuple[list[str], list[str]]:
        """The (HS codes, standards) a code id stands for."""
        hs, named = code_id >> 32, code_id & 0xFFFFFFFF
        return (
            list(self.hs[hs - 1]) if hs else [],
            list(self.standards[named - 1]) if named else [],
        )


_NO_CODES = _Coded(_EMPTY, np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint64))


@dataclass(slots=True)
class Candidates:
    """The profiles an item could concern, split by how much they must be looked at.

    ``detailed`` maps a position to its evidence: profiles with party evidence, profiles with
    "not us" dismissals, and profiles the bit columns cannot describe. ``plain`` holds the
    others, with one key row each (``plain_keys``: the ``Columns`` row, the codes column, then
    bit words over ``hits``, the term hits found in the text). Equal rows mean equal
    evidence and equal rule outcomes, so each distinct row is decided once.
    """

    detailed: dict[int, Evidence]
    plain: npt.NDArray[np.int32]
    plain_keys: npt.NDArray[np.uint64]
    hits: list[TermHit]
    codes: _Coded = _NO_CODES

    def evidence(self, row: Sequence[int]) -> Evidence:
        """The evidence a key row stands for (a new object each time)."""
        terms = sorted(_bits(self.hits, row[KEY_WIDTH:]), key=_hit_order)
        sources = {name for name, bit in SOURCE_BITS.items() if row[SOURCES_COLUMN] & bit}
        sources.update(_TERM_SOURCE[h.kind] for h in terms)
        return Evidence(sources=sources, terms=terms)


def _bits(hits: list[TermHit], words: Sequence[int]) -> list[TermHit]:
    out = []
    for word_no, word in enumerate(words):
        word = int(word)
        while word:
            low = word & -word
            out.append(hits[word_no * 64 + low.bit_length() - 1])
            word ^= low
    return out


class ProfileIndex:
    """Profiles indexed for candidate generation (build once, query per item).

    Profiles are read once (an iterator is fine: the pydantic objects are not kept) and held
    as compact ``ProfileFacts``; lookup lists are numpy arrays of positions.
    """

    def __init__(self, profiles: Iterable[EnterpriseProfile], as_of: date | None = None) -> None:
        self.as_of = as_of or date.today()
        intern = Interner()
        self.facts: list[ProfileFacts] = []
        lists = BuildLists()
        self._terms: list[tuple[tuple[str, str, npt.NDArray[np.int32]], ...]] = []
        self._forms: list[str] = []  # the lower-case form each slot of ``_terms`` looks for
        self._names_at: set[int] = set()  # slots holding a company name (``names_company``)
        self._automaton = ahocorasick.Automaton()
        for position, profile in enumerate(profiles):
            facts = ProfileFacts.of(position, profile, self.as_of, intern)
            self.facts.append(facts)
            lists.add(facts)
        # the interner's table (every distinct value of 100,000 profiles: some 20 MB) is not
        # needed once they are read; dropped here, before the term lists are built, it is
        # not part of the build's peak
        del intern
        self.by_id = {f.id: f for f in self.facts}
        self._hs_key, self._hs_values = _value_ids(f.hs for f in self.facts)
        self._standard_key, self._standard_values = _value_ids(f.standards for f in self.facts)
        self._markets = set(lists.markets)
        convert = SharedPositions()  # profile positions (name ids have their own)
        self._by_chain = arrays(lists.by_chain, convert)
        self._by_hs = arrays(lists.by_hs, convert)
        self._by_standard = arrays(lists.by_standard, convert)
        self._by_right = arrays(lists.by_right, convert)
        self._by_block = arrays(lists.by_block, SharedPositions())  # block key -> name ids
        self._names = lists.names
        self._name_owner = np.array(lists.name_owner, dtype=np.int32)
        self._name_slot = np.array(lists.name_slot, dtype=np.int16)
        lists.name_owner.clear()  # as Python lists they are freed before the terms are built,
        lists.name_slot.clear()  # which reuse the memory (4 MB off the peak at 100,000)
        self._words = WordIndex()
        lists.add_forms()
        while lists.terms:
            lower, owners = lists.terms.popitem()
            slot = len(self._terms)
            if not self._words.add(lower, slot):
                self._automaton.add_word(lower, slot)
            self._terms.append(
                tuple(
                    (term, kind, convert(positions)) for (term, kind), positions in owners.items()
                )
            )
            self._forms.append(lower)
            if any(kind in _NAME_KINDS for _, kind in owners):
                self._names_at.add(slot)
        del lists  # its remaining lists (name owners and slots) before the columns are built
        # whether a term without Chinese characters is in the automaton (else a text
        # without them cannot match, and is not scanned)
        self._automaton_latin = False
        if len(self._automaton):
            self._automaton.make_automaton()
            self._automaton_latin = not all(map(_cues.has_cjk, self._automaton.keys()))
        self.columns = Columns(self.facts)
        self._overflows = bool(self.columns.overflow.any())  # some profile is looked at alone
        self.shapes = ShapeMemo()  # decisions per item shape (``warning._shapes``)

    @classmethod
    def build(
        cls, profiles: Iterable[EnterpriseProfile], as_of: date | None = None
    ) -> ProfileIndex:
        """Index the given profiles (large blocks freed meanwhile go back to the system:
        ``core.heap``)."""
        with building_large():
            return cls(profiles, as_of)

    def scan(self, view: ItemView) -> tuple[list[TermHit], list[npt.NDArray[np.int32]]]:
        """Every term hit in the text (in text order), with the positions of the profiles
        that own it."""
        hits: list[TermHit] = []
        owners: list[npt.NDArray[np.int32]] = []
        found = list(self._words.find(view.lower))
        if len(self._automaton) and (self._automaton_latin or _cues.has_cjk(view.lower)):
            forms = self._forms
            found += [
                (last + 1 - len(forms[slot]), slot)
                for last, slot in self._automaton.iter(view.lower)
            ]
        for start, slot in found:
            lower = self._forms[slot]
            if not view.lower.startswith(lower, start):
                continue
            end = start + len(lower)
            span = view.span(lower, start, end)
            if span is None:
                continue
            named = slot in self._names_at
            for term, kind, positions in self._terms[slot]:
                if named and kind in _NAME_KINDS and not view.names_company(term, start, end):
                    continue
                hits.append(TermHit(kind, term, *span))
                owners.append(positions)
        return hits, owners

    def _parties(self, view: ItemView, out: dict[int, Evidence]) -> None:
        """Fuzzy-score the item's parties against the profile names sharing a block key
        (one rapidfuzz call per party over those names). Names are kept with their words
        sorted, so ``fuzz.ratio`` gives ``fuzz.token_sort_ratio``'s scores at half the cost
        (a common word such as "medical" blocks together thousands of names)."""
        for party in view.parties:
            blocked = [self._by_block[k] for k in party.keys if k in self._by_block]
            if not blocked:
                continue
            ids = np.unique(np.concatenate(blocked)).tolist()
            found = process.extract(
                party.words,
                [self._names[i] for i in ids],
                scorer=fuzz.ratio,
                score_cutoff=PARTY_THRESHOLD,
                limit=None,
            )
            scored = sorted(
                (int(self._name_owner[ids[k]]), int(self._name_slot[ids[k]]), float(score))
                for _, score, k in found
            )
            for pos, slot, score in scored:
                _, original, kind = self.facts[pos].party_names[slot]
                hit = PartyHit(kind, party.name, party.role, original, score, party.norm)
                evidence = out.setdefault(pos, Evidence())
                evidence.sources.add("names" if kind == "name" else "competitors")
                evidence.parties.append(hit)

    def party_evidence(self, view: ItemView) -> dict[int, Evidence]:
        """The profiles some party of the item names, with that evidence (by position)."""
        found: dict[int, Evidence] = {}
        if view.parties:
            self._parties(view, found)
        return found

    def _item_markets(self, view: ItemView) -> set[str]:
        markets: set[str] = set()
        for code in view.scope:
            members = group_members(code)
            if members is None:
                markets.add(code)
            elif "*" in members:
                markets |= self._markets
            else:
                markets |= members | {code}
        return markets

    def _union(self, arrays: Iterable[npt.NDArray[np.int32]]) -> npt.NDArray[np.int32]:
        """The sorted union of position arrays, each sorted and without repeats (as lookup
        lists are): sorted and deduplicated when they are short next to the index, else a
        mark per profile (linear, no sort)."""
        arrays = [a for a in arrays if len(a)]
        if len(arrays) <= 1:
            return arrays[0] if arrays else _EMPTY
        total = sum(len(a) for a in arrays)
        if total * 4 < len(self.facts):
            joined = np.sort(np.concatenate(arrays))
            keep = np.empty(len(joined), dtype=np.bool_)
            keep[0] = True
            np.not_equal(joined[1:], joined[:-1], out=keep[1:])
            return joined[keep].astype(np.int32, copy=False)
        mark = np.zeros(len(self.facts), dtype=np.bool_)
        for positions in arrays:
            mark[positions] = True
        return np.flatnonzero(mark).astype(np.int32)

    def _lookup(
        self, view: ItemView, wanted: set[str], markets: set[str]
    ) -> list[npt.NDArray[np.int32]]:
        """Positions found through the chain and rights lookups (``markets``: the markets
        the item concerns), as the lookup lists that hold them."""
        found: list[npt.NDArray[np.int32]] = []
        if "chain" in wanted:
            found += [self._by_chain.get((c, m), _EMPTY) for c in view.chains for m in markets]
        if "rights" in wanted:
            found += [self._by_right.get((r, m), _EMPTY) for r in view.ip_classes for m in markets]
        return found

    def _codes(self, view: ItemView, wanted: set[str]) -> _Coded:
        """Profiles sharing HS codes or standards with the item: their positions (sorted),
        an id per distinct pair of what they share, and the lookup bits that pair sets.

        What a profile shares depends only on its own HS codes (and its own standards),
        which profiles repeat a lot: it is worked out once per distinct value among the
        profiles found."""
        if not view.hs and not view.standards:
            return _NO_CODES
        by_hs = self._union([self._by_hs.get(code[:4], _EMPTY) for code in view.hs])
        by_standard = self._union([self._by_standard.get(s, _EMPTY) for s in view.standards])
        every = self._union([by_hs, by_standard])
        if not len(every):
            return _NO_CODES
        hs, hs_values = self._shared(every, by_hs, self._hs_key, self._hs_values, view, _shared_hs)
        named, named_values = self._shared(
            every, by_standard, self._standard_key, self._standard_values, view, _shared_standards
        )
        kept = (hs != 0) | (named != 0)
        hs, named = hs[kept], named[kept]
        bits = np.zeros(len(hs), dtype=np.uint64)
        if "hs" in wanted:
            bits |= (hs != 0).astype(np.uint64) * np.uint64(SOURCE_BITS["hs"])
        if "standards" in wanted:
            bits |= (named != 0).astype(np.uint64) * np.uint64(SOURCE_BITS["standards"])
        ids = (hs << np.uint64(32)) | named  # equal ids, equal (shared HS codes, standards)
        return _Coded(every[kept], ids, bits, hs_values, named_values)

    @staticmethod
    def _shared(
        every: npt.NDArray[np.int32],
        found: npt.NDArray[np.int32],
        key: npt.NDArray[np.int32],
        values: list[Any],
        view: ItemView,
        share: Callable[[ItemView, Any], tuple[str, ...]],
    ) -> tuple[npt.NDArray[np.uint64], tuple[tuple[str, ...], ...]]:
        """Per position of ``every``: 0, or an id of what the profile shares with the item
        (equal ids, equal shared values), for the ``found`` positions; and the shared values
        by id (id n at n - 1)."""
        out = np.zeros(len(every), dtype=np.uint64)
        if not len(found):
            return out, ()
        distinct, inverse = np.unique(key[found], return_inverse=True)
        ids: dict[tuple[str, ...], int] = {}
        marks = np.zeros(len(distinct), dtype=np.uint64)
        for n, value in enumerate(distinct.tolist()):
            shared = share(view, values[value])
            if shared:
                marks[n] = ids.setdefault(shared, len(ids) + 1)
        out[np.searchsorted(every, found)] = marks[inverse.reshape(-1)]
        return out, tuple(ids)

    @staticmethod
    def _code_column(
        every: npt.NDArray[np.int32],
        rows: npt.NDArray[np.uint64],
        coded: _Coded,
        column: npt.NDArray[np.uint64],
    ) -> None:
        """Fill the codes ``column`` (zeros) and set the hs and standards lookup bits in
        ``rows``."""
        if len(coded.positions):
            places = every.searchsorted(coded.positions)
            column[places] = coded.ids
            rows[places, SOURCES_COLUMN] |= coded.bits

    def _detail(
        self, view: ItemView, wanted: set[str], evidence: Evidence, pos: int, row: Sequence[int]
    ) -> None:
        """Complete one detailed candidate's lookups (``row``: its key row)."""
        facts = self.facts[pos]
        if self.columns.overflow[pos]:
            shares_chain = facts.chains.intersection(view.chains)
            if "chain" in wanted and shares_chain and concerned_markets(view, facts):
                evidence.sources.add("chain")
            if "rights" in wanted and view.ip_classes and holds_right_in_market(view, facts):
                evidence.sources.add("rights")
        else:
            evidence.sources.update(
                name for name, bit in SOURCE_BITS.items() if row[SOURCES_COLUMN] & bit
            )
        if "hs" in wanted and view.hs and naive_hs(view, facts):
            evidence.sources.add("hs")
        if "standards" in wanted and facts.standards & view.standards:
            evidence.sources.add("standards")

    def candidates(
        self,
        view: ItemView,
        wanted: set[str],
        pinned: Iterable[int] = (),
        scanned: tuple[list[TermHit], list[npt.NDArray[np.int32]]] | None = None,
    ) -> Candidates:
        """Candidate profiles with their evidence, from the wanted lookups.

        Lookups: ``chain`` (shares a chain and exports to a market the item concerns),
        ``names``/``competitors``/``keywords``/``watch_terms`` (text scan and party names),
        ``hs``, ``standards``, ``rights`` (holds a right of the item's IP type in a market it
        concerns). ``pinned`` positions (profiles with "not us" dismissals) are always
        detailed. Term and party evidence is complete for every candidate. ``scanned``: what
        ``scan`` gives for the item, when already known.
        """
        hits, owners = scanned if scanned is not None else self.scan(view)
        detailed: dict[int, Evidence] = {}
        self._parties(view, detailed)
        coded = self._codes(view, wanted)
        markets = self._item_markets(view)
        # A profile found only through lookups no rule wants (say, it owns a keyword the
        # item names, and no applicable rule is found through keywords) can fire no rule:
        # it is left out. Its hits and codes still mark the candidates found otherwise.
        finding = [o for h, o in zip(hits, owners, strict=True) if _TERM_SOURCE[h.kind] in wanted]
        every = self._union(
            [
                *self._lookup(view, wanted, markets),
                *finding,
                positions_array(detailed) if detailed else _EMPTY,
                coded.positions[coded.bits != 0] if len(coded.bits) else _EMPTY,
            ]
        )
        if len(coded.positions):
            coded = coded.within(every)
        pinned_at = list(pinned)
        pinned_here = every[np.isin(every, pinned_at)] if pinned_at else _EMPTY
        overflow = every[self.columns.overflow.take(every)] if self._overflows else _EMPTY
        for pos in [*pinned_here.tolist(), *overflow.tolist()]:
            detailed.setdefault(pos, Evidence())
        # the key rows, filled in place: the columns' rows, the codes column, the term masks
        keys = np.zeros((len(every), KEY_WIDTH + (len(hits) + 63) // 64), dtype=np.uint64)
        rows = keys[:, :ROW_WIDTH]
        self.columns.keys(every, view.chains, markets, view.ip_classes, wanted, rows)
        self._code_column(every, rows, coded, keys[:, ROW_WIDTH])
        masks = keys[:, KEY_WIDTH:]
        _term_masks(every, hits, owners, masks, len(self.facts), len(finding) == len(owners))
        plain = rows[:, SOURCES_COLUMN] != 0
        for word in masks.T:  # few words: one call each beats a reduce over a short axis
            plain |= word != 0
        if detailed:
            is_detailed = np.zeros(len(every), dtype=np.bool_)
            is_detailed[every.searchsorted(positions_array(detailed))] = True
            plain &= ~is_detailed
            chosen = zip(every[is_detailed].tolist(), keys[is_detailed].tolist(), strict=True)
            for pos, row in chosen:
                evidence = detailed[pos]
                terms = _bits(hits, row[KEY_WIDTH:])
                evidence.terms += terms
                evidence.sources.update(_TERM_SOURCE[h.kind] for h in terms)
                self._detail(view, wanted, evidence, pos, row)
            detailed = {p: e for p, e in detailed.items() if e.sources}
            for evidence in detailed.values():
                _tidy(evidence)
        if np.count_nonzero(plain) == len(plain):  # as a rule: no copies then
            return Candidates(detailed, every, keys, hits, coded)
        return Candidates(detailed, every[plain], keys.compress(plain, axis=0), hits, coded)


_V = TypeVar("_V")


def _value_ids(values: Iterable[_V]) -> tuple[npt.NDArray[np.int32], list[_V]]:
    """An id per distinct value (as an array over positions), and the values by id."""
    ids: dict[_V, int] = {}
    key = np.fromiter((ids.setdefault(v, len(ids)) for v in values), dtype=np.int32)
    return key, list(ids)


def _shared_hs(view: ItemView, codes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(c for c in codes if any(_hs_related(i, c) for i in view.hs))


def _shared_standards(view: ItemView, standards: frozenset[str]) -> tuple[str, ...]:
    return tuple(sorted(standards & view.standards))


_BIT = np.left_shift(np.uint64(1), np.arange(64, dtype=np.uint64))
"""The 64 one-bit words, by bit."""


def _term_masks(
    every: npt.NDArray[np.int32],
    hits: list[TermHit],
    owners: list[npt.NDArray[np.int32]],
    masks: npt.NDArray[np.uint64],
    profiles: int,
    within: bool = True,
) -> None:
    """Set one bit per term hit in ``masks`` (zeros; 64-bit words, a row per candidate of
    ``every``, sorted positions among ``profiles``). ``within``: every owner is a candidate
    (else the others are skipped). One pass over all hits' owners: a few numpy calls,
    however many hits."""
    if not hits:
        return
    owned = owners[0] if len(owners) == 1 else np.concatenate(owners)
    kept: npt.NDArray[np.bool_] | None = None
    rows: npt.NDArray[np.signedinteger[Any]]
    if len(owned) * 4 * len(every).bit_length() < profiles:  # a binary search per owner
        rows = every.searchsorted(owned)
        if not within:
            kept = _found(every, rows, owned)
    else:  # many owners: cheaper to number the candidates among all profiles
        row_of = np.full(profiles, -1, dtype=np.int32)
        row_of[every] = np.arange(len(every), dtype=np.int32)
        rows = row_of.take(owned)
        if not within:
            kept = rows >= 0
    bit = np.repeat(np.arange(len(hits)), [len(o) for o in owners])
    if kept is not None:
        rows, bit = rows[kept], bit[kept]
    if masks.shape[1] == 1:
        np.bitwise_or.at(masks[:, 0], rows, _BIT.take(bit))
    else:
        np.bitwise_or.at(masks, (rows, bit // 64), _BIT.take(bit % 64))


def _found(
    positions: npt.NDArray[np.int32], rows: npt.NDArray[np.intp], wanted: npt.NDArray[np.int32]
) -> npt.NDArray[np.bool_]:
    """Which ``wanted`` values are at their ``rows`` (``searchsorted`` places) in
    ``positions``."""
    if not len(positions):
        return np.zeros(len(wanted), dtype=np.bool_)
    found: npt.NDArray[np.bool_] = positions.take(np.minimum(rows, len(positions) - 1)) == wanted
    return found


def _tidy(evidence: Evidence) -> None:
    """Order term hits by position; keep the best hit per party."""
    evidence.terms.sort(key=_hit_order)
    best: dict[tuple[str, str], PartyHit] = {}
    for hit in evidence.parties:
        kept = best.get((hit.kind, hit.party))
        if kept is None or hit.score > kept.score:
            best[(hit.kind, hit.party)] = hit
    evidence.parties = sorted(best.values(), key=lambda h: (h.kind, -h.score, h.party))


def naive_evidence(view: ItemView, facts: ProfileFacts) -> Evidence:
    """The evidence for one profile found by brute force, with every lookup it satisfies."""
    evidence = Evidence(terms=naive_term_hits(view, facts), parties=naive_party_hits(view, facts))
    evidence.sources |= {_TERM_SOURCE[h.kind] for h in evidence.terms}
    evidence.sources |= {"names" if h.kind == "name" else "competitors" for h in evidence.parties}
    if facts.chains.intersection(view.chains) and concerned_markets(view, facts):
        evidence.sources.add("chain")
    if naive_hs(view, facts):
        evidence.sources.add("hs")
    if facts.standards & view.standards:
        evidence.sources.add("standards")
    if holds_right_in_market(view, facts):
        evidence.sources.add("rights")
    return evidence


def suppress(
    evidence: Evidence, keys: Mapping[str, frozenset[str]], enterprise_id: str
) -> Evidence:
    """Drop party hits (and text mentions of the same name) dismissed as "not us"."""
    dismissed = keys.get(enterprise_id)
    if dismissed:
        evidence.parties = [h for h in evidence.parties if h.key not in dismissed]
        evidence.terms = [
            h
            for h in evidence.terms
            if h.kind != "name" or _cues.normalise_name(h.text) not in dismissed
        ]
    return evidence
