"""Counting agreement between gold and predicted label sets: precision, recall, F1.

Conventions: an empty denominator gives 1.0 (nothing predicted means no false positive;
nothing to find means nothing missed), and F1 is 0.0 when precision and recall are both 0.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["Counts", "compare_sets", "normalise_name", "normalise_ref"]

_NOT_WORD = re.compile(r"[\W_]+")
_SPACE = re.compile(r"\s+")


@dataclass(slots=True)
class Counts:
    """True positives, false positives and false negatives, and what follows from them."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        """Add another count in place (micro-averaging)."""
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    @property
    def support(self) -> int:
        """How many gold labels there are."""
        return self.tp + self.fn

    @property
    def errors(self) -> int:
        """False positives plus false negatives."""
        return self.fp + self.fn

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was predicted."""
        predicted = self.tp + self.fp
        return self.tp / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when there was nothing to find."""
        return self.tp / self.support if self.support else 1.0

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def to_dict(self) -> dict[str, Any]:
        """Counts and rates, for JSON output."""
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "support": self.support,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


def compare_sets(gold: Iterable[str], predicted: Iterable[str]) -> Counts:
    """Counts for one item's gold and predicted labels (duplicates count once)."""
    gold_set, predicted_set = set(gold), set(predicted)
    return Counts(
        tp=len(gold_set & predicted_set),
        fp=len(predicted_set - gold_set),
        fn=len(gold_set - predicted_set),
    )


def normalise_name(name: str) -> str:
    """A party name for matching: case, width, spaces and punctuation do not count
    ("Wuxi Demo Co., Ltd." equals "WUXI DEMO CO LTD")."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", name).casefold())


def normalise_ref(ref: str) -> str:
    """A case reference for matching: case, width and spaces do not count, punctuation
    does ("337-TA-1441" is not "337TA1441")."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", ref).casefold())
