"""From matched phrases and regex finds to ``Tags``: scoring chains, choosing the kind,
keeping jurisdictions that are not just a party's address."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from core.types import ChainTag, ItemKind
from tagger._codes import CodeHit
from tagger._lexicon import BLOCKS_IP_TYPE, Entry, Field, Grade
from tagger._refs import CaseRef
from tagger.taxonomy import Taxonomy

GRADE_WEIGHTS = {
    Grade.ANCHOR: 0.6,
    Grade.PRODUCT: 0.55,
    Grade.STRONG: 0.5,
    Grade.WEAK: 0.2,
    Grade.CONTEXT: 0.1,
}
"""Evidence weight of one distinct matched term; a chain's score is 1 - prod(1 - w)."""

KIND_WEIGHTS = {Grade.STRONG: 3.0, Grade.WEAK: 1.0}
HEAD_CHARS = 300
MAX_EVIDENCE = 10

_PLURAL_END = re.compile(r"(?<=[a-z]{3})(?:es|s)$")


Term = tuple[Entry, int, int]
"""A matched phrase: what it is evidence of, and its (start, end) in the prepared text."""


@dataclass(slots=True)
class Matches:
    """Matched phrases, sorted by the part of the tags they feed."""

    chain: list[Term] = field(default_factory=list)
    kind: list[Term] = field(default_factory=list)
    jurisdiction: list[Term] = field(default_factory=list)
    ip_type: list[Term] = field(default_factory=list)
    signal: list[Term] = field(default_factory=list)
    _by_field: dict[Field, list[Term]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_field = {
            Field.CHAIN: self.chain,
            Field.KIND: self.kind,
            Field.JURISDICTION: self.jurisdiction,
            Field.IP_TYPE: self.ip_type,
            Field.SIGNAL: self.signal,
        }

    def add(self, entries: Iterable[Entry], start: int, end: int) -> None:
        """File one match under each of its entries (blockers beside the cues they void)."""
        for entry in entries:
            if entry.field is Field.BLOCKER:
                target = self.ip_type if entry.target == BLOCKS_IP_TYPE else self.jurisdiction
                target.append((entry, start, end))
            else:
                self._by_field[entry.field].append((entry, start, end))

    def lists(self) -> tuple[list[Term], ...]:
        """The term lists in the order ``slot_of`` numbers them."""
        return (self.chain, self.kind, self.jurisdiction, self.ip_type, self.signal)


_SLOTS = {
    Field.CHAIN: 0,
    Field.KIND: 1,
    Field.JURISDICTION: 2,
    Field.IP_TYPE: 3,
    Field.SIGNAL: 4,
}


def slot_of(entry: Entry) -> int:
    """Which of ``Matches.lists()`` a match of ``entry`` is filed under, as ``Matches.add``
    files it (worked out once per phrase, not once per match)."""
    if entry.field is Field.BLOCKER:
        return _SLOTS[Field.IP_TYPE if entry.target == BLOCKS_IP_TYPE else Field.JURISDICTION]
    return _SLOTS[entry.field]


@dataclass(slots=True)
class _ChainEvidence:
    weights: dict[str, float] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    strong: bool = False
    weak: set[str] = field(default_factory=set)

    def add(self, key: str, weight: float, text: str, grade: Grade) -> None:
        if weight > self.weights.get(key, 0.0):
            self.weights[key] = weight
        if key not in self.texts:
            self.texts[key] = text
        if grade is Grade.WEAK:
            self.weak.add(key)
        elif grade is not Grade.CONTEXT:
            self.strong = True

    def qualifies(self) -> bool:
        """Strong evidence, or two distinct weak terms; context terms never suffice."""
        return self.strong or len(self.weak) >= 2

    def score(self) -> float:
        missing = 1.0
        for weight in self.weights.values():
            missing *= 1.0 - weight
        return round(1.0 - missing, 3)


@lru_cache(maxsize=65536)
def _term_key(text: str) -> str:
    key = " ".join(text.lower().split())
    if key.endswith("ies") and key.isascii():
        return key[:-3] + "y"
    return _PLURAL_END.sub("", key) if key.isascii() else key


def _chain_evidence(
    terms: Iterable[Term], codes: Iterable[CodeHit], text: str
) -> dict[str, _ChainEvidence]:
    evidence: dict[str, _ChainEvidence] = defaultdict(_ChainEvidence)
    for entry, start, end in terms:
        said = text[start:end]
        evidence[entry.target].add(_term_key(said), GRADE_WEIGHTS[entry.grade], said, entry.grade)
    for code in codes:
        evidence[code.chain].add(code.evidence, code.weight, code.evidence, Grade.STRONG)
    return evidence


class ChainScorer:
    """Chain tags from evidence, with the Binhu/465 crosswalk applied."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._forward = {b: list(w.targets) for b, w in taxonomy.binhu_to_465.items()}
        self._reverse = taxonomy.binhu_equivalents()
        self._order = {chain_id: index for index, chain_id in enumerate(taxonomy.chain_ids())}

    def score(self, terms: Iterable[Term], codes: Iterable[CodeHit], text: str) -> list[ChainTag]:
        """Tagged chains, best first (465 chains before Binhu ones on equal scores)."""
        evidence = _chain_evidence(terms, codes, text)
        tags = {
            chain: ChainTag(
                id=chain, score=ev.score(), evidence=list(ev.texts.values())[:MAX_EVIDENCE]
            )
            for chain, ev in evidence.items()
            if ev.qualifies()
        }
        for binhu in [chain for chain in tags if chain in self._forward]:
            for target in self._forward[binhu]:
                _derive(tags, binhu, target)
        for chain_465 in [chain for chain in tags if chain in self._reverse]:
            _derive(tags, chain_465, self._reverse[chain_465])
        return sorted(tags.values(), key=lambda t: (-t.score, self._order.get(t.id, 0)))


def _derive(tags: dict[str, ChainTag], source: str, target: str) -> None:
    """Give ``target`` the source's score and evidence when it has no better of its own."""
    origin = tags.get(source)
    if origin is None:
        return
    own = tags.get(target)
    if own is None:
        tags[target] = ChainTag(id=target, score=origin.score, evidence=list(origin.evidence))
        return
    evidence = own.evidence + [e for e in origin.evidence if e not in own.evidence]
    tags[target] = ChainTag(
        id=target, score=max(own.score, origin.score), evidence=evidence[:MAX_EVIDENCE]
    )


def head_end(text: str) -> int:
    """Where the head (the first line, at most ``HEAD_CHARS``) ends."""
    newline = text.find("\n")
    return HEAD_CHARS if newline < 0 or newline > HEAD_CHARS else newline


def choose_kind(terms: Iterable[Term], head: int, order: list[str]) -> ItemKind | None:
    """The kind with the most cue weight: each distinct cue counts once, double when it is in
    the head; ties go to the kind listed first in ``order``."""
    weights: dict[tuple[str, str], float] = {}
    for entry, start, _ in terms:
        weight = KIND_WEIGHTS.get(entry.grade, 1.0) * (2 if start < head else 1)
        key = (entry.target, entry.term)
        weights[key] = max(weight, weights.get(key, 0.0))
    totals: dict[str, float] = defaultdict(float)
    for (kind, _), weight in weights.items():
        totals[kind] += weight
    if not totals:
        return None
    _, best = max(enumerate(order), key=lambda pair: (totals.get(pair[1], 0.0), -pair[0]))
    return ItemKind(best)


def _longest_first(terms: list[Term]) -> list[Term]:
    """Terms that do not overlap an earlier or, at the same start, longer one ("印度尼西亚" is
    Indonesia, not India; "Latin American" is not "American"). Terms with the same span are
    all kept."""
    kept: list[Term] = []
    last: tuple[int, int] = (-1, -1)
    for term in sorted(terms, key=lambda t: (t[1], t[1] - t[2])):
        if term[1] >= last[1] or (term[1], term[2]) == last:
            kept.append(term)
            last = (term[1], term[2])
    return kept


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(low <= start and end <= high for low, high in spans)


def choose_jurisdictions(
    terms: Iterable[Term],
    party_spans: list[tuple[int, int]],
    refs: list[CaseRef],
    weak_codes: set[str],
) -> list[str]:
    """Jurisdiction codes in order of appearance.

    Mentions inside a party's stated location or name do not count. A weak code (China)
    stays only with a strong cue for it (a Chinese court or office, a Chinese case number)
    or when nothing else was found.
    """
    found: list[tuple[int, str, bool]] = []
    for entry, start, end in _longest_first(list(terms)):
        if entry.field is Field.JURISDICTION and not _inside(start, end, party_spans):
            found.append((start, entry.target, entry.grade is Grade.STRONG))
    found += [(ref.start, ref.jurisdiction, True) for ref in refs]
    found.sort()
    codes = list(dict.fromkeys(code for _, code, _ in found))
    strong = {code for _, code, is_strong in found if is_strong}
    others = [code for code in codes if code not in weak_codes]
    return [code for code in codes if code not in weak_codes or code in strong or not others]


def choose_ip_types(terms: Iterable[Term], refs: list[CaseRef]) -> list[str]:
    """IP types in order of appearance; standard-essential patents and patent case numbers
    (PTAB, UPC) also mean "patent"."""
    found = [
        (start, entry.target)
        for entry, start, _ in _longest_first(list(terms))
        if entry.field is Field.IP_TYPE
    ]
    found += [
        (ref.start, "patent")
        for ref in refs
        if ref.ref.startswith(("IPR", "PGR", "CBM")) or ref.jurisdiction == "UPC"
    ]
    types = list(dict.fromkeys(target for _, target in sorted(found)))
    if "sep" in types and "patent" not in types:
        types.append("patent")
    return types


def choose_products(terms: Iterable[Term]) -> list[str]:
    """Taxonomy product phrases found, as the taxonomy names them; a product inside a longer
    chain phrase (an anchor such as a park's name) does not count."""
    outermost = _longest_first(list(terms))
    return list(dict.fromkeys(e.term for e, _, _ in outermost if e.grade is Grade.PRODUCT))
