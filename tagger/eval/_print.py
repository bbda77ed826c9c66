"""Printing an ``EvalReport`` as rich tables (the ``iprwatch tag --eval`` output)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from tagger.eval._metrics import Counts
from tagger.eval._report import LABELS, EvalReport

__all__ = ["render_report"]


def render_report(report: EvalReport, console: Console | None = None) -> None:
    """Print the per-label, per-chain, target and worst-item tables."""
    console = console or Console()
    languages = ", ".join(f"{n} {lang}" for lang, n in report.languages.items())
    console.print(f"[bold]Tagger evaluation[/bold]: {report.items} items ({languages})")
    console.print(_label_table(report))
    console.print(_chain_table(report))
    console.print(_target_table(report))
    console.print(_worst_table(report))


def _label_table(report: EvalReport) -> Table:
    languages = list(report.by_language)
    table = Table(title="Per label (micro)")
    for column in ("label", "P", "R", "F1", "support", *(f"F1 {lang}" for lang in languages)):
        table.add_column(column, justify="left" if column == "label" else "right")
    for name in LABELS:
        counts = report.labels[name]
        by_lang = [_rate(report.by_language[lang][name].f1) for lang in languages]
        table.add_row(name, *_prf(counts), str(counts.support), *by_lang)
    overall = [_rate(_overall(report.by_language[lang]).f1) for lang in languages]
    table.add_row(
        "[bold]overall[/bold]", *_prf(report.overall), str(report.overall.support), *overall
    )
    table.caption = (
        f"kind accuracy {_rate(report.kind_accuracy)} · party role accuracy "
        f"{_rate(report.party_role_accuracy)} · case refs exact (items with refs) "
        f"{_rate(report.case_ref_exact_match_with_refs)}"
    )
    return table


def _chain_table(report: EvalReport) -> Table:
    table = Table(title="Per chain")
    for column in ("chain", "P", "R", "F1", "support", "fp"):
        table.add_column(column, justify="left" if column == "chain" else "right")
    for chain, counts in report.chains.items():
        table.add_row(chain, *_prf(counts), str(counts.support), str(counts.fp))
    return table


def _target_table(report: EvalReport) -> Table:
    table = Table(title="Targets")
    for column in ("target", "measured", "threshold", "result"):
        table.add_column(column)
    for target in report.targets:
        result = "[green]pass[/green]" if target.met else "[red]miss[/red]"
        table.add_row(target.name, _rate(target.value), f"≥ {target.threshold:.2f}", result)
    table.caption = f"party target set: {report.party_target_items} items"
    return table


def _worst_table(report: EvalReport) -> Table:
    table = Table(title=f"Worst {len(report.worst)} items")
    for column in ("item", "errors", "missed", "spurious"):
        table.add_column(column, overflow="fold")
    for item in report.worst:
        table.add_row(item.id, str(item.errors), _labels(item.missed), _labels(item.spurious))
    return table


def _labels(found: dict[str, list[str]]) -> str:
    return "; ".join(f"{name}: {', '.join(values)}" for name, values in found.items())


def _overall(labels: dict[str, Counts]) -> Counts:
    total = Counts()
    for counts in labels.values():
        total.add(counts)
    return total


def _prf(counts: Counts) -> tuple[str, str, str]:
    return _rate(counts.precision), _rate(counts.recall), _rate(counts.f1)


def _rate(value: float) -> str:
    return f"{value:.3f}"
