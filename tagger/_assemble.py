"""From matched phrases and regex finds to ``Tags``: choosing the kind, IP types, products,
keeping jurisdictions that are not just a party's address."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from core.types import ItemKind
from tagger._foreign_courts import SHARED_COURT_NAMES, names_a_foreign_court
from tagger._lexicon import BLOCKS_IP_TYPE, Entry, Field, Grade
from tagger._nationality import describes_a_firm
from tagger._refs import CaseRef
from tagger._territory import territory_spans, upc_member_states

KIND_WEIGHTS = {Grade.STRONG: 3.0, Grade.WEAK: 1.0}
HEAD_CHARS = 300


UPC_DIVISION_SEATS = frozenset(
    [
        "munich",
        "münchen",
        "munchen",
        "düsseldorf",
        "dusseldorf",
        "mannheim",
        "hamburg",
        "paris",
        "milan",
        "milano",
        "the hague",
        "brussels",
        "copenhagen",
        "helsinki",
        "lisbon",
        "ljubljana",
        "vienna",
        "stockholm",
        "慕尼黑",
        "杜塞尔多夫",
        "曼海姆",
        "汉堡",
        "巴黎",
        "米兰",
        "海牙",
    ]
)
"""Cities with a UPC division (local, regional or central): in a UPC item they name the
court, not a national one."""

EUROPEAN_PATENT = frozenset(["european patent", "european patents", "欧洲专利"])
"""A European patent asserted in a national court or the UPC is not an EPO matter: "EPO"
counts only when the text names the Office or its proceedings (opposition, Boards)."""

Term = tuple[Entry, int, int]
"""A matched phrase: what it is evidence of, and its (start, end) in the prepared text."""


@dataclass(slots=True)
class Matches:
    """Matched phrases, sorted by the part of the tags they feed (``slot_of`` says which);
    ``cue`` holds the hits that only tell an extractor where to look."""

    chain: list[Term] = field(default_factory=list)
    kind: list[Term] = field(default_factory=list)
    jurisdiction: list[Term] = field(default_factory=list)
    ip_type: list[Term] = field(default_factory=list)
    signal: list[Term] = field(default_factory=list)
    cue: list[Term] = field(default_factory=list)

    def lists(self) -> tuple[list[Term], ...]:
        """The term lists in the order ``slot_of`` numbers them."""
        return (self.chain, self.kind, self.jurisdiction, self.ip_type, self.signal, self.cue)


_SLOTS = {
    Field.CHAIN: 0,
    Field.KIND: 1,
    Field.JURISDICTION: 2,
    Field.IP_TYPE: 3,
    Field.SIGNAL: 4,
    Field.CUE: 5,
}


def slot_of(entry: Entry) -> int:
    """Which of ``Matches.lists()`` a match of ``entry`` is filed under (worked out once per
    phrase, not once per match); blockers go beside the cues they void."""
    if entry.field is Field.BLOCKER:
        return _SLOTS[Field.IP_TYPE if entry.target == BLOCKS_IP_TYPE else Field.JURISDICTION]
    return _SLOTS[entry.field]


def head_end(text: str) -> int:
    """Where the head (the first line, at most ``HEAD_CHARS``) ends."""
    newline = text.find("\n")
    return HEAD_CHARS if newline < 0 or newline > HEAD_CHARS else newline


def choose_kind(terms: Iterable[Term], head: int, order: list[str]) -> ItemKind | None:
    """The kind the text's words point to: the kind with the most cue weight, each distinct
    cue counted once, double when it is in the head; ties go to the kind listed first in
    ``order``; no cue gives None.

    This is the text's reading only. ``tagger.reconcile.reconcile_tags`` makes the item's
    final kind from it, the form of the head and the crawler's kind."""
    weights: dict[tuple[str, str], float] = {}
    for entry, start, _ in terms:
        weight = KIND_WEIGHTS.get(entry.grade, 1.0) * (2 if start < head else 1)
        key = (entry.target, entry.term)
        if weight > weights.get(key, 0.0):  # every weight is positive
            weights[key] = weight
    totals: dict[str, float] = defaultdict(float)
    for (kind, _), weight in weights.items():
        totals[kind] += weight
    if not totals:
        return None
    best, most = "", -1.0
    for kind in order:  # the first kind with the greatest total
        total = totals.get(kind, 0.0)
        if total > most:
            best, most = kind, total
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


def _names_upc_division(term: str) -> bool:
    """ "Munich", "Local Division Mannheim", "杜塞尔多夫": a UPC division's seat or name (not
    "Landgericht München", a national court)."""
    folded = term.casefold()
    if folded in UPC_DIVISION_SEATS:
        return True
    return "division" in folded and any(seat in folded for seat in UPC_DIVISION_SEATS)


def _foreign_court(entry: Entry, start: int, text: str) -> bool:
    """Whether a Chinese court cue is a foreign court's name ("伊斯坦布尔知识产权法院")."""
    return (
        entry.target == "CN"
        and entry.term in SHARED_COURT_NAMES
        and names_a_foreign_court(text, start)
    )


def _inside(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    for low, high in spans:  # noqa: SIM110 - called some 6 times an item: any() costs more
        if low <= start and end <= high:
            return True
    return False


def _outside_territory(kept: list[Term], territory: list[tuple[int, int]]) -> list[Term]:
    """The terms that are not UPC member states inside a territory an order covers."""
    if not territory:
        return kept
    members = upc_member_states()
    return [t for t in kept if t[0].target not in members or not _inside(t[1], t[2], territory)]


def _without_nationalities(
    kept: list[Term], refs: list[CaseRef], weak_codes: set[str], text: str
) -> list[Term]:
    """The terms that are not a firm's nationality ("一家德国电池企业", "a US company"), when
    the item has a forum besides: a court, office, regime or country of its own, other than a
    weak code's plain name (a case number is one too). With no forum, the nationalities are
    all the text says about where the matter is, and they stay."""
    if not text:
        return kept
    firms = [t for t in kept if describes_a_firm(text, *t)]
    if not firms:
        return kept
    others = [t for t in kept if t not in firms]
    if refs or any(_is_forum(t, weak_codes) for t in others):
        return others
    return kept


def _is_forum(term: Term, weak_codes: set[str]) -> bool:
    entry = term[0]
    return entry.target not in weak_codes or entry.grade is Grade.STRONG


def choose_jurisdictions(
    terms: Iterable[Term],
    party_spans: list[tuple[int, int]],
    refs: list[CaseRef],
    weak_codes: set[str],
    text: str = "",
) -> list[str]:
    """Jurisdiction codes in order of appearance.

    Mentions inside a party's stated location or name do not count. In a UPC item, the seat
    of a division ("Munich LD", "杜塞尔多夫地方分庭") is the UPC's, not its host country's:
    the country counts only when named otherwise ("Germany", "German court"); member states
    named as where its order has effect ("在德国、法国等成员国销售", ``text``) are the
    order's territory, not courts of their own. "European
    patent" alone is no EPO matter (``EUROPEAN_PATENT``). A country describing a firm
    ("一家德国电池企业", "a US company") is where the firm is from, not a forum: it counts
    only when the item names no forum. A weak code
    (China) stays only with a strong cue for it (a Chinese court or office, a Chinese case
    number) or when nothing else was found; a Chinese court name worn by a foreign court
    ("伊斯坦布尔知识产权法院", ``tagger._foreign_courts``) is no cue for China.
    """
    found: list[tuple[int, str, bool]] = []
    kept = [
        (entry, start, end)
        for entry, start, end in _longest_first(list(terms))
        if entry.field is Field.JURISDICTION
        and not _inside(start, end, party_spans)
        and not _foreign_court(entry, start, text)
    ]
    if any(entry.target == "UPC" for entry, _, _ in kept) or any(
        r.jurisdiction == "UPC" for r in refs
    ):
        kept = [t for t in kept if t[0].target == "UPC" or not _names_upc_division(t[0].term)]
        kept = _outside_territory(kept, territory_spans(text))
    if all(t[0].term.casefold() in EUROPEAN_PATENT for t in kept if t[0].target == "EPO"):
        kept = [t for t in kept if t[0].target != "EPO"]
    kept = _without_nationalities(kept, refs, weak_codes, text)
    found += [(start, entry.target, entry.grade is Grade.STRONG) for entry, start, _ in kept]
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
