"""Items shaped like ones decided before reuse those decisions, and get the same alerts."""

from __future__ import annotations

import numpy as np
import pytest

from core.types import ItemRecord, Party
from tests.warning.cases import AS_OF, item
from tests.warning.test_matching import _dumps, _grouped_items, _random_profiles, _varied_items
from warning._shapes import Shape, ShapeMemo
from warning.engine import decide_item, evaluate_naive
from warning.matching import _NO_CODES, ProfileIndex
from warning.rules import load_rules


def _twins() -> list[ItemRecord]:
    """Pairs of items of one shape: the same terms, codes and facts, written differently (so
    the alerts quote the terms at other places)."""
    return [
        item("Switch and router makers sued over 5G router patents", item_id="s:1"),
        item("Switch and router makers in court over 5G router patents", item_id="s:2"),
        item(
            "Certain servo drive systems; Institution of Investigation",
            summary="Products under HTSUS 8517.62.0020; battery cell makers named.",
            chains=("A5", "L1"),
            item_id="s:3",
        ),
        item(
            "Certain servo drive systems: Institution of Investigation",
            summary="Battery cell makers named; products under HTSUS 8517.62.0020.",
            chains=("A5", "L1"),
            item_id="s:4",
        ),
        item(
            "Router maker Kelian Communication sued",
            parties=(Party(name="Kelian Communication Co.", role="defendant"),),
            item_id="s:5",
        ),
        item(
            "Kelian Communication, router maker, sued",
            parties=(Party(name="Kelian Communication Co.", role="defendant"),),
            item_id="s:6",
        ),
    ]


def test_an_item_shaped_like_one_decided_before_gets_the_alerts_of_naive_evaluation() -> None:
    index = ProfileIndex.build(_random_profiles(600, seed=3), AS_OF)
    rules = load_rules()
    records = _twins() + _grouped_items() + _varied_items()
    for record in [*records, *records]:  # the second time round, every shape is known
        kept = len(index.shapes)
        fast = decide_item(record, index, rules, AS_OF).alerts()
        assert _dumps(fast) == _dumps(evaluate_naive(record, index, rules, AS_OF)), record.title
    assert len(index.shapes) == kept  # nothing new to keep on the second round
    assert len(index.shapes) >= 5


def test_a_kept_shape_gives_the_decisions_of_deciding_afresh() -> None:
    index = ProfileIndex.build(_random_profiles(400, seed=8), AS_OF)
    rules = load_rules()
    for record in _twins() + _grouped_items():
        afresh = decide_item(record, index, rules, AS_OF)
        kept = len(index.shapes)
        again = decide_item(record.model_copy(update={"id": "again"}), index, rules, AS_OF)
        assert len(index.shapes) == kept
        assert [(d.rule.id, list(d.positions)) for d in again.decisions] == [
            (d.rule.id, list(d.positions)) for d in afresh.decisions
        ]
        assert [row["explanation"] for row in again.rows()] == [
            row["explanation"] for row in afresh.rows()
        ]


def test_the_twin_of_a_decided_item_is_decided_without_generating_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index = ProfileIndex.build(_random_profiles(400, seed=8), AS_OF)
    rules = load_rules()
    twins = _twins()
    reused = 0
    for first, second in zip(twins[::2], twins[1::2], strict=True):
        kept = len(index.shapes)
        decide_item(first, index, rules, AS_OF)
        if len(index.shapes) == kept:
            continue  # party evidence: decided one by one, never kept
        with monkeypatch.context() as patched:
            patched.setattr(index, "candidates", _no_candidates)
            fast = decide_item(second, index, rules, AS_OF).alerts()
        assert _dumps(fast) == _dumps(evaluate_naive(second, index, rules, AS_OF))
        assert fast  # and the terms are quoted where the second item names them
        reused += 1
    assert reused >= 2


def _no_candidates(*args: object, **kwargs: object) -> None:
    raise AssertionError("candidates generated again for a known shape")


def test_another_rule_set_on_the_same_index_is_not_given_a_shape_kept_for_the_first() -> None:
    index = ProfileIndex.build(_random_profiles(400, seed=8), AS_OF)
    rules = load_rules()
    fewer = rules[::2]
    for record in _twins() + _grouped_items():
        for chosen in (rules, fewer, rules):
            fast = decide_item(record, index, chosen, AS_OF).alerts()
            assert _dumps(fast) == _dumps(evaluate_naive(record, index, chosen, AS_OF))


def _shape(rows: int) -> Shape:
    return Shape(np.arange(rows, dtype=np.int32), np.zeros((rows, 6), np.uint64), _NO_CODES)


def test_the_shape_memo_stays_within_its_bytes_and_forgets_the_least_recently_used() -> None:
    size = _shape(10).nbytes()
    memo = ShapeMemo(limit=size * 8)
    for n in range(20):
        memo.remember(("shape", n), _shape(10))
        assert memo.held <= memo.limit
    assert len(memo) == 8 and memo.get(("shape", 19)) is not None
    memo.remember(("large",), _shape(11))  # more than an eighth of the bound: not kept
    assert memo.get(("large",)) is None
    assert memo.get(("shape", 12)) is not None  # now used more recently than 13 to 19
    memo.remember(("shape", 20), _shape(10))
    assert memo.get(("shape", 13)) is None and memo.get(("shape", 12)) is not None
    assert memo.held == 8 * size


def test_kept_candidates_are_read_only() -> None:
    index = ProfileIndex.build(_random_profiles(200, seed=4), AS_OF)
    rules = load_rules()
    for record in _twins():
        decide_item(record, index, rules, AS_OF)
    kept = index.shapes.values()
    assert kept and all(not s.plain_keys.flags.writeable for s in kept)
    assert 0 < index.shapes.held <= index.shapes.limit
