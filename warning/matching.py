"""Candidate generation: which profiles could an item concern, and on what evidence.

An index over the profiles answers, per item, with the profiles that share a chain, whose
names, competitors, product keywords or watch terms occur in the text (one Aho-Corasick scan),
whose HS codes or standards the item names, or that hold a right of the item's IP type in a
market the item concerns. Party names are blocked on shared tokens before fuzzy scoring
(rapidfuzz). ``naive_*`` functions find the same evidence by brute force: they are the
reference that the index must agree with, and the baseline of the benchmark.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import ahocorasick
from rapidfuzz import fuzz

from core.types import EnterpriseProfile
from warning import _cues
from warning._facts import (
    _FIELDS,
    PARTY_THRESHOLD,
    ItemView,
    PartyHit,
    ProfileFacts,
    TermHit,
    _Party,
)
from warning.jurisdictions import group_members

__all__ = [
    "PARTY_THRESHOLD",
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
        start = view.lower.find(lower)
        while start >= 0:
            hit = view.hit(kind, term, start, start + len(lower))
            if hit is not None:
                hits.append(hit)
            start = view.lower.find(lower, start + 1)
    return sorted(hits, key=_hit_order)


def _hit_order(hit: TermHit) -> tuple[int, str, str, str]:
    return (_FIELDS.index(hit.field) * 10**9 + hit.start, hit.kind, hit.term, hit.text)


def _score(party: _Party, norm: str) -> float:
    return float(fuzz.token_sort_ratio(party.norm, norm))


def naive_party_hits(view: ItemView, facts: ProfileFacts) -> list[PartyHit]:
    """Every party scoring at least the threshold against any profile name (the reference)."""
    return _party_hits(view.parties, facts)


def _party_hits(parties: Iterable[_Party], facts: ProfileFacts) -> list[PartyHit]:
    best: dict[tuple[str, str], PartyHit] = {}
    for party in parties:
        for norm, original, kind in facts.party_names:
            score = _score(party, norm)
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
    return any(markets & facts.rights.get(right, frozenset()) for right in view.ip_classes)


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


class ProfileIndex:
    """Profiles indexed for candidate generation (build once, query per item)."""

    def __init__(self, profiles: Iterable[EnterpriseProfile], as_of: date | None = None) -> None:
        self.as_of = as_of or date.today()
        self.facts: list[ProfileFacts] = [
            ProfileFacts.of(i, p, self.as_of) for i, p in enumerate(profiles)
        ]
        self.by_id = {f.profile.id: f for f in self.facts}
        self._by_chain: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_hs: dict[str, list[int]] = defaultdict(list)
        self._by_standard: dict[str, list[int]] = defaultdict(list)
        self._by_right: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_block: dict[str, set[int]] = defaultdict(set)
        self._terms: list[list[tuple[int, str, str]]] = []
        self._markets: set[str] = set()
        self._automaton = ahocorasick.Automaton()
        for facts in self.facts:
            self._add(facts)
        if self._terms:
            self._automaton.make_automaton()

    @classmethod
    def build(
        cls, profiles: Iterable[EnterpriseProfile], as_of: date | None = None
    ) -> ProfileIndex:
        """Index the given profiles."""
        return cls(profiles, as_of)

    @property
    def profiles(self) -> dict[str, EnterpriseProfile]:
        """The indexed profiles by id."""
        return {f.profile.id: f.profile for f in self.facts}

    def _add(self, facts: ProfileFacts) -> None:
        pos = facts.position
        for chain in facts.chains:
            for market in facts.markets:
                self._by_chain[(chain, market)].append(pos)
        for code in facts.hs:
            self._by_hs[code[:4]].append(pos)
        for standard in facts.standards:
            self._by_standard[standard].append(pos)
        self._markets.update(facts.markets)
        for right, markets in facts.rights.items():
            for market in markets:
                self._by_right[(right, market)].append(pos)
        for norm, _, _ in facts.party_names:
            for key in _cues.block_keys(norm):
                self._by_block[key].add(pos)
        for lower, term, kind in facts.terms:
            slot = self._automaton.get(lower, None)
            if slot is None:
                slot = len(self._terms)
                self._terms.append([])
                self._automaton.add_word(lower, slot)
            self._terms[slot].append((pos, term, kind))

    def _scan(self, view: ItemView, out: dict[int, Evidence]) -> None:
        if not self._terms:
            return
        for last, slot in self._automaton.iter(view.lower):
            owners = self._terms[slot]
            first = owners[0][1]
            start = last - len(first.lower()) + 1
            span = view.span(first, start, last + 1)
            if span is None:
                continue
            for pos, term, kind in owners:
                evidence = out.setdefault(pos, Evidence())
                evidence.sources.add(_TERM_SOURCE[kind])
                evidence.terms.append(TermHit(kind, term, *span))

    def _parties(self, view: ItemView, out: dict[int, Evidence]) -> None:
        if not view.parties:
            return
        for party in view.parties:
            blocked: set[int] = set()
            for key in party.keys:
                blocked |= self._by_block.get(key, set())
            for pos in blocked:
                for hit in _party_hits([party], self.facts[pos]):
                    evidence = out.setdefault(pos, Evidence())
                    evidence.sources.add("names" if hit.kind == "name" else "competitors")
                    evidence.parties.append(hit)

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

    def _rights_candidates(self, view: ItemView) -> set[int]:
        found: set[int] = set()
        for right in view.ip_classes:
            for market in self._item_markets(view):
                found.update(self._by_right.get((right, market), ()))
        return found

    def candidates(self, view: ItemView, wanted: set[str]) -> dict[int, Evidence]:
        """Candidate profiles (by position) with their evidence, from the wanted lookups.

        Lookups: ``chain`` (shares a chain and exports to a market the item concerns),
        ``names``/``competitors``/``keywords``/``watch_terms`` (text scan and party names),
        ``hs``, ``standards``, ``rights`` (holds a right of the item's IP type in a market it
        concerns).
        """
        out: dict[int, Evidence] = {}
        self._scan(view, out)  # term and party evidence is always complete for a candidate
        self._parties(view, out)
        lookups: list[tuple[str, Iterable[int]]] = []
        if "chain" in wanted and view.chains:
            markets = self._item_markets(view)
            lookups += [
                ("chain", self._by_chain.get((c, m), ())) for c in view.chains for m in markets
            ]
        if "hs" in wanted:
            for code in view.hs:
                lookups.append(
                    (
                        "hs",
                        [p for p in self._by_hs.get(code[:4], ()) if naive_hs(view, self.facts[p])],
                    )
                )
        if "standards" in wanted:
            lookups += [("standards", self._by_standard.get(s, ())) for s in view.standards]
        if "rights" in wanted:
            lookups.append(("rights", self._rights_candidates(view)))
        for source, positions in lookups:
            for pos in positions:
                out.setdefault(pos, Evidence()).sources.add(source)
        for evidence in out.values():
            evidence.terms.sort(key=_hit_order)
            best: dict[tuple[str, str], PartyHit] = {}
            for hit in evidence.parties:
                kept = best.get((hit.kind, hit.party))
                if kept is None or hit.score > kept.score:
                    best[(hit.kind, hit.party)] = hit
            evidence.parties = sorted(best.values(), key=lambda h: (h.kind, -h.score, h.party))
        return out


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
