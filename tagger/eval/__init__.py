"""The tagger's labelled evaluation set and its scoring (``iprwatch tag --eval``).

Public API::

    from tagger.eval import evaluate, print_evaluation, load_items
    report = evaluate()                  # EvalReport: per-label P/R/F1, targets, worst items
    report.to_dict()                     # JSON-ready
    print_evaluation()                   # prints rich tables, returns the report

``items.jsonl`` holds the labelled items; ``README.md`` says how they were made and
labelled. The labels are a domain reading of each text, independent of the tagger's output:
do not edit them to match it.
"""

from __future__ import annotations

from rich.console import Console

from tagger.eval._items import ITEMS_PATH, EvalItem, GoldLabels, GoldParty, load_items
from tagger.eval._metrics import Counts, compare_sets, normalise_name, normalise_ref
from tagger.eval._print import render_report
from tagger.eval._report import LABELS, EvalReport, ItemErrors, TaggerLike, Target, evaluate

__all__ = [
    "ITEMS_PATH",
    "LABELS",
    "Counts",
    "EvalItem",
    "EvalReport",
    "GoldLabels",
    "GoldParty",
    "ItemErrors",
    "TaggerLike",
    "Target",
    "compare_sets",
    "evaluate",
    "load_items",
    "normalise_name",
    "normalise_ref",
    "print_evaluation",
]


def print_evaluation(console: Console | None = None) -> EvalReport:
    """Score the tagger on the shipped set, print the tables and return the report."""
    report = evaluate()
    render_report(report, console)
    return report
