"""``make bench``: run every benchmark, compare each figure with its target, write
``benchmarks/results.json`` and the table in the README between the bench markers.

    python -m benchmarks.run                  # the full set (takes about an hour)
    python -m benchmarks.run --quick          # small sizes, minutes; var/, no README
    python -m benchmarks.run --only api --only memory

Benchmarks owned elsewhere run through their own command lines (``bench_tagger``,
``bench_match``, ``bench_search``, ``bench_reports``) and are read back from the JSON files
they write; in quick mode those files are restored afterwards, so a quick run never replaces
a full run's figures. A benchmark that fails is recorded with its error and the others go on.
Every figure is a median of several runs (see each module) and carries the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks._bench_kit import loadavg, machine

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results.json"
QUICK_RESULTS = ROOT / "var" / "bench-results.quick.json"
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"


@dataclass(frozen=True)
class Figure:
    """One measured figure held against its target.

    Attributes:
        benchmark: The benchmark that produced it.
        name: What was measured.
        value: The figure.
        unit: Its unit.
        target: The target (None: reported, not judged).
        higher_is_better: Whether a larger value is better (rates) or worse (times, memory).
        bound: A reference measured in the same run (tokenizer-only rate, naive matching).
        note: What dominates the cost, or how the figure was taken.
    """

    benchmark: str
    name: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = False
    bound: str = ""
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """The value over the target."""
        if not self.target:
            return None
        ratio = self.value / self.target
        return round(ratio, 2) if ratio >= 0.1 else float(f"{ratio:.2g}")

    @property
    def status(self) -> str:
        if self.target is None:
            return ""
        good = self.value >= self.target if self.higher_is_better else self.value <= self.target
        return "met" if good else "missed"

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "ratio": self.ratio, "status": self.status}


@dataclass(frozen=True)
class Sizes:
    """How big each benchmark runs."""

    tagger_items: int
    tagger_runs: int
    pipeline_items: int
    pipeline_profiles: int
    pipeline_runs: int
    match_items: int
    match_sizes: tuple[int, int]
    naive_items: int
    search_items: int
    search_rounds: int
    latency_runs: int
    report_items: int
    report_runs: int
    api_items: int
    api_seconds: float
    memory_profiles: int
    keep_owner_results: bool = False  # put the owners' results_*.json back afterwards


FULL = Sizes(20_000, 3, 200, 10_000, 3, 600, (10_000, 100_000), 3, 200_000, 3, 5, 200_000, 5, 400, 20.0, 100_000)  # fmt: skip
QUICK = Sizes(300, 2, 40, 300, 2, 40, (300, 1000), 1, 2000, 1, 2, 2000, 2, 40, 3.0, 2000, True)  # fmt: skip
TINY = Sizes(50, 1, 8, 50, 1, 10, (50, 100), 1, 300, 1, 1, 300, 1, 8, 1.0, 200, True)  # fmt: skip


def _script(name: str, *args: object, timeout: float = 7200) -> str:
    """Run a benchmark's own command line from the repository root; its stdout."""
    command = [sys.executable, str(HERE / f"{name}.py"), *map(str, args)]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(HERE)])}
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{name} exited {done.returncode}: {done.stderr[-1500:]}")
    return done.stdout


def _read(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


# --- the benchmarks ---------------------------------------------------------------------


def bench_tagger(sizes: Sizes) -> tuple[list[Figure], dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "tagger.json"
        _script("bench_tagger", "--items", sizes.tagger_items, "--runs", sizes.tagger_runs,
                "--processes", 2, "--output", out)  # fmt: skip
        raw = _read(out)
    figures = []
    for lang, target in (("en", 5000.0), ("zh", 4000.0)):
        rows = raw["figures"][lang]
        tokenizer = rows.get("tokenizer_blank", {}).get("wall")
        for path, label in (("single", "1 process"), ("pool", "2-process pool")):
            if path not in rows:
                continue
            value = float(rows[path]["wall"])
            bound = (
                f"tokenizer only {tokenizer:,.0f}/s ({value / tokenizer:.2f}×)" if tokenizer else ""
            )
            note = f"{1e6 / float(rows[path]['cpu']):,.0f} µs CPU per item"
            figures.append(Figure("tagger", f"tagger {lang}, {label}", round(value), "items/s",
                                  target, True, bound, note))  # fmt: skip
    return figures, raw


def _pipeline_ceiling(cores: int = 2) -> str:
    """What the other targets allow: the pipeline can't beat its tag and match steps' CPU.

    A third of the corpus is Chinese. Tagging at its targets (5,000 en and 4,000 zh items/s on
    2 cores) costs 0.4 and 0.5 ms of CPU per item; matching at its target 0.5 ms on one core.
    Indexing and storing alerts are left out, so this is a ceiling, not an estimate.
    """
    tag_ms = (2 / 3) * (2_000 / 5_000) + (1 / 3) * (2_000 / 4_000)
    ceiling = cores * 1_000 / (tag_ms + 0.5)
    return f"ceiling with tag and match exactly at their targets, {cores} cores: {ceiling:,.0f}/s"


def bench_pipeline(sizes: Sizes) -> tuple[list[Figure], dict[str, Any]]:
    from benchmarks.bench_pipeline import run

    raw = run(sizes.pipeline_items, sizes.pipeline_profiles, sizes.pipeline_runs)
    share = raw["stage_share"]
    note = (
        "dominated by "
        + ", ".join(
            f"{stage} {share[stage]:.0%}" for stage in sorted(share, key=lambda s: -share[s])
        )
        + f"; {raw['alerts_per_item']} alerts per item; {_pipeline_ceiling()}"
    )
    name = f"pipeline tag+index+match, {raw['profiles']:,} profiles, embedded"
    return [Figure("pipeline", name, raw["items_per_s"], "items/s", raw["target_items_per_s"],
                   True, note=note)], raw  # fmt: skip


def _match_row(row: dict[str, Any]) -> tuple[float, float | None, str]:
    """(median ms per item, naive ms per item, note) from either shape bench_match writes."""
    key = next((k for k in row if k.startswith("decide_cpu_ms") and isinstance(row[k], dict)), "")
    if key:
        alerts = row.get("alerts_per_item", {})
        total = row.get("decide_render_persist_cpu_ms", {}).get("median")
        note = (f"CPU, candidates + rules, batches of {row.get('decide_batch', 1)} as the "
                f"worker decides them; with alert rendering and storing {total} ms; "
                f"{alerts.get('mean', '?')} alerts per item on average")  # fmt: skip
        reference = row.get("machine_reference_ms_before_after")
        if reference:
            note += f"; machine reference {reference[0]}/{reference[1]} ms (lower: faster)"
        memo = row.get("shape_memo")
        if memo:
            note += (f"; {memo['found']} of {memo['looked_up']} items (warm-up included) "
                     f"decided from a kept shape, {memo['mb']} MB kept")  # fmt: skip
        return float(row[key]["median"]), row.get("naive_cpu_ms_per_item"), note
    note = f"{row.get('alerts_per_item_mean', 0):.0f} alerts per item on average"
    return float(row["median_ms_per_item"]), row.get("naive_median_ms_per_item"), note


def _sample_figure(profiles: int, sample: dict[str, Any]) -> Figure:
    """The supplementary row: source-like items, reported beside the judged template items."""
    cpu = sample["decide_cpu_ms"]
    note = (f"reported, not judged: the tagger's {sample['items']} labelled items (from the "
            f"crawlers' recorded responses and written in the sources' styles), decided after "
            f"the template items; mean {cpu['mean']} ms, p95 {cpu['p95']} ms; "
            f"{sample['items_with_alerts']} of them raise alerts, "
            f"{sample['alerts_per_item_mean']} alerts per item on average")  # fmt: skip
    name = f"match per item, {profiles:,} profiles, sample items"
    return Figure("match", name, float(cpu["median"]), "ms", note=note)


def bench_match(sizes: Sizes) -> tuple[list[Figure], dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "match.json"
        _script("bench_match", "--items", sizes.match_items, "--sizes", *sizes.match_sizes,
                "--naive-items", sizes.naive_items, "--rss-profiles", sizes.memory_profiles,
                "--out", out)  # fmt: skip
        raw = _read(out)
    targets = {int(k): float(v) for k, v in raw.get("targets_ms", {}).items()}
    figures = []
    for row in raw["results"]:
        value, naive, note = _match_row(row)
        bound = f"naive {naive:,.0f} ms ({naive / value:,.0f}× slower)" if naive else ""
        figures.append(Figure("match", f"match per item, {row['profiles']:,} profiles", value,
                              "ms", targets.get(row["profiles"]), False, bound, note))  # fmt: skip
        sample = row.get("sample_items")
        if sample:
            figures.append(_sample_figure(row["profiles"], sample))
    peak = raw.get("peak_rss", {})
    if peak.get("peak_rss_mb"):
        figures.append(Figure("match", f"match index alone, {peak['profiles']:,} profiles, peak",
                              peak["peak_rss_mb"], "MB", raw.get("target_rss_mb"),
                              note="profiles streamed, not held"))  # fmt: skip
    return figures, raw


def _search_indexes_built(items: int) -> bool:
    """Whether the embedded indexes of this size are cached from an earlier full build."""
    cache = ROOT / "var" / "bench-cache"
    return (cache / f"fts5-{items}.db").exists() and (cache / f"tantivy-{items}").is_dir()


def bench_search(sizes: Sizes) -> tuple[list[Figure], dict[str, Any]]:
    """p95 per engine. When the indexes of this size are already built (var/bench-cache and the
    OpenSearch alias), only the queries run, the engines taking turns by round; the index rates stay
    those of the build in results_search.json."""
    results = HERE / "results_search.json"
    items = sizes.search_items
    reuse = _search_indexes_built(items)
    with _preserved([results] if sizes.keep_owner_results else []):
        if reuse:
            _script("bench_search", "--items", items, "--rounds", sizes.search_rounds, "--compare")
        else:
            _script("bench_search", "--items", items, "--rounds", sizes.search_rounds,
                    "--engines", "sqlite", "tantivy", "opensearch")  # fmt: skip
        raw = _read(results)
    interleaved = raw.get(f"interleaved@{items}", {}) if reuse else {}
    figures = []
    for engine, target in (("sqlite", 5.0), ("tantivy", 5.0), ("opensearch", 30.0)):
        row = interleaved.get(engine) or raw.get(f"{engine}@{items}")
        if not row:
            continue
        label = f"search {engine}, {items:,} items"
        how = (
            "engines by turns on built indexes, the machine settled before each turn"
            if engine in interleaved
            else "after its own build"
        )
        note = f"p50 {row['p50_ms']} ms; {row.get('queries', '?')} queries with filters and facets, {how}"
        figures.append(Figure("search", label + ", p95", row["p95_ms"], "ms", target, note=note))
    if not figures:
        raise RuntimeError("bench_search wrote no result for these engines")
    return figures, {k: v for k, v in raw.items() if k.endswith(f"@{items}")}


def bench_latency(sizes: Sizes) -> tuple[list[Figure], dict[str, Any]]:
    from benchmarks.bench_latency import run

    raw = run(sizes.latency_runs)
    note = f"Celery on Redis, crawl in a child process; cold first run {raw['cold_s']} s"
    return [Figure("latency", "alert latency, fetch to webhook", raw["median_s"], "s",
                   raw["target_s"], note=note)], raw  # fmt: skip


def bench_reports(sizes: Sizes) -> tuple[list[Figure], dict[str, Any]]:
    results = HERE / "results_reports.json"
    db = ROOT / "var" / "bench-cache" / f"reports-{sizes.report_items}.db"
    with _preserved([results] if sizes.keep_owner_results else []):
        _script("bench_reports", "--items", sizes.report_items, "--runs", sizes.report_runs,
                "--db", db)  # fmt: skip
        raw = _read(results)
    figs = raw["figures"]
    parts = f"assembly {figs.get('briefing_assemble', {}).get('median_s')} s + PDF {figs.get('briefing_pdf_from_stored', {}).get('median_s')} s"
    return [
        Figure("reports", f"briefing PDF, {sizes.report_items:,} items", figs["briefing"]["median_s"],
               "s", 1.5, note=parts),
        Figure("reports", "health-check PDF", figs["health_check"]["median_s"], "s", 1.0),
    ], raw  # fmt: skip


def bench_api(sizes: Sizes) -> tuple[list[Figure], dict[str, Any]]:
    from benchmarks.bench_api import run

    figures: list[Figure] = []
    raw: dict[str, Any] = {}
    # One process is what the embedded `iprwatch up` starts; two use both cores. Each with
    # the polled page served from the page cache, and uncached (Cache-Control: no-cache).
    for workers, cache in ((1, True), (1, False), (2, True), (2, False)):
        result = run(sizes.api_items, 50, sizes.api_seconds, workers=workers, cache=cache)
        raw[f"workers_{workers}" + ("" if cache else "_uncached")] = result
        note = (f"{result['requests_per_s']} requests/s, p50 {result['p50_ms']} ms; "
                f"{result['server_cpu_ms_per_request']} ms server CPU per request, client "
                f"{result['load_generator']} {result['client_cpu_ms_per_request']} ms; "
                f"{result['page_cache']}; 50 closed-loop clients queue")  # fmt: skip
        label = (f"API alert listing p99, 50 clients, {workers} server process{'es' if workers > 1 else ''}"
                 f", {'page cached' if cache else 'uncached'}")  # fmt: skip
        figures += [
            Figure("api", label, result["p99_ms"], "ms", result["target_p99_ms"], note=note),
            Figure("api", label.replace(" p99", "").replace("listing,", "listing"),
                   result["requests_per_s"], "requests/s"),
        ]  # fmt: skip
    return figures, raw


def bench_memory(sizes: Sizes) -> tuple[list[Figure], dict[str, Any]]:
    from benchmarks.bench_memory import run

    raw = run(sizes.memory_profiles)
    note = (f"after imports {raw['imports_mb']} MB, with the index streamed from the database "
            f"{raw['index_mb']} MB ({raw['profiles_indexed']:,} profiles indexed)")  # fmt: skip
    return [Figure("memory", f"worker peak memory, {raw['profiles']:,} profiles", raw["peak_mb"],
                   "MB", raw["target_mb"], note=note)], raw  # fmt: skip


BENCHMARKS: dict[str, Callable[[Sizes], tuple[list[Figure], dict[str, Any]]]] = {
    "tagger": bench_tagger,
    "pipeline": bench_pipeline,
    "match": bench_match,
    "search": bench_search,
    "latency": bench_latency,
    "reports": bench_reports,
    "api": bench_api,
    "memory": bench_memory,
}


@contextmanager
def _preserved(paths: list[Path]) -> Iterator[None]:
    """Put these files back as they were afterwards (a quick run must not replace them)."""
    with tempfile.TemporaryDirectory() as tmp:
        saved = {p: Path(tmp) / p.name for p in paths if p.exists()}
        for path, copy in saved.items():
            shutil.copy2(path, copy)
        try:
            yield
        finally:
            for path in paths:
                if path in saved:
                    shutil.copy2(saved[path], path)
                else:
                    path.unlink(missing_ok=True)


def run_benchmarks(names: list[str], sizes: Sizes) -> dict[str, dict[str, Any]]:
    """Run each named benchmark; its figures, raw results, duration, or error."""
    done: dict[str, dict[str, Any]] = {}
    for name in names:
        print(f"== {name}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        entry: dict[str, Any] = {"load_before": loadavg()}
        try:
            figures, raw = BENCHMARKS[name](sizes)
            entry.update(ok=True, figures=[f.as_json() for f in figures], raw=raw)
        except Exception as exc:
            traceback.print_exc()
            entry.update(ok=False, error=f"{type(exc).__name__}: {exc}"[:2000], figures=[])
        entry["duration_s"] = round(time.perf_counter() - start, 1)
        entry["load_after"] = loadavg()
        entry["host"] = machine()["cpu_model"]
        entry["python"] = machine()["python"]
        entry["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        done[name] = entry
    return done


# --- the README table ---------------------------------------------------------------------


def _number(value: float) -> str:
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def render_table(results: dict[str, Any]) -> str:
    """The Markdown that goes between the README markers."""
    m = results["machine"]
    python = m["python"]
    if m.get("python_executable"):  # which build (scripts/venv-python)
        python += f" (`{m['python_executable']}`)"
    lines = [
        f"Measured {results['finished_at'][:10]} by `make bench` ({results['mode']} run, "
        f"{results['duration_s'] / 60:.0f} min) on {m['cpu_model']}, {m['cores']} cores, "
        f"{m['ram_gb']} GB RAM, Python {python}; load average "
        f"{results['load_before'][0]:.2f} before, {results['load_after'][0]:.2f} after. "
        "Medians of several runs; `benchmarks/results.json` has every figure."
        + _other_runs(results),
        "",
        "| figure | value | target | ratio | | bound, and what dominates |",
        "|---|---|---|---|---|---|",
    ]
    for name, entry in results["benchmarks"].items():
        if not entry["ok"]:
            lines.append(f"| {name} | failed | | | | {entry['error'].splitlines()[0][:160]} |")
            continue
        for f in entry["figures"]:
            target = (
                f"{'≥' if f['higher_is_better'] else '≤'} {_number(f['target'])}"
                if f["target"]
                else "—"
            )
            ratio = f"{f['ratio']}×" if f["ratio"] is not None else ""
            detail = "; ".join(x for x in (f["bound"], f["note"]) if x)
            lines.append(f"| {f['name']} | {_number(f['value'])} {f['unit']} | {target} | {ratio} "
                         f"| {f['status']} | {detail} |")  # fmt: skip
    return "\n".join(lines)


def _other_runs(results: dict[str, Any]) -> str:
    """Where rows come from runs on other machines or interpreters (``--only`` keeps the
    other rows), which: "" when every row comes from this run's machine and Python."""
    here = results["machine"]["cpu_model"]
    python = results["machine"]["python"]
    elsewhere: dict[tuple[str, str, str], list[str]] = {}
    for name, entry in results["benchmarks"].items():
        host, build = entry.get("host", here), entry.get("python", python)
        if (host, build) != (here, python):
            key = (host, build if build != python else "", entry.get("measured_at", "")[:10])
            elsewhere.setdefault(key, []).append(name)
    if not elsewhere:
        return ""
    runs = "; ".join(
        f"{', '.join(names)} on {host}"
        + (f" with Python {build}" if build else "")
        + (f" ({day})" if day else "")
        for (host, build, day), names in elsewhere.items()
    )
    return f" Rows from earlier runs on other machines or Pythons: {runs}."


def write_readme(readme: Path, table: str) -> None:
    """Replace what is between the bench markers (they must exist)."""
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{readme} has no {START} … {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    readme.write_text(f"{head}{START}\n{table}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a few minutes")
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # the tests
    parser.add_argument("--only", action="append", choices=list(BENCHMARKS), default=None)
    parser.add_argument("--results", type=Path, default=None)
    parser.add_argument("--readme", type=Path, default=None, help="default: README.md (full runs)")
    args = parser.parse_args(argv)
    quick = args.quick or args.tiny
    sizes = TINY if args.tiny else QUICK if args.quick else FULL
    results_path = args.results or (QUICK_RESULTS if quick else RESULTS)
    names = args.only or list(BENCHMARKS)
    previous = _read(results_path) if args.only and results_path.exists() else {}
    for entry in previous.get("benchmarks", {}).values():  # written before entries had hosts
        entry.setdefault("host", previous.get("machine", {}).get("cpu_model", "unknown"))
        entry.setdefault("measured_at", previous.get("finished_at", ""))
    load_before = loadavg()
    done = run_benchmarks(names, sizes)
    results = {
        "mode": "tiny" if args.tiny else "quick" if quick else "full",
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_before": load_before,
        "load_after": loadavg(),
        "sizes": asdict(sizes),
        "benchmarks": {**previous.get("benchmarks", {}), **done},
    }
    results["duration_s"] = round(sum(e["duration_s"] for e in results["benchmarks"].values()), 1)
    results["figures"] = [f for e in results["benchmarks"].values() for f in e["figures"]]
    results_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
    readme = args.readme or (None if quick else README)
    if readme is not None:
        write_readme(readme, render_table(results))
    print(render_table(results))
    return results


if __name__ == "__main__":
    main()
