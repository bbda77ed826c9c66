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
from tagger._lexicon import Entry, Field, Grade
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
            Field.CHAIN: self.chain, Field.KIND: self.kind, Field.JURISDICTION: self.jurisdiction,
            Field.BLOCKER: self.jurisdiction, Field.IP_TYPE: self.ip_type, Field.SIGNAL: self.signal,
        }

    def add(self, entries: Iterable[Entry], start: int, end: int) -> None:
        """File one match under each of its entries."""
        for entry in entries:
            self._by_field[entry.field].append((entry, start, end))


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

    def score(self, terms: Iterable[Term], codes: Iterable[CodeHit], text: str) -> list[ChainTag]:
        """Tagged chains, best first."""
        evidence = _chain_evidence(terms, codes, text)
        tags = {
            chain: ChainTag(id=chain, score=ev.score(),
                            evidence=list(ev.texts.values())[:MAX_EVIDENCE])
            for chain, ev in evidence.items()
            if ev.qualifies()
        }
        for binhu, targets in self._forward.items():
            for target in targets:
                _derive(tags, binhu, target)
        for chain_465, binhu in self._reverse.items():
            _derive(tags, chain_465, binhu)
        return sorted(tags.values(), key=lambda t: (-t.score, t.id))


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
    tags[target] = ChainTag(id=target, score=max(own.score, origin.score),
                            evidence=evidence[:MAX_EVIDENCE])


def head_end(text: str) -> int:
    """Where the head (the first line, at most ``HEAD_CHARS``) ends."""
    newline = text.find("\n")
    return HEAD_CHARS if newline < 0 or newline > HEAD_CHARS else newline


def choose_kind(terms: Iterable[Term], head: int, order: list[str]) -> ItemKind | None:
    """The kind with the most cue weight (head cues count double; ties go to ``order``)."""
    totals: dict[str, float] = defaultdict(float)
    for entry, start, _ in terms:
        totals[entry.target] += KIND_WEIGHTS.get(entry.grade, 1.0) * (2 if start < head else 1)
    if not totals:
        return None
    best = max(order, key=lambda kind: (totals.get(kind, 0.0), -order.index(kind)))
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
    terms: Iterable[Term], party_spans: list[tuple[int, int]], refs: list[CaseRef],
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
    found = [(start, entry.target) for entry, start, _ in terms]
    found += [(ref.start, "patent") for ref in refs if ref.ref.startswith(("IPR", "PGR", "CBM"))
              or ref.jurisdiction == "UPC"]
    types = list(dict.fromkeys(target for _, target in sorted(found)))
    if "sep" in types and "patent" not in types:
        types.append("patent")
    return types


def choose_products(terms: Iterable[Term]) -> list[str]:
    """Taxonomy product phrases found, as the taxonomy names them, longest match first."""
    products = [t for t in terms if t[0].grade is Grade.PRODUCT]
    return list(dict.fromkeys(entry.term for entry, _, _ in _longest_first(products)))
