"""Evaluating the rules: pure functions from items and profiles to alerts.

For each item the rules' ``item_when`` runs once; the index then finds candidate profiles
only through the lookups that the remaining rules name, and ``when`` runs on those. The CEL
context a rule sees:

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

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from core.types import Alert, EnterpriseProfile, ItemRecord
from warning import _cues
from warning.matching import (
    Evidence,
    ItemView,
    ProfileFacts,
    ProfileIndex,
    concerned_markets,
    naive_evidence,
    naive_hs,
    suppress,
)
from warning.rules import Rule, load_rules

__all__ = [
    "ProfileIndex",
    "chain_label",
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
        out.append(
            {
                "name": party.name,
                "role": party.role or "",
                "chinese": party.chinese,
                "province": party.province or "",
                "city": party.city or "",
                "jiangsu": party.province == "江苏" or bool(_cues.JIANGSU.search(place)),
                "wuxi": party.city == "无锡" or bool(_cues.WUXI.search(place)),
            }
        )
    return out


def item_facts(item: ItemRecord, view: ItemView | None = None) -> dict[str, Any]:
    """The item as the rules see it."""
    view = view or ItemView.of(item)
    tags = view.tags
    text = view.original
    head = text[:4000]
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
        "is_337": any(_cues.MENTIONS_337.search(r) for r in case_refs)
        or bool(_cues.MENTIONS_337.search(head)),
        "is_schedule_a": "schedule_a" in tags.flags or bool(_cues.SCHEDULE_A.search(head)),
        "is_upc": "UPC" in view.jurisdictions or bool(_cues.UPC.search(head)),
        "is_injunction": bool(
            {"preliminary_injunction", "permanent_injunction", "tro"} & set(signals)
        )
        or bool(_cues.INJUNCTION.search(head)),
        "is_german_court": bool(_cues.GERMAN_COURT.search(head)),
        "is_trade_fair": bool(_cues.TRADE_FAIR.search(head)),
        "is_customs": "customs_detention" in signals or bool(_cues.CUSTOMS.search(head)),
        "is_squatting": bool(_cues.SQUATTING.search(head)),
        "is_sep": "sep" in tags.ip_types or bool(_cues.SEP.search(head)),
        "chinese_parties": [p["name"] for p in chinese],
        "jiangsu_parties": [p["name"] for p in chinese if p["jiangsu"]],
        "wuxi_parties": [p["name"] for p in chinese if p["wuxi"]],
    }


def _match(view: ItemView, facts: ProfileFacts, evidence: Evidence) -> dict[str, Any]:
    markets = concerned_markets(view, facts)
    patent = facts.rights.get("patent", frozenset())
    trademark = facts.rights.get("trademark", frozenset())
    own = [h for h in evidence.parties if h.kind == "name"]
    rivals = [h for h in evidence.parties if h.kind == "competitor"]
    terms: dict[str, set[str]] = {
        "name": set(),
        "competitor": set(),
        "keyword": set(),
        "watch_term": set(),
    }
    for hit in evidence.terms:
        terms[hit.kind].add(hit.term)
    return {
        "markets": markets,
        "chains": [c for c in view.chains if c in facts.chains],
        "names": sorted(terms["name"]),
        "competitors": sorted(terms["competitor"]),
        "keywords": sorted(terms["keyword"]),
        "watch_terms": sorted(terms["watch_term"]),
        "parties": [{"name": h.party, "role": h.role or "", "score": h.score} for h in own],
        "competitor_parties": [
            {"name": h.party, "role": h.role or "", "score": h.score} for h in rivals
        ],
        "party_score": max((h.score for h in own), default=0.0),
        "hs": naive_hs(view, facts) if view.hs and facts.hs else [],
        "standards": sorted(facts.standards & view.standards),
        "patent_markets": [m for m in markets if m in patent],
        "no_patent_markets": [m for m in markets if m not in patent],
        "trademark_markets": [m for m in markets if m in trademark],
        "no_trademark_markets": [m for m in markets if m not in trademark],
    }


def _deadline(rule: Rule, item: ItemRecord, view: ItemView, as_of: date) -> date | None:
    if rule.deadline is None:
        return None
    base: date | None = None
    if rule.deadline.after != "published":
        base = next(
            (s.date for s in view.tags.signals if s.type == rule.deadline.after and s.date), None
        )
    if base is None and item.published_at is not None:
        base = item.published_at.date()
    return (base or as_of) + timedelta(days=rule.deadline.days)


@lru_cache(maxsize=512)
def chain_label(chain_id: str, lang: str) -> str:
    """A chain's name with its id, e.g. "新能源 (A5)"; the bare id if the taxonomy lacks it."""
    from tagger.taxonomy import load_taxonomy

    try:
        name = load_taxonomy().chain(chain_id).name
    except (KeyError, ValueError):
        return chain_id
    return f"{name.zh}（{chain_id}）" if lang == "zh" else f"{name.en} ({chain_id})"


def _standard_names(ids: list[str], lang: str) -> str:
    table = _cues.standards()
    names = [getattr(table[i].name, lang) or i for i in ids if i in table]
    return ("、" if lang == "zh" else ", ").join(names) or "-"


def _joined(values: Iterable[str], sep: str = ", ") -> str:
    return sep.join(values) or "-"


class _Values(dict[str, str]):
    """Template values, computed only when a rule's template names them; a placeholder
    that names nothing known renders as "-"."""

    def __init__(
        self,
        view: ItemView,
        facts: ProfileFacts,
        match: dict[str, Any],
        item: dict[str, Any],
        evidence: Evidence,
    ) -> None:
        super().__init__()
        self.view, self.facts, self.match, self.item, self.evidence = (
            view,
            facts,
            match,
            item,
            evidence,
        )

    def __missing__(self, key: str) -> str:
        compute = getattr(self, f"_{key}", None)
        value = compute() if compute is not None else "-"
        self[key] = value
        return value

    def _case(self) -> str:
        case = ", ".join(r for r in self.item["case_refs"] if _cues.ITC_337.search(r))
        return f" ({case})" if case else ""

    def _chains_zh(self) -> str:
        return _joined((chain_label(c, "zh") for c in self.match["chains"]), "、")

    def _chains_en(self) -> str:
        return _joined((chain_label(c, "en") for c in self.match["chains"]), "; ")

    def _markets_zh(self) -> str:
        return _joined(self.match["markets"], "、")

    def _markets_en(self) -> str:
        return _joined(self.match["markets"])

    def _share(self) -> float | None:
        markets = self.match["markets"]
        return self.facts.shares.get(markets[0]) if markets else None

    def _share_zh(self) -> str:
        share = self._share()
        return f"（占出口{share:.0%}）" if share else ""

    def _share_en(self) -> str:
        share = self._share()
        return f" ({share:.0%} of exports)" if share else ""

    def _evidence(self) -> str:
        chains = self.match["chains"]
        chain_terms = sorted(
            {t for c in self.view.tags.chains if c.id in chains for t in c.evidence[:5]}
        )
        spans = [h.text for h in self.evidence.terms]
        unique = {t.lower(): t for t in reversed([*spans, *chain_terms])}  # first spelling wins
        terms = [unique[k] for k in dict.fromkeys(t.lower() for t in [*spans, *chain_terms])][:6]
        return "; ".join(f"“{t}”" for t in terms) or "-"

    def _party(self) -> str:
        return self.evidence.parties[0].party if self.evidence.parties else "-"

    def _matched_name(self) -> str:
        return self.evidence.parties[0].matched if self.evidence.parties else "-"

    def _party_score(self) -> str:
        return f"{self.evidence.parties[0].score:.0f}" if self.evidence.parties else "-"

    def _names(self) -> str:
        return _joined(self.match["names"])

    def _competitors(self) -> str:
        parties = [p["name"] for p in self.match["competitor_parties"]]
        return _joined(dict.fromkeys([*self.match["competitors"], *parties]))

    def _keywords(self) -> str:
        return _joined(self.match["keywords"])

    def _watch_terms(self) -> str:
        return _joined(self.match["watch_terms"])

    def _hs(self) -> str:
        return _joined(self.match["hs"])

    def _standards_zh(self) -> str:
        return _standard_names(self.match["standards"], "zh")

    def _standards_en(self) -> str:
        return _standard_names(self.match["standards"], "en")

    def _no_patent_markets(self) -> str:
        return _joined(self.match["no_patent_markets"])

    def _no_trademark_markets(self) -> str:
        return _joined(self.match["no_trademark_markets"])

    def _rights_markets(self) -> str:
        return _joined(sorted({*self.match["patent_markets"], *self.match["trademark_markets"]}))

    def _peers(self) -> str:
        return _joined(self.item["wuxi_parties"] or self.item["jiangsu_parties"])


def _score(view: ItemView, match: dict[str, Any], evidence: Evidence) -> float:
    if evidence.parties:
        return round(max(h.score for h in evidence.parties) / 100, 3)
    scores = [c.score for c in view.tags.chains if c.id in match["chains"]]
    return round(max(scores), 3) if scores else 1.0


def _alert(
    rule: Rule,
    view: ItemView,
    facts: ProfileFacts,
    context: dict[str, Any],
    evidence: Evidence,
    as_of: date,
) -> Alert:
    match, item = context["match"], context["item"]
    values = _Values(view, facts, match, item, evidence)
    explanation = {
        "zh": rule.explanation.zh.format_map(values),
        "en": rule.explanation.en.format_map(values),
        "matched": {
            "markets": match["markets"],
            "chains": [
                {"chain": c.id, "score": round(c.score, 3), "evidence": c.evidence[:5]}
                for c in view.tags.chains
                if c.id in match["chains"]
            ],
            "terms": [h.as_dict() for h in evidence.terms[:20]],
            "parties": [h.as_dict() for h in evidence.parties],
            "hs": match["hs"],
            "standards": match["standards"],
            "no_patent_markets": match["no_patent_markets"],
            "no_trademark_markets": match["no_trademark_markets"],
        },
    }
    if rule.deadline is not None:
        explanation["deadline_basis"] = rule.deadline.why.model_dump()
    # Every field comes from validated rules, profiles and items: skip re-validation.
    return Alert.model_construct(
        enterprise_id=facts.profile.id,
        item_id=view.item.id,
        item_version=view.item.version,
        rule_id=rule.id,
        severity=rule.severity,
        risk_code=rule.risk_code,
        score=_score(view, match, evidence),
        deadline=_deadline(rule, view.item, view, as_of),
        title={"zh": rule.title.zh, "en": rule.title.en},
        explanation=explanation,
        action={"zh": rule.action.zh, "en": rule.action.en},
    )


def _evaluate_candidate(
    rules: Iterable[Rule],
    view: ItemView,
    item: dict[str, Any],
    facts: ProfileFacts,
    evidence: Evidence,
    as_of: date,
    memo: bool = True,
) -> list[Alert]:
    match = _match(view, facts, evidence)
    context = {"item": item, "profile": facts.cel, "match": match}
    return [
        _alert(rule, view, facts, context, evidence, as_of)
        for rule in rules
        if rule.matches(context, memo)
    ]


def evaluate_item(
    item: ItemRecord,
    index: ProfileIndex,
    rules: Iterable[Rule] | None = None,
    as_of: date | None = None,
    suppressions: Suppressions = _NO_SUPPRESSIONS,
) -> list[Alert]:
    """Alerts that this item raises for the indexed profiles (candidates only)."""
    as_of = as_of or date.today()
    rules = tuple(rules) if rules is not None else load_rules()
    view = ItemView.of(item)
    facts_of_item = item_facts(item, view)
    active = [r for r in rules if r.applies_to_item(facts_of_item)]
    if not active:
        return []
    wanted = {source for rule in active for source in rule.candidates}
    alerts: list[Alert] = []
    candidates = index.candidates(view, wanted)
    for pos in sorted(candidates, key=lambda p: index.facts[p].profile.id):
        facts = index.facts[pos]
        evidence = suppress(candidates[pos], suppressions, facts.profile.id)
        applicable = [r for r in active if evidence.sources.intersection(r.candidates)]
        if applicable:
            alerts += _evaluate_candidate(applicable, view, facts_of_item, facts, evidence, as_of)
    return alerts


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
    for facts in sorted(index.facts, key=lambda f: f.profile.id):
        evidence = suppress(naive_evidence(view, facts), suppressions, facts.profile.id)
        applicable = [r for r in rules if r.applies_to_item(facts_of_item, memo=False)]
        alerts += _evaluate_candidate(
            applicable, view, facts_of_item, facts, evidence, as_of, memo=False
        )
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
