"""The labelled evaluation set and its scoring (``iprwatch tag --eval``).

The targets (chain micro-F1 ≥ 0.90 ...) are measured and reported, never asserted here.
"""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from rich.console import Console

from core.types import ChainTag, ItemKind, Party, Tags
from tagger.eval import (
    LABELS,
    Counts,
    EvalItem,
    EvalReport,
    compare_sets,
    evaluate,
    load_items,
    normalise_name,
    normalise_ref,
    print_evaluation,
)
from tagger.taxonomy import load_taxonomy

# Binhu chains carry their 465 chains (taxonomy crosswalk); equivalent pairs go both ways.
BINHU_TO_465 = {
    "B5-1": {"L3"},
    "B5-2": {"L2"},
    "B5-3": {"L4"},
    "B5-4": {"A6", "L1"},
    "B4-2": {"A1"},
    "B4-3": {"A3"},
    "B3-1": {"F1"},
    "B3-2": {"F2"},
    "B3-3": {"A1", "F1"},
}
EQUIVALENT = {"L3": "B5-1", "L2": "B5-2", "L4": "B5-3", "A3": "B4-3", "F2": "B3-2"}


class StubTagger:
    """Returns fixed tags, one per text, so that the expected figures can be worked out."""

    def __init__(self, tags: list[Tags]) -> None:
        self.tags = tags

    def tag_many(
        self, texts: Sequence[str], languages: Sequence[str | None] | None = None
    ) -> list[Tags]:
        assert len(texts) == len(self.tags)
        return self.tags


def _item(item_id: str, style: str = "news", language: str = "en", **labels: object) -> EvalItem:
    return EvalItem.model_validate(
        {
            "id": item_id,
            "source_style": style,
            "text": "text",
            "language": language,
            "origin": "written",
            "labels": labels,
        }
    )


def _chains(*ids: str) -> list[ChainTag]:
    return [ChainTag(id=chain, score=1.0) for chain in ids]


# --- the set -------------------------------------------------------------------------------


def test_labelled_set_has_150_items_a_third_of_them_chinese() -> None:
    items = load_items()
    chinese = [item for item in items if item.language == "zh"]
    assert len(items) >= 150
    assert len(chinese) * 3 >= len(items)
    assert {item.origin for item in items} == {"fixture", "written"}


def test_labels_use_valid_chains_kinds_ip_types_and_jurisdictions() -> None:
    taxonomy = load_taxonomy()
    chain_ids = set(taxonomy.chain_ids())
    ip_types = {ip_type.id for ip_type in taxonomy.ip_types}
    for item in load_items():
        labels = item.labels
        assert set(labels.chains) <= chain_ids, item.id
        assert labels.kind is None or isinstance(labels.kind, ItemKind), item.id
        assert set(labels.ip_types) <= ip_types, item.id
        assert set(labels.jurisdictions) <= set(taxonomy.jurisdictions), item.id


def test_chain_labels_follow_the_binhu_crosswalk() -> None:
    for item in load_items():
        chains = set(item.labels.chains)
        for binhu, targets in BINHU_TO_465.items():
            assert binhu not in chains or targets <= chains, (item.id, binhu)
        for chain, binhu in EQUIVALENT.items():
            assert chain not in chains or binhu in chains, (item.id, chain)


def test_labelled_parties_are_named_in_their_text() -> None:
    for item in load_items():
        text = normalise_name(item.text)
        for party in item.labels.parties:
            assert normalise_name(party.name) in text, (item.id, party.name)


def test_upc_first_instance_items_call_the_party_measures_are_against_the_defendant() -> None:
    """The UPC's Rules of Procedure call the party in an action, and the one provisional
    measures are sought against, the defendant (R.206, R.209); only the Court of Appeal has
    respondents. The labels say so in English and Chinese alike."""
    checked = 0
    for item in load_items():
        if item.labels.jurisdictions != ["UPC"] or "Court of Appeal" in item.text:
            continue
        checked += 1
        roles = {party.role for party in item.labels.parties}
        assert "respondent" not in roles, item.id
    assert checked >= 10


def test_set_covers_every_chain_and_has_negatives() -> None:
    items = load_items()
    labelled = {chain for item in items for chain in item.labels.chains}
    assert labelled >= set(load_taxonomy().chain_ids()) - {"A4", "F5"}
    assert sum(not item.labels.chains for item in items) >= 30


def test_a_set_with_an_unknown_chain_fails_to_load(tmp_path: Path) -> None:
    bad = {
        "id": "x",
        "source_style": "news",
        "text": "t",
        "language": "en",
        "origin": "written",
        "labels": {"chains": ["Z9"]},
    }
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps(bad) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Z9"):
        load_items(path)


# --- the metrics ---------------------------------------------------------------------------


def test_counts_give_precision_recall_and_f1_of_known_sets() -> None:
    counts = compare_sets(["A5", "F4", "L1"], ["A5", "F4", "A6", "A1"])
    assert (counts.tp, counts.fp, counts.fn) == (2, 2, 1)
    assert counts.precision == pytest.approx(0.5)
    assert counts.recall == pytest.approx(2 / 3)
    assert counts.f1 == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))


def test_empty_sets_are_perfect_and_a_miss_scores_zero_f1() -> None:
    nothing = compare_sets([], [])
    assert (nothing.precision, nothing.recall, nothing.f1) == (1.0, 1.0, 1.0)
    missed = compare_sets(["L2"], [])
    assert (missed.precision, missed.recall, missed.f1) == (1.0, 0.0, 0.0)
    spurious = compare_sets([], ["L2"])
    assert (spurious.precision, spurious.recall, spurious.f1) == (0.0, 1.0, 0.0)


def test_micro_counts_add_up_over_items() -> None:
    total = Counts()
    total.add(compare_sets(["a"], ["a", "b"]))
    total.add(compare_sets(["c", "d"], ["c"]))
    assert (total.tp, total.fp, total.fn, total.support) == (2, 1, 1, 3)


def test_party_names_match_whatever_their_case_and_punctuation() -> None:
    assert normalise_name("Wuxi Demo Co., Ltd.") == normalise_name("WUXI DEMO CO LTD")
    assert normalise_name("无锡示例有限公司") == normalise_name("无锡示例 有限公司。")
    assert normalise_ref("（2024）苏02民初123号") == normalise_ref("(2024)苏02民初123号")
    assert normalise_ref("DN 3123") == normalise_ref("dn3123")
    assert normalise_ref("337-TA-1441") != normalise_ref("337TA1441")


def test_evaluate_scores_labels_against_stub_tags() -> None:
    items = [
        _item(
            "itc",
            style="usitc_337_news",
            chains=["A5", "F4"],
            kind="dispute",
            ip_types=["patent"],
            jurisdictions=["US"],
            parties=[
                {"name": "Alpha Cell, Inc.", "role": "complainant"},
                {"name": "Wuxi Beta Co., Ltd.", "role": "respondent"},
            ],
            case_refs=["337-TA-1441"],
        ),
        _item("zh", language="zh", chains=["L3", "B5-1"], kind="news", jurisdictions=["CN"]),
    ]
    tags = [
        Tags(
            chains=_chains("A5"),
            kind=ItemKind.DISPUTE,
            ip_types=["patent"],
            jurisdictions=["US", "CN"],
            parties=[Party(name="ALPHA CELL INC", role="respondent")],
            case_refs=["337-TA-1441"],
        ),
        Tags(chains=_chains("L3", "B5-1", "L4"), kind=ItemKind.REPORT),
    ]
    report = evaluate(items, StubTagger(tags))
    chains = report.labels["chains"]
    assert (chains.tp, chains.fp, chains.fn) == (3, 1, 1)
    assert report.chains["F4"].recall == 0.0 and report.chains["L4"].precision == 0.0
    assert report.kind_accuracy == pytest.approx(0.5)
    assert report.labels["jurisdictions"].precision == pytest.approx(0.5)
    assert report.labels["jurisdictions"].recall == pytest.approx(0.5)
    assert report.labels["parties"].recall == pytest.approx(0.5)
    assert report.labels["parties"].precision == 1.0
    assert report.party_role_accuracy == 0.0
    assert report.party_target_recall == pytest.approx(0.5)
    assert report.party_target_items == 1
    assert report.case_ref_exact_match == 1.0
    assert report.languages == {"en": 1, "zh": 1}
    assert report.by_language["zh"]["chains"].fp == 1
    assert [(w.id, w.errors) for w in report.worst] == [("zh", 4), ("itc", 3)]
    assert report.worst[1].missed["parties"] == ["Wuxi Beta Co., Ltd."]
    assert report.worst[1].spurious == {"jurisdictions": ["CN"]}


def test_fixture_items_are_scored_with_the_crawlers_kind_and_jurisdictions() -> None:
    item = EvalItem.model_validate(
        {
            "id": "real:ukipo:0",
            "source_style": "ukipo_govuk",
            "text": "Trade mark examination: goods and services",
            "language": "en",
            "origin": "fixture",
            "labels": {"kind": "rule_change", "jurisdictions": ["GB"]},
            "crawler": {"kind": "rule_change", "jurisdictions": ["GB"]},
        }
    )
    text_only = Tags(kind=ItemKind.NEWS)
    with_crawler = evaluate([item], StubTagger([text_only]))
    assert with_crawler.kind_accuracy == 1.0
    assert with_crawler.labels["jurisdictions"].recall == 1.0
    alone = evaluate([item], StubTagger([text_only]), crawler_fields=False)
    assert alone.kind_accuracy == 0.0
    assert alone.labels["jurisdictions"].recall == 0.0


def test_every_fixture_item_carries_its_crawler_fields() -> None:
    fixtures = [item for item in load_items() if item.origin == "fixture"]
    assert fixtures and all(item.crawler is not None for item in fixtures)


def test_case_refs_must_match_as_a_set_for_exact_match() -> None:
    items = [_item("a", case_refs=["1:25-cv-06241"]), _item("b", case_refs=["IPR2025-00412"])]
    tags = [
        Tags(case_refs=["1:25-cv-06241"]),
        Tags(case_refs=["IPR2025-00412", "IPR2025-00413"]),
    ]
    report = evaluate(items, StubTagger(tags))
    assert report.case_ref_exact_match == pytest.approx(0.5)
    assert report.labels["case_refs"].precision == pytest.approx(2 / 3)
    assert report.labels["case_refs"].recall == 1.0


# --- the full run --------------------------------------------------------------------------


def _rates(report: EvalReport) -> list[float]:
    rates = [
        report.kind_accuracy,
        report.party_role_accuracy,
        report.party_target_recall,
        report.case_ref_exact_match,
        report.case_ref_exact_match_with_refs,
    ]
    groups = [report.labels, report.chains, *report.by_language.values()]
    for counts in [report.overall, *(c for group in groups for c in group.values())]:
        rates += [counts.precision, counts.recall, counts.f1]
    return rates


def test_print_evaluation_reports_every_label_and_target() -> None:
    out = io.StringIO()
    report = print_evaluation(Console(file=out, width=200))
    printed = out.getvalue()
    assert report.items == len(load_items())
    for label in (*LABELS, "overall"):
        assert label in printed
        assert label == "overall" or label in report.labels
    for target in report.targets:
        assert target.name in printed
    assert set(report.languages) == {"en", "zh"}
    assert all(0.0 <= rate <= 1.0 for rate in _rates(report))
    assert [t.threshold for t in report.targets] == [0.90, 0.90, 0.98]
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data["labels"]) == set(LABELS)
    assert {"overall", "targets", "worst", "by_language", "chains"} <= set(data)
