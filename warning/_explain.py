"""Writing an alert out: score, deadline, and the explanation rendered from the rule's
template in both languages, with the matched evidence as data. Pure functions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from core.types import Alert, ItemRecord, Severity
from warning import _cues
from warning._facts import ItemView, ProfileFacts
from warning.jurisdictions import market_name_en, market_name_zh
from warning.matching import Evidence
from warning.rules import Rule

__all__ = [
    "GroupRenderer",
    "as_alert",
    "chain_label",
    "fixed_values",
    "render_alert",
    "render_explanation",
    "share_text",
    "shown_share",
]


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


def share_text(share: float | None) -> str:
    """An export share as explanations write it ("31%"); "" when unknown or nil."""
    return f"{share:.0%}" if share else ""


def shown_share(facts: ProfileFacts, markets: Sequence[str]) -> float | None:
    """The export share an explanation names: that of the first market as explanations
    name them (a market group's own share when the group stands for its members)."""
    shown = facts.shown_markets(markets)
    return facts.share(shown[0]) if shown else None


def _joined(values: Iterable[str], sep: str = ", ") -> str:
    return sep.join(values) or "-"


def _markets_in(codes: Iterable[str], lang: str) -> str:
    """Markets as a reader of ``lang`` names them ("美国、德国", "United States, Germany");
    the codes stay in the explanation's ``matched`` data."""
    if lang == "zh":
        return _joined((market_name_zh(c) for c in codes), "、")
    return _joined(market_name_en(c) for c in codes)


def _rights_codes(match: dict[str, Any]) -> list[str]:
    """The markets where the profile holds a patent or a trade mark, as codes."""
    return sorted({*match["patent_markets"], *match["trademark_markets"]})


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
        group: _Values | None = None,
    ) -> None:
        super().__init__()
        self.view, self.facts, self.match, self.item, self.evidence = (
            view,
            facts,
            match,
            item,
            evidence,
        )
        self.group = group

    def __missing__(self, key: str) -> str:
        if self.group is not None and key not in _PER_PROFILE:
            value = self[key] = self.group[key]
            return value
        compute = getattr(self, f"_{key}", None)
        value = compute() if compute is not None else "-"
        self[key] = value
        return value

    def _case(self) -> str:
        case = ", ".join(r for r in self.item["case_refs"] if _cues.ITC_337.search(r))
        return f" ({case})" if case else ""

    def _case_zh(self) -> str:
        case = "、".join(r for r in self.item["case_refs"] if _cues.ITC_337.search(r))
        return f"（{case}）" if case else ""

    def _chains_zh(self) -> str:
        return _joined((chain_label(c, "zh") for c in self.match["chains"]), "、")

    def _chains_en(self) -> str:
        return _joined((chain_label(c, "en") for c in self.match["chains"]), "; ")

    def _markets_zh(self) -> str:
        return _markets_in(self.facts.shown_markets(self.match["markets"]), "zh")

    def _markets_en(self) -> str:
        return _markets_in(self.facts.shown_markets(self.match["markets"]), "en")

    def _share(self) -> float | None:
        return shown_share(self.facts, self.match["markets"])

    def _share_zh(self) -> str:
        share = share_text(self._share())
        return f"（占出口{share}）" if share else ""

    def _share_en(self) -> str:
        share = share_text(self._share())
        return f" ({share} of exports)" if share else ""

    def _evidence_terms(self) -> list[str]:
        chains = self.match["chains"]
        chain_terms = sorted(
            {t for c in self.view.tags.chains if c.id in chains for t in c.evidence[:5]}
        )
        spans = [h.text for h in self.evidence.terms] or [p.party for p in self.evidence.parties]
        unique = {t.lower(): t for t in reversed([*spans, *chain_terms])}  # first spelling wins
        return [unique[k] for k in dict.fromkeys(t.lower() for t in [*spans, *chain_terms])][:6]

    def _evidence(self) -> str:
        return "、".join(f"“{t}”" for t in self._evidence_terms()) or "-"

    def _evidence_en(self) -> str:
        return "; ".join(f'"{t}"' for t in self._evidence_terms()) or "-"

    def _names_and_party_list(self) -> list[str]:
        party = self.evidence.parties[0].party if self.evidence.parties else None
        return list(dict.fromkeys([*self.match["names"], *filter(None, [party])]))

    def _names_and_party(self) -> str:
        return _joined(self._names_and_party_list(), "、")

    def _names_and_party_en(self) -> str:
        return _joined(self._names_and_party_list())

    def _party(self) -> str:
        return self.evidence.parties[0].party if self.evidence.parties else "-"

    def _matched_name(self) -> str:
        return self.evidence.parties[0].matched if self.evidence.parties else "-"

    def _party_score(self) -> str:
        return f"{self.evidence.parties[0].score:.0f}" if self.evidence.parties else "-"

    def _names(self) -> str:
        return _joined(self.match["names"], "、")

    def _names_en(self) -> str:
        return _joined(self.match["names"])

    def _named_parts(self, lang: str) -> list[str]:
        """How the item names the enterprise: the best party match, then its names found in
        the text; only what there is (a rule may fire on either)."""
        parts = []
        if self.evidence.parties:
            hit = self.evidence.parties[0]
            parts.append(
                f"当事人“{hit.party}”与“{hit.matched}”相似度{hit.score:.0f}"
                if lang == "zh"
                else f'party "{hit.party}" matches "{hit.matched}" (score {hit.score:.0f})'
            )
        if self.match["names"]:
            parts.append(
                f"文中名称：{'、'.join(self.match['names'])}"
                if lang == "zh"
                else f"names in the text: {', '.join(self.match['names'])}"
            )
        return parts

    def _named_in_item(self) -> str:
        return "；".join(self._named_parts("zh")) or "-"

    def _named_in_item_en(self) -> str:
        return "; ".join(self._named_parts("en")) or "-"

    def _names_and_keywords(self) -> str:
        return _joined(dict.fromkeys([*self.match["names"], *self.match["keywords"]]), "、")

    def _names_and_keywords_en(self) -> str:
        return _joined(dict.fromkeys([*self.match["names"], *self.match["keywords"]]))

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
        return _markets_in(self._shown("no_patent_markets"), "zh")

    def _no_patent_markets_en(self) -> str:
        return _markets_in(self._shown("no_patent_markets"), "en")

    def _no_trademark_markets(self) -> str:
        return _markets_in(self._shown("no_trademark_markets"), "zh")

    def _no_trademark_markets_en(self) -> str:
        return _markets_in(self._shown("no_trademark_markets"), "en")

    def _rights_markets(self) -> str:
        return _markets_in(self._shown_rights(), "zh")

    def _rights_markets_en(self) -> str:
        return _markets_in(self._shown_rights(), "en")

    def _shown(self, field: str) -> tuple[str, ...]:
        """A ``match`` list of markets in the profile's order, a market group the profile
        gives (EU) standing for its members (``ProfileFacts.shown_markets``)."""
        values = set(self.match[field])
        return self.facts.shown_markets([m for m in self.facts.markets if m in values])

    def _shown_rights(self) -> list[str]:
        held = set(_rights_codes(self.match))
        return sorted(self.facts.shown_markets([m for m in self.facts.markets if m in held]))

    def _peers(self) -> str:
        return _joined(self.item["wuxi_parties"] or self.item["jiangsu_parties"])


class _English(dict[str, str]):
    """Template values for English: a value with an English form (``_<key>_en``, e.g.
    evidence quoted with plain quotes) takes it; the others are shared with Chinese."""

    def __init__(self, values: _Values) -> None:
        super().__init__()
        self.shared = values

    def __missing__(self, key: str) -> str:
        english = f"{key}_en"
        value = self[key] = (
            self.shared[english] if hasattr(self.shared, f"_{english}") else self.shared[key]
        )
        return value


_DOUBLE_STOP = re.compile(r"\.\.(?=\s|$)")


def _tidy_english(text: str) -> str:
    """English that reads naturally: no double full stop after a value ending in one
    ("Co., Ltd.." becomes "Co., Ltd.")."""
    return _DOUBLE_STOP.sub(".", text)


def _score(view: ItemView, match: dict[str, Any], evidence: Evidence) -> float:
    if evidence.parties:
        return round(max(h.score for h in evidence.parties) / 100, 3)
    scores = [c.score for c in view.tags.chains if c.id in match["chains"]]
    return round(max(scores), 3) if scores else 1.0


_PER_PROFILE = frozenset(
    [
        "markets_zh",
        "markets_en",
        "share_zh",
        "share_en",
        "no_patent_markets",
        "no_patent_markets_en",
        "no_trademark_markets",
        "no_trademark_markets_en",
    ]
)
"""Template values that differ between profiles sharing the same evidence (they follow the
order of each profile's destinations, or name its export share)."""


class GroupRenderer:
    """Renders the explanations of profiles that share their evidence (a ``Decision``):
    what follows from the evidence alone (matched terms, chains, codes, parties, score) is
    worked out once; per profile only its markets and export share."""

    def __init__(
        self,
        rule: Rule,
        view: ItemView,
        facts: ProfileFacts,
        context: dict[str, Any],
        evidence: Evidence,
    ) -> None:
        self.rule, self.view, self.evidence = rule, view, evidence
        self.item: dict[str, Any] = context["item"]
        match = context["match"]
        self.values = _Values(view, facts, match, self.item, evidence)
        self.common = {
            "chains": [
                {"chain": c.id, "score": round(c.score, 3), "evidence": c.evidence[:5]}
                for c in view.tags.chains
                if c.id in match["chains"]
            ],
            "terms": [h.as_dict() for h in evidence.terms[:20]],
            "parties": [h.as_dict() for h in evidence.parties],
            "hs": match["hs"],
            "standards": match["standards"],
        }
        self.basis = rule.deadline.why.model_dump() if rule.deadline is not None else None
        self.score = _score(view, match, evidence)

    def render(self, facts: ProfileFacts, match: dict[str, Any]) -> dict[str, Any]:
        """The explanation for one of the group's profiles (``match``: its own)."""
        values = _Values(self.view, facts, match, self.item, self.evidence, self.values)
        explanation = {
            "zh": self.rule.explanation.zh.format_map(values),
            "en": _tidy_english(self.rule.explanation.en.format_map(_English(values))),
            "matched": {
                "markets": match["markets"],
                **self.common,
                "no_patent_markets": match["no_patent_markets"],
                "no_trademark_markets": match["no_trademark_markets"],
            },
        }
        if self.basis is not None:
            explanation["deadline_basis"] = self.basis
        return explanation


def render_explanation(
    rule: Rule,
    view: ItemView,
    facts: ProfileFacts,
    context: dict[str, Any],
    evidence: Evidence,
) -> tuple[dict[str, Any], float]:
    """An alert's explanation (both languages, with the matched evidence as data) and score."""
    renderer = GroupRenderer(rule, view, facts, context, evidence)
    return renderer.render(facts, context["match"]), renderer.score


def fixed_values(rule: Rule, view: ItemView, as_of: date) -> dict[str, Any]:
    """The stored values every alert of ``rule`` on this item shares (status "new")."""
    return {
        "item_id": view.item.id,
        "item_version": view.item.version,
        "rule_id": rule.id,
        "severity": str(rule.severity),
        "risk_code": rule.risk_code,
        "deadline": _deadline(rule, view.item, view, as_of),
        "title": {"zh": rule.title.zh, "en": rule.title.en},
        "action": {"zh": rule.action.zh, "en": rule.action.en},
        "status": "new",
    }


def as_alert(values: dict[str, Any]) -> Alert:
    """The ``Alert`` for stored values (from ``fixed_values`` plus enterprise, score and
    explanation)."""
    # Every field comes from validated rules, profiles and items: skip re-validation.
    return Alert.model_construct(
        enterprise_id=values["enterprise_id"],
        item_id=values["item_id"],
        item_version=values["item_version"],
        rule_id=values["rule_id"],
        severity=Severity(values["severity"]),
        risk_code=values["risk_code"],
        score=values["score"],
        deadline=values["deadline"],
        title=values["title"],
        explanation=values["explanation"],
        action=values["action"],
    )


def render_alert(
    rule: Rule,
    view: ItemView,
    facts: ProfileFacts,
    context: dict[str, Any],
    evidence: Evidence,
    as_of: date,
) -> Alert:
    """One alert, rendered on its own."""
    explanation, score = render_explanation(rule, view, facts, context, evidence)
    values = fixed_values(rule, view, as_of)
    values.update(enterprise_id=facts.id, explanation=explanation, score=score)
    return as_alert(values)
