"""Scoring the tagger on the labelled set: ``evaluate`` and the ``EvalReport`` it returns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.types import Tags
from tagger.eval._items import EvalItem, load_items
from tagger.eval._metrics import Counts, compare_sets, normalise_name, normalise_ref
from tagger.reconcile import reconcile_tags

__all__ = ["LABELS", "EvalReport", "ItemErrors", "TaggerLike", "Target", "evaluate"]

LABELS = ("chains", "kind", "ip_types", "jurisdictions", "parties", "case_refs")
WORST_COUNT = 15
# Where party lists have a fixed shape the tagger must read well (the target).
PARTY_TARGET_STYLES = frozenset({"usitc_337_news", "courtlistener_recap"})


class TaggerLike(Protocol):
    """Anything that tags texts as ``tagger.Tagger`` does."""

    def tag_many(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[Tags]: ...


@dataclass(frozen=True, slots=True)
class Target:
    """A figure the issue asks for, and whether the measured value meets it."""

    name: str
    value: float
    threshold: float

    @property
    def met(self) -> bool:
        """Whether the measured value reaches the threshold."""
        return self.value >= self.threshold


@dataclass(slots=True)
class ItemErrors:
    """What the tagger got wrong on one item: missed and spurious labels, per label."""

    id: str
    language: str
    errors: int = 0
    missed: dict[str, list[str]] = field(default_factory=dict)
    spurious: dict[str, list[str]] = field(default_factory=dict)


@dataclass(slots=True)
class _Scores:
    """Per-label counts over some set of items."""

    labels: dict[str, Counts] = field(default_factory=lambda: {name: Counts() for name in LABELS})
    items: int = 0
    kind_correct: int = 0
    refs_exact: int = 0

    def overall(self) -> Counts:
        total = Counts()
        for counts in self.labels.values():
            total.add(counts)
        return total


@dataclass(slots=True)
class EvalReport:
    """Measured quality of the tagger on the labelled set.

    ``labels`` holds micro counts per label (kind counted as a one-element set), ``chains``
    per chain id, ``by_language`` the same per language; rates lie in [0, 1].
    """

    items: int
    languages: dict[str, int]
    labels: dict[str, Counts]
    chains: dict[str, Counts]
    by_language: dict[str, dict[str, Counts]]
    overall: Counts
    kind_accuracy: float
    party_role_accuracy: float
    party_target_recall: float
    party_target_items: int
    case_ref_exact_match: float
    case_ref_exact_match_with_refs: float
    worst: list[ItemErrors]
    targets: list[Target]

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        return {
            "items": self.items,
            "languages": self.languages,
            "labels": {name: counts.to_dict() for name, counts in self.labels.items()},
            "chains": {chain: counts.to_dict() for chain, counts in self.chains.items()},
            "by_language": {
                lang: {name: counts.to_dict() for name, counts in labels.items()}
                for lang, labels in self.by_language.items()
            },
            "overall": self.overall.to_dict(),
            "kind_accuracy": round(self.kind_accuracy, 4),
            "party_role_accuracy": round(self.party_role_accuracy, 4),
            "party_target_recall": round(self.party_target_recall, 4),
            "party_target_items": self.party_target_items,
            "case_ref_exact_match": round(self.case_ref_exact_match, 4),
            "case_ref_exact_match_with_refs": round(self.case_ref_exact_match_with_refs, 4),
            "worst": [
                {
                    "id": w.id,
                    "language": w.language,
                    "errors": w.errors,
                    "missed": w.missed,
                    "spurious": w.spurious,
                }
                for w in self.worst
            ],
            "targets": [
                {"name": t.name, "value": round(t.value, 4), "threshold": t.threshold, "met": t.met}
                for t in self.targets
            ],
        }


def evaluate(
    items: Sequence[EvalItem] | None = None,
    tagger: TaggerLike | None = None,
    crawler_fields: bool = True,
) -> EvalReport:
    """Tag every labelled item and score the final tags against the labels.

    The tags are reconciled as stored items' tags are (``tagger.reconcile``): with the
    crawler's kind and jurisdictions where the item came from a crawler fixture, else with
    none (what ``iprwatch tag`` does for a bare text).

    Args:
        items: the items to score; the shipped set by default.
        tagger: the tagger to score; the process-wide one by default.
        crawler_fields: False scores the text alone, ignoring the crawler's fields.
    """
    items = list(items) if items is not None else load_items()
    if tagger is None:
        from tagger import get_tagger

        tagger = get_tagger()
    tags = tagger.tag_many([i.text for i in items], [i.language for i in items])
    predictions = [
        _final(item, found, crawler_fields) for item, found in zip(items, tags, strict=True)
    ]
    return _score(items, predictions)


def _final(item: EvalItem, tags: Tags, crawler_fields: bool) -> Tags:
    crawler = item.crawler if crawler_fields else None
    if crawler is None:
        return reconcile_tags(tags, item.text)
    return reconcile_tags(tags, item.text, crawler.kind, crawler.jurisdictions)


def item_counts(item: EvalItem, tags: Tags) -> dict[str, Counts]:
    """Per-label counts for one item (parties by normalised name, refs normalised)."""
    gold = item.labels
    return {
        "chains": compare_sets(gold.chains, tags.chain_ids()),
        "kind": compare_sets(_kind(gold.kind), _kind(tags.kind)),
        "ip_types": compare_sets(gold.ip_types, tags.ip_types),
        "jurisdictions": compare_sets(gold.jurisdictions, tags.jurisdictions),
        "parties": compare_sets(
            (normalise_name(p.name) for p in gold.parties),
            (normalise_name(p.name) for p in tags.parties),
        ),
        "case_refs": compare_sets(
            (normalise_ref(r) for r in gold.case_refs), (normalise_ref(r) for r in tags.case_refs)
        ),
    }


def _kind(kind: object) -> list[str]:
    return [] if kind is None else [str(getattr(kind, "value", kind))]


def _score(items: Sequence[EvalItem], predictions: Sequence[Tags]) -> EvalReport:
    total = _Scores()
    by_language: dict[str, _Scores] = defaultdict(_Scores)
    chains: dict[str, Counts] = defaultdict(Counts)
    target_parties = Counts()
    target_items = roles_matched = roles_right = with_refs = with_refs_exact = 0
    errors: list[ItemErrors] = []
    for item, tags in zip(items, predictions, strict=True):
        counts = item_counts(item, tags)
        for scores in (total, by_language[item.language]):
            _accumulate(scores, counts)
        for chain in set(item.labels.chains) | set(tags.chain_ids()):
            chains[chain].add(
                compare_sets(
                    [chain] if chain in item.labels.chains else [],
                    [chain] if chain in tags.chain_ids() else [],
                )
            )
        if _is_party_target(item):
            target_items += 1
            target_parties.add(counts["parties"])
        matched, right = _roles(item, tags)
        roles_matched, roles_right = roles_matched + matched, roles_right + right
        if item.labels.case_refs:
            with_refs += 1
            with_refs_exact += counts["case_refs"].errors == 0
        errors.append(_item_errors(item, tags, counts))
    return _report(
        total,
        dict(by_language),
        dict(chains),
        errors,
        party_target=(target_parties, target_items),
        role_accuracy=roles_right / roles_matched if roles_matched else 1.0,
        refs_with=with_refs_exact / with_refs if with_refs else 1.0,
    )


def _accumulate(scores: _Scores, counts: dict[str, Counts]) -> None:
    scores.items += 1
    for name, value in counts.items():
        scores.labels[name].add(value)
    scores.kind_correct += counts["kind"].errors == 0
    scores.refs_exact += counts["case_refs"].errors == 0


def _is_party_target(item: EvalItem) -> bool:
    """USITC 337 notices and releases, Federal Register 337 notices and docket captions."""
    if item.language != "en":
        return False
    if item.source_style in PARTY_TARGET_STYLES:
        return True
    text = item.text.lower()
    return item.source_style == "federal_register" and ("section 337" in text or "337-ta-" in text)


def _roles(item: EvalItem, tags: Tags) -> tuple[int, int]:
    """How many gold parties with a role were found, and how many of those with that role."""
    found = {normalise_name(p.name): p.role for p in tags.parties}
    matched = right = 0
    for party in item.labels.parties:
        key = normalise_name(party.name)
        if party.role is None or key not in found:
            continue
        matched += 1
        right += found[key] == party.role
    return matched, right


def _item_errors(item: EvalItem, tags: Tags, counts: dict[str, Counts]) -> ItemErrors:
    gold = item.labels
    pairs = {
        "chains": (gold.chains, tags.chain_ids()),
        "kind": (_kind(gold.kind), _kind(tags.kind)),
        "ip_types": (gold.ip_types, tags.ip_types),
        "jurisdictions": (gold.jurisdictions, tags.jurisdictions),
        "parties": ([p.name for p in gold.parties], [p.name for p in tags.parties]),
        "case_refs": (gold.case_refs, tags.case_refs),
    }
    result = ItemErrors(item.id, item.language, sum(c.errors for c in counts.values()))
    for name, (expected, got) in pairs.items():
        key = normalise_ref if name == "case_refs" else normalise_name
        got_keys, expected_keys = {key(g) for g in got}, {key(e) for e in expected}
        missed = [e for e in expected if key(e) not in got_keys]
        spurious = [g for g in got if key(g) not in expected_keys]
        if missed:
            result.missed[name] = missed
        if spurious:
            result.spurious[name] = spurious
    return result


def _report(
    total: _Scores,
    by_language: dict[str, _Scores],
    chains: dict[str, Counts],
    errors: list[ItemErrors],
    *,
    party_target: tuple[Counts, int],
    role_accuracy: float,
    refs_with: float,
) -> EvalReport:
    items = max(total.items, 1)
    target_counts, target_items = party_target
    report = EvalReport(
        items=total.items,
        languages={lang: scores.items for lang, scores in sorted(by_language.items())},
        labels=total.labels,
        chains=dict(sorted(chains.items())),
        by_language={lang: s.labels for lang, s in sorted(by_language.items())},
        overall=total.overall(),
        kind_accuracy=total.kind_correct / items,
        party_role_accuracy=role_accuracy,
        party_target_recall=target_counts.recall,
        party_target_items=target_items,
        case_ref_exact_match=total.refs_exact / items,
        case_ref_exact_match_with_refs=refs_with,
        worst=sorted((e for e in errors if e.errors), key=lambda e: -e.errors)[:WORST_COUNT],
        targets=[],
    )
    report.targets = [
        Target("chain micro-F1", report.labels["chains"].f1, 0.90),
        Target("party recall (337 notices, docket captions)", report.party_target_recall, 0.90),
        Target("case-reference exact match", report.case_ref_exact_match, 0.98),
    ]
    return report
