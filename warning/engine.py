"""Evaluating the rules: pure functions from items and profiles to alerts.

For each item the rules' ``item_when`` runs once; the index then finds candidate profiles
only through the lookups that the remaining rules name, and ``when`` runs on those.
Candidates whose key rows are equal (the markets and chains the item concerns of them, their
rights there, shared HS codes and standards, the term hits they own, the lookups that found
them) see the same ``match`` up to list order, so ``when`` runs once per group; profiles
with party hits or "not us" dismissals are decided one by one. Conditions must therefore not
depend on the order of ``match`` lists (none does: they use ``in`` and ``size``), and a rule
that reads ``profile`` turns grouping off for the item. Deciding (``decide_item``) is kept
apart from writing alerts out (``ItemDecisions.alerts``), whose cost grows with the number
of alerts. The CEL context a rule sees:

- ``item``: id, kind, jurisdictions, ip_types, chains, case_refs, parties, signals, flags,
  hs, standards, and cues: is_337, is_schedule_a, is_upc, is_injunction, is_german_court,
  is_trade_fair, is_customs, is_squatting, is_sep; chinese_parties, jiangsu_parties,
  wuxi_parties (names)
- ``profile``: id, chains, destinations, province, city, rights {patent, trademark, design,
  copyright: [markets]}, standards, has_products
- ``match``: markets (destinations the item concerns), chains (shared), names, competitors,
  keywords, watch_terms (terms found in the text), parties / competitor_parties (fuzzy party
  matches with score), party_score, hs, standards, patent_markets, no_patent_markets,
  trademark_markets, no_trademark_markets
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from core.types import Alert, EnterpriseProfile, ItemRecord
from warning import _cues
from warning._context import Match
from warning._explain import (
    GroupRenderer,
    as_alert,
    chain_label,
    fixed_values,
    render_alert,
    share_text,
    shown_share,
)
from warning._groups import RowKey, RowMatch, kind_masks
from warning._shapes import Shape
from warning.matching import (
    KEY_WIDTH,
    Candidates,
    Evidence,
    ItemView,
    ProfileFacts,
    ProfileIndex,
    TermHit,
    concerned_markets,
    naive_evidence,
    suppress,
)
from warning.rules import Rule, load_rules, rules_for_item

__all__ = [
    "Decision",
    "ItemDecisions",
    "ProfileIndex",
    "chain_label",
    "decide_item",
    "evaluate_item",
    "evaluate_items",
    "evaluate_naive",
    "item_facts",
]

Suppressions = Mapping[str, frozenset[str]]
"""Normalised party names each enterprise dismissed as "not us", by enterprise id."""

_NO_SUPPRESSIONS: dict[str, frozenset[str]] = {}


def _party_facts(view: ItemView) -> list[dict[str, Any]]:
    out = []
    for party in view.tags.parties or view.item.parties:
        place = " ".join(filter(None, [party.province, party.city, party.location, party.name]))
        jiangsu, wuxi = _cues.place_cues(place)
        out.append(
            {
                "name": party.name,
                "role": party.role or "",
                "chinese": party.chinese,
                "province": party.province or "",
                "city": party.city or "",
                "jiangsu": party.province == "江苏" or jiangsu,
                "wuxi": party.city == "无锡" or wuxi,
            }
        )
    return out


def item_facts(item: ItemRecord, view: ItemView | None = None) -> dict[str, Any]:
    """The item as the rules see it."""
    view = view or ItemView.of(item)
    tags = view.tags
    cues = _cues.cues_in(view.original[: _cues.CUE_SPAN], view.cues)
    case_refs = sorted({*item.case_refs, *tags.case_refs})
    signals = sorted({s.type for s in tags.signals})
    parties = _party_facts(view)
    chinese = [p for p in parties if p["chinese"] or p["jiangsu"]]
    return {
        "id": item.id,
        "kind": (tags.kind or item.kind).value,
        "jurisdictions": list(view.jurisdictions),
        "ip_types": sorted({*item.ip_types, *tags.ip_types}),
        "chains": list(view.chains),
        "case_refs": case_refs,
        "parties": parties,
        "signals": signals,
        "flags": sorted(tags.flags),
        "hs": list(view.hs),
        "standards": sorted(view.standards),
        "is_337": "is_337" in cues or any(_cues.MENTIONS_337.search(r) for r in case_refs),
        "is_schedule_a": "schedule_a" in tags.flags or "is_schedule_a" in cues,
        "is_upc": "UPC" in view.jurisdictions or "is_upc" in cues,
        "is_injunction": bool(
            {"preliminary_injunction", "permanent_injunction", "tro"} & set(signals)
        )
        or "is_injunction" in cues,
        "is_german_court": "is_german_court" in cues,
        "is_trade_fair": "is_trade_fair" in cues,
        "is_customs": "customs_detention" in signals or "is_customs" in cues,
        "is_squatting": "is_squatting" in cues,
        "is_sep": "sep" in tags.ip_types or "is_sep" in cues,
        "chinese_parties": [p["name"] for p in chinese],
        "jiangsu_parties": [p["name"] for p in chinese if p["jiangsu"]],
        "wuxi_parties": [p["name"] for p in chinese if p["wuxi"]],
    }


def _match(view: ItemView, facts: ProfileFacts, evidence: Evidence) -> dict[str, Any]:
    return Match(view, facts, evidence)


def _firing(
    rules: Iterable[Rule],
    view: ItemView,
    item: dict[str, Any],
    facts: ProfileFacts,
    evidence: Evidence,
    memo: bool = True,
    with_profile: bool = False,
) -> list[Rule]:
    """The rules whose ``when`` holds for this profile (``with_profile``: some look at
    ``profile``)."""
    context = {"item": item, "match": _match(view, facts, evidence)}
    if with_profile:
        context["profile"] = facts.cel
    return [rule for rule in rules if rule.matches(context, memo)]


@dataclass(slots=True)
class Decision:
    """One rule fires for the profiles at ``positions``, which share ``evidence`` (what
    they share with the item)."""

    rule: Rule
    positions: Sequence[int] | npt.NDArray[np.int32]
    evidence: Evidence


@dataclass(slots=True)
class _GroupTable:
    """An item's groups of plain candidates and the rules that fire for each: what its
    grouped decisions are made of. Nothing is built per group or per decision while
    deciding; a group's profiles and evidence are looked up when alerts are written out
    (or ``ItemDecisions.decisions`` is read)."""

    found: Candidates
    order: npt.NDArray[np.intp]  # plain candidates by group (see ``_unique_rows``)
    starts: npt.NDArray[np.intp]  # where each group starts in ``order``
    listed: list[list[int]]  # the key row of each group
    fired: list[tuple[Rule, list[int]]] = field(default_factory=list)  # groups, by rule
    _members: list[int] | None = None
    _bounds: list[int] | None = None
    _evidence: list[Evidence | None] = field(default_factory=list)

    def _ranges(self) -> tuple[list[int], list[int]]:
        """The candidates' positions in group order, and where each group starts (and, last,
        where the last ends) among them."""
        if self._members is None or self._bounds is None:
            self._members = self.found.plain.take(self.order).tolist()
            self._bounds = [*self.starts.tolist(), len(self.order)]
        return self._members, self._bounds

    def positions(self, group: int) -> list[int]:
        """The positions of the profiles of ``group``."""
        members, bounds = self._ranges()
        return members[bounds[group] : bounds[group + 1]]

    def size(self, group: int) -> int:
        """How many profiles ``group`` holds."""
        _, bounds = self._ranges()
        return bounds[group + 1] - bounds[group]

    def evidence(self, group: int) -> Evidence:
        """The evidence of ``group`` (built once, shared by the group's decisions)."""
        if not self._evidence:
            self._evidence = [None] * len(self.listed)
        evidence = self._evidence[group]
        if evidence is None:
            evidence = self._evidence[group] = self.found.evidence(self.listed[group])
        return evidence


@dataclass(slots=True)
class ItemDecisions:
    """Which rules fire for which profiles on one item, before alerts are written out.

    Deciding is the matching work; ``alerts()`` renders each alert's explanation and builds
    the ``Alert`` objects (the cost of which grows with the number of alerts, not profiles).
    """

    view: ItemView
    item: dict[str, Any]
    index: ProfileIndex
    rules: tuple[Rule, ...]
    as_of: date
    detailed: list[Decision] = field(default_factory=list)  # profiles decided one by one
    groups: _GroupTable | None = None  # and groups of plain candidates
    when_keys: dict[str, str] = field(default_factory=dict)  # see Rule.when_key, by rule id

    def when_key(self, rule: Rule) -> str:
        """``rule.when_key`` of this item (worked out once per rule)."""
        key = self.when_keys.get(rule.id)
        if key is None:
            key = self.when_keys[rule.id] = rule.when_key(self.item)
        return key

    @property
    def decisions(self) -> list[Decision]:
        """Each rule that fires with the profiles it fires for: the profiles decided one by
        one, then the groups, rule by rule (new objects on each read; the evidence of a
        group is built once, when first read here or by ``rows``)."""
        out = list(self.detailed)
        groups = self.groups
        if groups is not None:
            out += [
                Decision(rule, groups.positions(group), groups.evidence(group))
                for rule, fired in groups.fired
                for group in fired
            ]
        return out

    def __len__(self) -> int:
        groups = self.groups
        grouped = (
            0
            if groups is None
            else sum(groups.size(group) for _, fired in groups.fired for group in fired)
        )
        return sum(len(d.positions) for d in self.detailed) + grouped

    def _fired(self) -> Iterator[tuple[Rule, Evidence, list[int]]]:
        """(rule, evidence, positions) of each decision, in the order of ``decisions``."""
        for decision in self.detailed:
            yield decision.rule, decision.evidence, _positions(decision)
        groups = self.groups
        if groups is not None:
            for rule, fired in groups.fired:
                for group in fired:
                    yield rule, groups.evidence(group), groups.positions(group)

    def rows(self) -> list[dict[str, Any]]:
        """The alerts as the values stored for them (``Alert`` fields and status "new"), by
        enterprise id, then in rule order.

        A decision's profiles share their evidence, so their explanations differ only by
        their destinations (the markets the item concerns, in the profile's order, and the
        export share named): each distinct explanation is rendered once and shared. Treat
        the dicts as read-only.
        """
        if not self.detailed and self.groups is None:  # no rule fires
            return []
        order = {rule.id: n for n, rule in enumerate(self.rules)}
        concerned: dict[tuple[str, ...], tuple[str, ...]] = {}
        keyed = []
        for rule, evidence, positions in self._fired():
            fixed = fixed_values(rule, self.view, self.as_of)
            rendered: dict[tuple[Any, ...], dict[str, Any]] = {}
            renderer: GroupRenderer | None = None
            for pos in positions:
                facts = self.index.facts[pos]
                markets = concerned.get(facts.markets)
                if markets is None:
                    markets = concerned[facts.markets] = tuple(concerned_markets(self.view, facts))
                share = shown_share(facts, markets) if rule.names_share else None
                slot = (markets, facts.shown_markets(markets), share_text(share))
                explanation = rendered.get(slot)
                if explanation is None:
                    match = _match(self.view, facts, evidence)
                    match["markets"] = list(markets)
                    if renderer is None:
                        context = {"item": self.item, "match": match}
                        renderer = GroupRenderer(rule, self.view, facts, context, evidence)
                    explanation = rendered[slot] = renderer.render(facts, match)
                assert renderer is not None  # set with the first explanation
                row = {
                    **fixed,
                    "enterprise_id": facts.id,
                    "explanation": explanation,
                    "score": renderer.score,
                }
                keyed.append((facts.id, order[rule.id], row))
        keyed.sort(key=lambda k: (k[0], k[1]))
        return [row for _, _, row in keyed]

    def alerts(self) -> list[Alert]:
        """The alerts, by enterprise id, then in rule order (explanations may be shared
        between alerts: treat them as read-only)."""
        return [as_alert(row) for row in self.rows()]


def _positions(decision: Decision) -> list[int]:
    positions = decision.positions
    return positions.tolist() if isinstance(positions, np.ndarray) else list(positions)


def _splitmix(count: int, seed: int = 0x9E3779B97F4A7C15) -> list[int]:
    """``count`` well-mixed 64-bit odd numbers (splitmix64; no numpy.random import)."""
    out, state, full = [], seed, (1 << 64) - 1
    for _ in range(count):
        state = (state + 0x9E3779B97F4A7C15) & full
        value = ((state ^ (state >> 30)) * 0xBF58476D1CE4E5B9) & full
        value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & full
        out.append((value ^ (value >> 31)) | 1)
    return out


_MIX = np.array(_splitmix(256), dtype=np.uint64)
"""Odd multipliers, one per key row column (rows are at most 256 columns wide)."""


def _digest(keys: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """One 64-bit hash per row: each word folded (high half into low), then a sum of the
    words times odd multipliers (wrapping). Equal rows, equal hashes; unequal rows rarely."""
    width = keys.shape[1]
    if width > len(_MIX):
        return _digest(np.hstack([keys[:, :1], _digest(keys[:, 1:]).reshape(-1, 1)]))
    folded = keys ^ (keys >> np.uint64(32))
    return folded @ _MIX[:width]


def _stable_order(digest: npt.NDArray[np.uint64]) -> npt.NDArray[np.intp]:
    """An order that puts equal hashes next to each other, keeping the order among equal
    ones. Short arrays (under 128) are sorted on the whole hash; longer ones on part of it,
    as numpy's stable sort of 16-bit values is a radix sort (linear, several times faster
    than sorting whole hashes): up to 1024 on the top 16 bits (which depend on every bit of
    the row), beyond on 32 bits, 16 at a time. Unequal hashes may then share a run, which
    the caller checks."""
    if len(digest) < 128:
        return digest.argsort(kind="stable")
    if len(digest) < 1024:
        return (digest >> np.uint64(48)).astype(np.uint16).argsort(kind="stable")
    folded = digest ^ (digest >> np.uint64(32))
    order = folded.astype(np.uint16).argsort(kind="stable")
    high = (folded >> np.uint64(16)).astype(np.uint16)
    return order.take(high.take(order).argsort(kind="stable"))


def _run_starts(ordered: npt.NDArray[np.uint64]) -> npt.NDArray[np.bool_]:
    """Per row, whether it differs from the row before it (the first row does). Beyond a
    few rows, compared with the columns as rows (transposed first, or column by column for
    long arrays): numpy loops over a short last axis once per row."""
    new = np.ones(len(ordered), dtype=np.bool_)
    if len(ordered) < 128:
        np.logical_or.reduce(ordered[1:] != ordered[:-1], axis=1, out=new[1:])
        return new
    if len(ordered) < 1024:
        columns = np.ascontiguousarray(ordered.T)
        np.logical_or.reduce(columns[:, 1:] != columns[:, :-1], axis=0, out=new[1:])
        return new
    changed = new[1:]
    changed[:] = False
    for column in ordered.T:
        changed |= column[1:] != column[:-1]
    return new


def _unique_rows(
    keys: npt.NDArray[np.uint64],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """The distinct rows, and the order that puts equal rows next to each other (stable:
    equal rows keep their order) with the start of each run of equal rows in that order.

    Rows are hashed to one 64-bit word and ordered by (part of) it (``_stable_order``); when
    two unequal rows share a run or a hash (checked), the exact but slower row sort
    decides."""
    digest = _digest(keys)
    order = _stable_order(digest)
    ordered = keys.take(order, axis=0)
    new = _run_starts(ordered)
    # ordered by part of the hash: equal rows are in one run of equal parts, where unequal
    # rows sharing the part may interleave with them; a row that starts two runs (or two
    # unequal rows with one hash) shows as two run starts with equal hashes
    if len(keys) < 1024:
        distinct_hashes = np.sort(digest.take(order.compress(new)))
    else:
        distinct_hashes = np.sort(_digest(ordered[new]))
    exact = not np.count_nonzero(distinct_hashes[1:] == distinct_hashes[:-1])
    if not exact:  # equal hashes, unequal rows
        _, inverse = np.unique(keys, axis=0, return_inverse=True)
        order = np.argsort(inverse.reshape(-1), kind="stable")
        ordered = keys.take(order, axis=0)
        new = _run_starts(ordered)
    starts = np.flatnonzero(new)
    return ordered[starts], order, starts


def _fires(rule: Rule, decided: ItemDecisions, found: Candidates, row: Sequence[int]) -> bool:
    """Whether ``rule`` fires for plain candidates with this key row (found by one of the
    rule's lookups)."""
    match = RowMatch(row, found, decided.index.columns)
    return rule.matches({"item": decided.item, "match": match})


def _outcome(
    rule: Rule,
    key: RowKey,
    projection: tuple[Any, ...],
    decided: ItemDecisions,
    found: Candidates,
    row: Sequence[int],
    when: str,
) -> bool:
    """``_fires``, remembered across items by what the projection means (kept with the
    index's bit columns, whose bits the projection names): the projection itself when it
    means the same on every item, else its ``RowKey.meaning`` (``when``: the rule's
    ``ItemDecisions.when_key``)."""
    memo = decided.index.columns.outcomes
    if key.stable:
        slot: tuple[Any, ...] = (when, projection)
    else:
        meaning = key.meaning(projection, found)
        if meaning is None:
            return _fires(rule, decided, found, row)
        slot = (when, "meaning", meaning)
    fired = memo.get(slot)
    if fired is None:
        fired = memo.remember(slot, _fires(rule, decided, found, row))
    return fired


_MANY_GROUPS = 64
"""From this many groups on, each rule's projections are found with numpy (fewer, a Python
loop per group is cheaper)."""


@dataclass(frozen=True, slots=True)
class _Groups:
    """An item's groups of plain candidates: their distinct key rows, as an array and as
    lists."""

    rows: npt.NDArray[np.uint64]
    listed: list[list[int]]

    @classmethod
    def of(cls, rows: npt.NDArray[np.uint64]) -> _Groups:
        """The groups of ``rows`` (distinct key rows)."""
        return cls(rows, rows.tolist())


def _decide_groups(
    found: Candidates, decided: ItemDecisions, active: list[Rule]
) -> _GroupTable | None:
    """Decide each group of plain candidates: equal key rows see the same rules, and a rule
    runs once per distinct part of the rows that it reads (``RowKey``). None when no rule
    fires for any."""
    if not len(found.plain):
        return None
    rows, order, starts = _unique_rows(found.plain_keys)
    groups = _Groups.of(rows)
    listed = groups.listed
    table: _GroupTable | None = None  # made when a rule first fires
    masks = kind_masks(found.hits)
    heads: _Heads | None = None
    for rule in active:
        key = RowKey.cached(rule, masks)
        if key.narrow and len(listed) >= _MANY_GROUPS and rows.shape[1] > KEY_WIDTH:
            heads = heads or _Heads.of(rows)
            fired = heads.fired(rule, key, decided, found)
        elif len(listed) >= _MANY_GROUPS:
            fired = _fired_many(rule, key, rows, listed, decided, found)
        else:
            fired = _fired_few(rule, key, groups, decided, found)
        if fired:
            table = table or _GroupTable(found, order, starts, listed)
            table.fired.append((rule, fired))
    return table


@dataclass(frozen=True, slots=True)
class _Heads:
    """The distinct heads of an item's group rows (the columns before the term-hit words),
    and the head of each group: a rule whose projection reads only heads (``RowKey.narrow``)
    is decided once per distinct head, which are far fewer than groups when many profiles
    own term hits."""

    heads: _Groups
    of_group: npt.NDArray[np.intp]

    @classmethod
    def of(cls, rows: npt.NDArray[np.uint64]) -> _Heads:
        """The heads of ``rows`` (distinct key rows)."""
        distinct, order, starts = _unique_rows(np.ascontiguousarray(rows[:, :KEY_WIDTH]))
        sizes = np.diff(np.append(starts, len(order)))
        of_group = np.empty(len(order), dtype=np.intp)
        of_group[order] = np.repeat(np.arange(len(starts)), sizes)
        return cls(_Groups.of(distinct), of_group)

    def fired(
        self, rule: Rule, key: RowKey, decided: ItemDecisions, found: Candidates
    ) -> list[int]:
        """The groups ``rule`` fires for (``key.narrow``: its outcome reads heads only)."""
        heads = self.heads
        if len(heads.listed) >= _MANY_GROUPS:
            fired = _fired_many(rule, key, heads.rows, heads.listed, decided, found)
        else:
            fired = _fired_few(rule, key, heads, decided, found)
        chosen = np.zeros(len(heads.listed), dtype=np.bool_)
        chosen[fired] = True
        return list(np.flatnonzero(chosen[self.of_group]).tolist())


def _fired_few(
    rule: Rule, key: RowKey, groups: _Groups, decided: ItemDecisions, found: Candidates
) -> list[int]:
    """The groups (by index) ``rule`` fires for, one projection at a time (a rule needs to
    look only at the groups one of its lookups found: ``RowKey.firing``)."""
    when = decided.when_key(rule)

    def decide(projection: tuple[Any, ...], row: Sequence[int]) -> bool:
        return _outcome(rule, key, projection, decided, found, row, when)

    return key.firing(groups.listed, decide)


def _fired_many(
    rule: Rule,
    key: RowKey,
    rows: npt.NDArray[np.uint64],
    listed: list[list[int]],
    decided: ItemDecisions,
    found: Candidates,
) -> list[int]:
    """``_fired_few`` with the projections found and grouped by numpy."""
    kept, projections = key.project(rows)
    if not len(kept):
        return []
    distinct, where, firsts = _unique_rows(projections)
    ends = [*firsts[1:].tolist(), len(where)]
    fired = np.zeros(len(kept), dtype=np.bool_)
    when = decided.when_key(rule)
    for n, projection in enumerate(distinct.tolist()):
        group = int(kept[where[firsts[n]]])
        if _outcome(rule, key, tuple(projection), decided, found, listed[group], when):
            fired[where[firsts[n] : ends[n]]] = True
    return list(kept[fired].tolist())


def _ungroup(found: Candidates) -> None:
    """Move plain candidates to the one-by-one path (a rule looks at ``profile``)."""
    for pos, row in zip(found.plain.tolist(), found.plain_keys.tolist(), strict=True):
        found.detailed[pos] = found.evidence(row)
    found.plain = found.plain[:0]
    found.plain_keys = found.plain_keys[:0]


def _pinned(index: ProfileIndex, suppressions: Suppressions) -> list[int]:
    return [index.by_id[e].position for e in suppressions if e in index.by_id]


def _shape_key(
    view: ItemView, hits: list[TermHit], decided: ItemDecisions, active: list[Rule]
) -> tuple[Any, ...]:
    """What the plain candidates' decisions depend on (see ``warning._shapes``)."""
    return (
        view.chains,
        view.scope,
        view.ip_classes,
        view.hs,
        view.standards,
        tuple([(hit.kind, hit.term) for hit in hits]),
        tuple([(decided.when_key(rule), tuple(rule.candidates)) for rule in active]),
    )


def _shape_of(found: Candidates, table: _GroupTable | None, active: list[Rule]) -> Shape:
    """What ``_decide_groups`` decided, to be kept for the item's shape."""
    if table is None:
        return Shape(found.plain, found.plain_keys, found.codes)
    place = {id(rule): n for n, rule in enumerate(active)}
    fired = tuple((place[id(rule)], groups) for rule, groups in table.fired)
    return Shape(
        found.plain, found.plain_keys, found.codes, table.order, table.starts, table.listed, fired
    )


def _kept_groups(shape: Shape, hits: list[TermHit], active: list[Rule]) -> _GroupTable | None:
    """The group table of a kept shape, for an item with these term hits."""
    if shape.order is None or shape.starts is None or shape.listed is None:
        return None
    found = Candidates({}, shape.plain, shape.plain_keys, hits, shape.codes)
    fired = [(active[n], groups) for n, groups in shape.fired]
    return _GroupTable(found, shape.order, shape.starts, shape.listed, fired)


def decide_item(
    item: ItemRecord,
    index: ProfileIndex,
    rules: Iterable[Rule] | None = None,
    as_of: date | None = None,
    suppressions: Suppressions = _NO_SUPPRESSIONS,
) -> ItemDecisions:
    """Which rules fire for which indexed profiles on this item (candidates only).

    Candidates with the same key row (what the item concerns of them, the term hits they
    own, the lookups that found them) are decided once per group; profiles with party, HS
    or standard evidence or "not us" dismissals one by one. An item shaped like one decided
    before (``warning._shapes``) reuses that item's candidates and group decisions.
    """
    rules = tuple(rules) if rules is not None else load_rules()
    view = ItemView.of(item)
    decided = ItemDecisions(view, item_facts(item, view), index, rules, as_of or date.today())
    active = rules_for_item(rules, decided.item)
    if not active:
        return decided
    pinned = _pinned(index, suppressions)
    needs_profile = any(rule.needs_profile for rule in active)
    scanned = index.scan(view)
    shape = None if pinned or needs_profile else _shape_key(view, scanned[0], decided, active)
    if shape is not None:
        kept = index.shapes.get(shape)
        if kept is not None and not index.party_evidence(view):
            decided.groups = _kept_groups(kept, scanned[0], active)
            return decided
    wanted = {source for rule in active for source in rule.candidates}
    found = index.candidates(view, wanted, pinned, scanned)
    if needs_profile:
        _ungroup(found)
    for pos, evidence in found.detailed.items():
        facts = index.facts[pos]
        evidence = suppress(evidence, suppressions, facts.id)
        applicable = [r for r in active if evidence.sources.intersection(r.candidates)]
        for rule in _firing(
            applicable, view, decided.item, facts, evidence, with_profile=needs_profile
        ):
            decided.detailed.append(Decision(rule, (pos,), evidence))
    decided.groups = _decide_groups(found, decided, active)
    if shape is not None and not found.detailed:
        index.shapes.remember(shape, _shape_of(found, decided.groups, active))
    return decided


def evaluate_item(
    item: ItemRecord,
    index: ProfileIndex,
    rules: Iterable[Rule] | None = None,
    as_of: date | None = None,
    suppressions: Suppressions = _NO_SUPPRESSIONS,
) -> list[Alert]:
    """Alerts that this item raises for the indexed profiles (candidates only)."""
    return decide_item(item, index, rules, as_of, suppressions).alerts()


def evaluate_naive(
    item: ItemRecord,
    index: ProfileIndex,
    rules: Iterable[Rule] | None = None,
    as_of: date | None = None,
    suppressions: Suppressions = _NO_SUPPRESSIONS,
) -> list[Alert]:
    """The reference: every rule on every profile, evidence found by brute force, no memo."""
    as_of = as_of or date.today()
    rules = tuple(rules) if rules is not None else load_rules()
    view = ItemView.of(item)
    facts_of_item = item_facts(item, view)
    alerts: list[Alert] = []
    applicable = [r for r in rules if r.applies_to_item(facts_of_item, memo=False)]
    for facts in sorted(index.facts, key=lambda f: f.id):
        evidence = suppress(naive_evidence(view, facts), suppressions, facts.id)
        needs_profile = any(rule.needs_profile for rule in applicable)
        for rule in _firing(applicable, view, facts_of_item, facts, evidence, False, needs_profile):
            context = {"item": facts_of_item, "match": _match(view, facts, evidence)}
            alerts.append(render_alert(rule, view, facts, context, evidence, as_of))
    return alerts


def evaluate_items(
    items: Iterable[ItemRecord],
    profiles: Iterable[EnterpriseProfile],
    as_of: date | None = None,
    suppressions: Suppressions = _NO_SUPPRESSIONS,
) -> list[Alert]:
    """Alerts for many items against many profiles (nothing stored)."""
    index = ProfileIndex.build(profiles, as_of)
    rules = load_rules()
    return [
        alert for item in items for alert in evaluate_item(item, index, rules, as_of, suppressions)
    ]
