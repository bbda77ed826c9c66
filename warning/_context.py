"""``match``: what one item and one profile share, as the rule conditions see it.

Each field is computed when a condition or an explanation first reads it: a condition reads
two or three of the seventeen, and deciding groups of profiles builds this for every group.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from warning._facts import ItemView, PartyHit, ProfileFacts
from warning.matching import Evidence, concerned_markets, naive_hs

__all__ = ["Match"]


def _terms(match: Match, kind: str) -> list[str]:
    return sorted({h.term for h in match.evidence.terms if h.kind == kind})


def _parties(match: Match, kind: str) -> list[dict[str, Any]]:
    hits: list[PartyHit] = [h for h in match.evidence.parties if h.kind == kind]
    return [{"name": h.party, "role": h.role or "", "score": h.score} for h in hits]


def _hs(match: Match) -> list[str]:
    view, facts = match.view, match.facts
    return naive_hs(view, facts) if view.hs and facts.hs else []


def _in_right(match: Match, right: str, held: bool) -> list[str]:
    markets = match.facts.right_markets(right)
    return [m for m in match["markets"] if (m in markets) == held]


_FIELDS: dict[str, Callable[[Match], Any]] = {
    "markets": lambda m: concerned_markets(m.view, m.facts),
    "chains": lambda m: [c for c in m.view.chains if c in m.facts.chains],
    "names": lambda m: _terms(m, "name"),
    "competitors": lambda m: _terms(m, "competitor"),
    "keywords": lambda m: _terms(m, "keyword"),
    "watch_terms": lambda m: _terms(m, "watch_term"),
    "parties": lambda m: _parties(m, "name"),
    "competitor_parties": lambda m: _parties(m, "competitor"),
    "party_score": lambda m: max(
        (h.score for h in m.evidence.parties if h.kind == "name"), default=0.0
    ),
    "hs": _hs,
    "standards": lambda m: sorted(m.facts.standards & m.view.standards),
    "patent_markets": lambda m: _in_right(m, "patent", True),
    "no_patent_markets": lambda m: _in_right(m, "patent", False),
    "trademark_markets": lambda m: _in_right(m, "trademark", True),
    "no_trademark_markets": lambda m: _in_right(m, "trademark", False),
}


class Match(dict[str, Any]):
    """The ``match`` of one item and one profile; fields are filled in when first read.

    Raises:
        KeyError: for a field that ``match`` does not have.
    """

    def __init__(self, view: ItemView, facts: ProfileFacts, evidence: Evidence) -> None:
        super().__init__()
        self.view: ItemView = view
        self.facts: ProfileFacts = facts
        self.evidence: Evidence = evidence

    def __missing__(self, key: str) -> Any:
        value = self[key] = _FIELDS[key](self)
        return value
