"""Matching items to enterprise profiles and evaluating the rules: pure functions.

Candidate profiles are found first through an index by chain and market, so the rules run
only on profiles that could match. The CEL context a rule sees:

- ``item``: kind, jurisdictions, ip_types, chains, case_refs, parties, signals, is_337
- ``profile``: id, chains, destinations, province, city
- ``match``: markets (the profile's destinations the item concerns), chains (shared chain ids)
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from core.types import Alert, EnterpriseProfile, ItemRecord, Tags
from warning.jurisdictions import concerned_destinations
from warning.rules import Rule, load_rules

_ITC_337 = re.compile(r"\b337-TA-\d+", re.I)
_MENTIONS_337 = re.compile(
    r"\bsection\s+337\b|\b337\s+investigation|337调查|337-TA-\d+|USITC DN \d+", re.I
)


@dataclass
class ProfileIndex:
    """Profiles indexed by chain and by destination, for candidate generation."""

    profiles: dict[str, EnterpriseProfile] = field(default_factory=dict)
    by_chain: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    by_market: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def build(cls, profiles: Iterable[EnterpriseProfile]) -> ProfileIndex:
        """Index the given profiles."""
        index = cls()
        for profile in profiles:
            index.profiles[profile.id] = profile
            for chain in profile.chains:
                index.by_chain[chain].add(profile.id)
            for dest in profile.destinations:
                index.by_market[dest.country].add(profile.id)
        return index

    def candidates(self, tags: Tags) -> list[EnterpriseProfile]:
        """Profiles that share a chain with the item (the cheapest necessary condition)."""
        ids: set[str] = set()
        for chain in tags.chain_ids():
            ids |= self.by_chain.get(chain, set())
        return [self.profiles[i] for i in sorted(ids)]


def item_facts(item: ItemRecord) -> dict[str, Any]:
    """The item as the rules see it."""
    tags = item.tags or Tags()
    case_refs = sorted({*item.case_refs, *tags.case_refs})
    return {
        "id": item.id,
        "kind": (tags.kind or item.kind).value,
        "jurisdictions": sorted({*item.jurisdictions, *tags.jurisdictions}),
        "ip_types": sorted({*item.ip_types, *tags.ip_types}),
        "chains": tags.chain_ids(),
        "case_refs": case_refs,
        "parties": [p.model_dump() for p in (tags.parties or item.parties)],
        "signals": [s.type for s in tags.signals],
        "is_337": any(_MENTIONS_337.search(ref) for ref in case_refs)
        or bool(_MENTIONS_337.search(item.title))
        or bool(_MENTIONS_337.search(item.summary[:2000])),
    }


def profile_facts(profile: EnterpriseProfile) -> dict[str, Any]:
    """The profile as the rules see it."""
    return {
        "id": profile.id,
        "chains": list(profile.chains),
        "destinations": [d.country for d in profile.destinations],
        "province": profile.location.province or "",
        "city": profile.location.city or "",
    }


def match_facts(item: dict[str, Any], profile: EnterpriseProfile) -> dict[str, Any]:
    """What the item and the profile have in common."""
    destinations = [d.country for d in profile.destinations]
    return {
        "markets": concerned_destinations(item["jurisdictions"], destinations),
        "chains": [c for c in item["chains"] if c in set(profile.chains)],
    }


def _deadline(rule: Rule, item: ItemRecord, as_of: date) -> date | None:
    if rule.deadline is None:
        return None
    base: date | None = None
    if rule.deadline.after == "published":
        base = item.published_at.date() if item.published_at else None
    else:
        signals = item.tags.signals if item.tags else []
        base = next((s.date for s in signals if s.type == rule.deadline.after and s.date), None)
    return (base or as_of) + timedelta(days=rule.deadline.days)


def chain_label(chain_id: str, lang: str) -> str:
    """A chain's name with its id, e.g. "新能源 (A5)"; the bare id if the taxonomy lacks it."""
    from tagger.taxonomy import load_taxonomy

    try:
        name = load_taxonomy().chain(chain_id).name
    except (KeyError, ValueError):
        return chain_id
    return f"{name.zh}（{chain_id}）" if lang == "zh" else f"{name.en} ({chain_id})"


def _evidence(item: ItemRecord, chains: list[str]) -> list[dict[str, Any]]:
    tags = item.tags or Tags()
    return [
        {"chain": c.id, "score": round(c.score, 3), "evidence": c.evidence[:5]}
        for c in tags.chains
        if c.id in chains
    ]


def _explain(
    rule: Rule,
    item: ItemRecord,
    profile: EnterpriseProfile,
    match: dict[str, Any],
    facts: dict[str, Any],
) -> dict[str, Any]:
    evidence = _evidence(item, match["chains"])
    terms = sorted({term for e in evidence for term in e["evidence"]})
    shares = {d.country: d.export_share for d in profile.destinations}
    share = shares.get(match["markets"][0]) if match["markets"] else None
    case = ", ".join(r for r in facts["case_refs"] if _ITC_337.search(r))
    values = {
        "case": f" ({case})" if case else "",
        "chains_zh": "、".join(chain_label(c, "zh") for c in match["chains"]),
        "chains_en": "; ".join(chain_label(c, "en") for c in match["chains"]),
        "markets_zh": "、".join(match["markets"]),
        "markets_en": ", ".join(match["markets"]),
        "share_zh": f"（占出口{share:.0%}）" if share else "",
        "share_en": f" ({share:.0%} of exports)" if share else "",
        "evidence": "; ".join(f"“{t}”" for t in terms[:6]) or "-",
    }
    return {
        "zh": rule.explanation.zh.format_map(values),
        "en": rule.explanation.en.format_map(values),
        "matched": {"markets": match["markets"], "chains": evidence},
    }


def evaluate_item(
    item: ItemRecord,
    index: ProfileIndex,
    rules: Iterable[Rule] | None = None,
    as_of: date | None = None,
) -> list[Alert]:
    """Alerts that this item raises for the indexed profiles."""
    as_of = as_of or date.today()
    rules = tuple(rules) if rules is not None else load_rules()
    facts = item_facts(item)
    alerts: list[Alert] = []
    for profile in index.candidates(item.tags or Tags()):
        match = match_facts(facts, profile)
        context = {"item": facts, "profile": profile_facts(profile), "match": match}
        for rule in rules:
            if not rule.matches(context):
                continue
            alerts.append(
                Alert(
                    enterprise_id=profile.id,
                    item_id=item.id,
                    item_version=item.version,
                    rule_id=rule.id,
                    severity=rule.severity,
                    risk_code=rule.risk_code,
                    score=max((c.score for c in (item.tags or Tags()).chains), default=1.0),
                    deadline=_deadline(rule, item, as_of),
                    title=rule.title.model_dump(),
                    explanation=_explain(rule, item, profile, match, facts),
                    action=rule.action.model_dump(),
                )
            )
    return alerts


def evaluate_items(
    items: Iterable[ItemRecord], profiles: Iterable[EnterpriseProfile], as_of: date | None = None
) -> list[Alert]:
    """Alerts for many items against many profiles (nothing stored)."""
    index = ProfileIndex.build(profiles)
    rules = load_rules()
    return [alert for item in items for alert in evaluate_item(item, index, rules, as_of)]
