"""Chain tags from matched phrases and classification codes, with the Binhu/465 crosswalk.

What counts as evidence:

* products, keywords, anchors and HS/IPC codes tag a chain on their own;
* weak (noise-prone) terms never do, not even several together ("potato chip" and
  "wafer-thin" are no chip industry); they only add to a chain tagged by something else,
  unless the term is part of a company's name ("Helion Battery Systems, Inc.",
  "无锡示例电芯科技有限公司", "某芯片公司"): a name that states an industry is evidence for it;
* context terms (IP types, enforcement, trade measures) only add to the score;
* a term inside a longer matched chain term is not evidence of its own ("turbine blade" in
  "wind turbine blade", "新能源" in "新能源汽车", "dress" in "trade dress");
* a Chinese enumeration of products from different chains ("涉及服装、家居和汽车配件等品类")
  mentions them in passing: terms inside it are weak.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from pydantic import TypeAdapter

from core.types import ChainTag
from tagger._codes import CodeHit
from tagger._lexicon import Entry, Grade
from tagger.taxonomy import Taxonomy

__all__ = ["GRADE_WEIGHTS", "MAX_EVIDENCE", "ChainFields", "ChainScorer", "Term"]

GRADE_WEIGHTS = {
    Grade.ANCHOR: 0.6,
    Grade.PRODUCT: 0.55,
    Grade.STRONG: 0.5,
    Grade.WEAK: 0.2,
    Grade.CONTEXT: 0.1,
}
"""Evidence weight of one distinct matched term; a chain's score is 1 - prod(1 - w)."""

MAX_EVIDENCE = 10

Term = tuple[Entry, int, int]
"""A matched phrase: what it is evidence of, and its (start, end) in the prepared text."""

_Tag = tuple[float, list[str]]
"""A chain's score and evidence, until the ``ChainTag`` is made (once, at the end)."""

_CHAIN_TAGS = TypeAdapter(list[ChainTag])
"""Makes an item's ``ChainTag``s in one validation (a third cheaper than one model each)."""
ChainFields = dict[str, str | float | list[str]]
"""A ``ChainTag``'s fields: id, score and evidence."""

_PLURAL_END = re.compile(r"(?<=[a-z]{3})(?:es|s)$")
_EN_COMPANY_TAIL = re.compile(
    r"(?:[ ,]+(?:[A-Z][\w&'.-]*|\([A-Z][\w ]*\)|and|&)){0,5}?,? +"
    r"(?:Co\.|Company|Corp\.?|Corporation|Inc\.?|Incorporated|L\.?L\.?C\.?|Ltd\.?|Limited|"
    r"GmbH|AG|S\.A\.|SE|B\.V\.|N\.V\.|plc|PLC|Pte\.?|K\.K\.)(?![\w])"
)
_ZH_COMPANY_TAIL = re.compile(
    r"[^\W的给向对被与和在从将把及等了是为\d_]{0,8}?(?:有限公司|公司|集团|厂)"
)
_CLAUSE_ENDS = frozenset("，。；：！？,.;:!?()（）《》“”\n")
_MEMBER = 8
"""Characters an enumeration member may have (and the last one, with its 和/及 tail)."""
_COMPANY_LOOKAHEAD = 80


@dataclass(slots=True)
class _Evidence:
    weights: dict[str, float] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)
    strong: bool = False

    def add(self, key: str, weight: float, text: str, strong: bool) -> None:
        if weight > self.weights.get(key, 0.0):
            self.weights[key] = weight
        if key not in self.texts:
            self.texts[key] = text
        self.strong = self.strong or strong

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


def _outermost(terms: list[Term]) -> list[Term]:
    """Terms not strictly inside a longer term's span (terms with equal spans all stay)."""
    if len(terms) < 2:
        return terms
    kept: list[Term] = []
    reach, reach_start = -1, -1
    for term in sorted(terms, key=lambda t: (t[1], -t[2])):
        _, start, end = term
        if end < reach or (end == reach and reach_start < start):
            continue
        kept.append(term)
        if end > reach:
            reach, reach_start = end, start
    return kept


def in_company_name(text: str, start: int, end: int) -> bool:
    """Whether the term at ``text[start:end]`` is part of a company's name: a capitalised
    English word followed by more name words and a legal form ("Battery Systems, Inc."), or
    Chinese characters followed by 公司, 集团 or 厂."""
    if text[start].isascii():
        if not text[start].isupper():
            return False
        return _EN_COMPANY_TAIL.match(text, end, end + _COMPANY_LOOKAHEAD) is not None
    return _ZH_COMPANY_TAIL.match(text, end, end + 16) is not None


def _passing_spans(text: str) -> list[tuple[int, int]]:
    """Chinese enumerations ("服装、家居和汽车配件"): from up to ``_MEMBER`` characters
    before the first "、" to as many after the last, within one clause."""
    spans: list[tuple[int, int]] = []
    comma = text.find("、")
    while comma >= 0:
        start = comma
        while start > 0 and comma - start < _MEMBER and text[start - 1] not in _CLAUSE_ENDS:
            start -= 1
        end = comma + 1
        while True:
            reach = end
            while reach < len(text) and reach - end < _MEMBER and text[reach] not in _CLAUSE_ENDS:
                reach += 1
            if reach < len(text) and text[reach] == "、":
                end = reach + 1
                continue
            end = reach
            break
        if spans and start <= spans[-1][1]:
            start = spans[-1][0]
            spans.pop()
        spans.append((start, end))
        comma = text.find("、", end)
    return spans


def _in_passing(terms: list[Term], text: str) -> set[int]:
    """Indexes of terms inside an enumeration whose members share no chain."""
    passing: set[int] = set()
    for low, high in _passing_spans(text):
        inside = [i for i, (_, start, end) in enumerate(terms) if low <= start and end <= high]
        members: dict[tuple[int, int], set[str]] = {}
        for i in inside:
            entry, start, end = terms[i]
            if entry.grade is not Grade.CONTEXT:
                members.setdefault((start, end), set()).add(entry.target)
        if len(members) > 1 and not set.intersection(*members.values()):
            passing.update(inside)
    return passing


def _named_industries(terms: list[Term], text: str) -> set[int]:
    """Indexes of weak terms that name a company's industry: inside a company name, and weak
    for one chain only ("Medical" in "Examplar Medical GmbH"; not "Automation", which is
    weak for high-end equipment and for intelligent manufacturing alike)."""
    chains: dict[tuple[int, int], set[str]] = {}
    for entry, start, end in terms:
        if entry.grade is Grade.WEAK:
            chains.setdefault((start, end), set()).add(entry.target)
    return {
        index
        for index, (entry, start, end) in enumerate(terms)
        if entry.grade is Grade.WEAK
        and len(chains[start, end]) == 1
        and in_company_name(text, start, end)
    }


class ChainScorer:
    """Chain tags from evidence, with the Binhu/465 crosswalk applied."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self._forward = {b: list(w.targets) for b, w in taxonomy.binhu_to_465.items()}
        self._reverse = taxonomy.binhu_equivalents()
        self._order = {chain_id: index for index, chain_id in enumerate(taxonomy.chain_ids())}

    def score(self, terms: Iterable[Term], codes: Iterable[CodeHit], text: str) -> list[ChainTag]:
        """Tagged chains, best first (465 chains before Binhu ones on equal scores)."""
        return _CHAIN_TAGS.validate_python(self.score_fields(terms, codes, text))

    def score_fields(
        self, terms: Iterable[Term], codes: Iterable[CodeHit], text: str
    ) -> list[ChainFields]:
        """``score`` as ``ChainTag`` fields (plain dicts, JSON-ready): what the tagger puts
        in the tags it makes in one validation, or hands out as JSON without one."""
        evidence = self._evidence(list(terms), codes, text)
        tags: dict[str, _Tag] = {
            chain: (ev.score(), list(ev.texts.values())[:MAX_EVIDENCE])
            for chain, ev in evidence.items()
            if ev.strong
        }
        for binhu in [chain for chain in tags if chain in self._forward]:
            for target in self._forward[binhu]:
                _derive(tags, binhu, target)
        for chain_465 in [chain for chain in tags if chain in self._reverse]:
            _derive(tags, chain_465, self._reverse[chain_465])
        order = self._order
        ranked = sorted(tags.items(), key=lambda tag: (-tag[1][0], order.get(tag[0], 0)))
        return [{"id": chain, "score": score, "evidence": ev} for chain, (score, ev) in ranked]

    @staticmethod
    def _evidence(terms: list[Term], codes: Iterable[CodeHit], text: str) -> dict[str, _Evidence]:
        evidence: dict[str, _Evidence] = {}
        outer = _outermost(terms)
        passing = _in_passing(outer, text)
        named = _named_industries(outer, text)
        for index, (entry, start, end) in enumerate(outer):
            said = text[start:end]
            grade = entry.grade
            if index in passing and grade is not Grade.CONTEXT:
                grade = Grade.WEAK
            elif index in named:
                grade = Grade.STRONG
            strong = grade is not Grade.WEAK and grade is not Grade.CONTEXT
            ev = evidence.get(entry.target)
            if ev is None:
                ev = evidence[entry.target] = _Evidence()
            ev.add(_term_key(said), GRADE_WEIGHTS[grade], said, strong)
        for code in codes:
            ev = evidence.get(code.chain)
            if ev is None:
                ev = evidence[code.chain] = _Evidence()
            ev.add(code.evidence, code.weight, code.evidence, True)
        return evidence


def _derive(tags: dict[str, _Tag], source: str, target: str) -> None:
    """Give ``target`` the source's score and evidence when it has no better of its own."""
    origin = tags.get(source)
    if origin is None:
        return
    own = tags.get(target)
    if own is None:
        tags[target] = (origin[0], list(origin[1]))
        return
    evidence = own[1] + [e for e in origin[1] if e not in own[1]]
    tags[target] = (max(own[0], origin[0]), evidence[:MAX_EVIDENCE])
