"""Search benchmark: index rate, query latency (p50/p95) and memory for each engine.

Usage (from the repository root)::

    .venv/bin/python -m benchmarks.bench_search --items 200000 --out FILE   # all engines
    .venv/bin/python -m benchmarks.bench_search --items 20000 --engines sqlite tantivy
    .venv/bin/python -m benchmarks.bench_search --compare    # query the built indexes, engines by turns
    .venv/bin/python -m benchmarks.bench_search --compare --engines tantivy   # the embedded one only

From Python (``benchmarks/run.py``): ``run_benchmark(items=..., engines=[...])`` returns the
results as a dict.

Engines, each through the backend class the API uses: ``tantivy`` (the embedded default,
``TantivyBackend``), ``sqlite`` (``SqliteBackend``, FTS5) and ``opensearch`` (``EngineBackend``
on ``IPRWATCH_TEST_OPENSEARCH_URL``, alias ``iprwatch-bench-<items>``). Each engine runs in its own
process so that its RSS is its own. Queries: ``bench_search_corpus.query_set`` (mixed zh/en,
most with filters, all with the six facets and snippets for the page), one warm-up pass, then
``--rounds`` timed passes. Results go to ``--out`` (default ``benchmarks/results_search.json``),
merged into what the file already holds.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))

from bench_search_corpus import CACHE, corpus, query_set

from search.query import SearchQuery
from search.text import flatten

RESULTS = Path(__file__).with_name("results_search.json")


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident set size (``VmHWM``: its peak) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def disk_mb(path: Path) -> float:
    """Size of a file (with its -wal/-shm) or a directory, in MB."""
    files = [p for p in path.parent.glob(path.name + "*")] if path.is_file() else []
    if path.is_dir():
        files = [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 1e6


def time_queries(run: Callable[[SearchQuery], Any], rounds: int) -> dict[str, Any]:
    """p50/p95 of every query in the set over ``rounds`` passes, after one warm-up pass."""
    queries = [SearchQuery(**q) for q in query_set()]
    for query in queries:
        run(query)
    samples: list[float] = []
    zh: list[float] = []
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            run(query)
            elapsed = (time.perf_counter() - start) * 1000
            samples.append(elapsed)
            if any(c.cjk for c in query.clauses()):
                zh.append(elapsed)
    return {
        "queries": len(samples),
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(_p95(samples), 2),
        "max_ms": round(max(samples), 2),
        "zh_p50_ms": round(statistics.median(zh), 2),
        "zh_p95_ms": round(_p95(zh), 2),
    }


def _p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


def bench_sqlite(docs: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    from search.sqlite_ import SqliteBackend

    path = CACHE / f"fts5-{len(docs)}.db"
    for stale in CACHE.glob(path.name + "*"):
        stale.unlink()
    backend = SqliteBackend(path)
    start = time.perf_counter()
    backend.reindex(iter(docs))
    build = time.perf_counter() - start
    out: dict[str, Any] = {
        "items": len(docs),
        "index_items_per_s": round(len(docs) / build),
        "disk_mb": round(disk_mb(path)),
    }
    out.update(time_queries(backend.search, rounds))
    out["phases"] = sqlite_phases(backend, rounds)
    out["rss_mb"] = round(rss_mb())
    return out


def sqlite_phases(backend: Any, rounds: int) -> dict[str, float]:
    """Where an FTS5 search spends its time: mean ms per phase over the query set."""
    from search import sqlite_ as s
    from search.builder import build_fts_query

    totals = {"match_and_filters": 0.0, "facets": 0.0, "page": 0.0, "snippets_and_hits": 0.0}
    queries = [SearchQuery(**q) for q in query_set()]
    for _ in range(rounds):
        for query in queries:
            plan = build_fts_query(query)
            with backend._transaction(write=False) as (conn, tables):
                marks = [time.perf_counter()]
                s._collect_hits(conn, tables, plan)
                total = conn.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
                marks.append(time.perf_counter())
                s._facets(conn, tables, total)
                marks.append(time.perf_counter())
                rows = s._page(conn, plan, query.limit + 1)
                marks.append(time.perf_counter())
                s._hits(conn, tables, plan, rows[: query.limit], query)
                marks.append(time.perf_counter())
            for name, (a, b) in zip(totals, itertools.pairwise(marks), strict=True):
                totals[name] += (b - a) * 1000
    n = rounds * len(queries)
    return {name: round(value / n, 2) for name, value in totals.items()}


def bench_tantivy(docs: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    from search.tantivy_ import TantivyBackend

    path = CACHE / f"tantivy-{len(docs)}"
    shutil.rmtree(path, ignore_errors=True)
    backend = TantivyBackend(path)
    start = time.perf_counter()
    backend.reindex(iter(docs))
    build = time.perf_counter() - start
    out = {
        "items": len(docs),
        "index_items_per_s": round(len(docs) / build),
        "disk_mb": round(disk_mb(path)),
    }
    out.update(time_queries(backend.search, rounds))
    out["rss_mb"] = round(rss_mb())
    return out


def bench_opensearch(docs: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    from search.opensearch_ import EngineBackend

    url = os.environ.get("IPRWATCH_TEST_OPENSEARCH_URL", "http://127.0.0.1:9200")
    backend = EngineBackend(f"{url}?alias=iprwatch-bench-{len(docs)}")
    start = time.perf_counter()
    backend.reindex(iter(docs))
    build = time.perf_counter() - start
    out = {"items": len(docs), "index_items_per_s": round(len(docs) / build)}
    out.update(time_queries(backend.search, rounds))
    out.update(_opensearch_memory(backend))
    out["client_rss_mb"] = round(rss_mb())
    out["client_peak_rss_mb"] = round(rss_mb("VmHWM"))
    return out


def _opensearch_memory(backend: Any) -> dict[str, Any]:
    _, client = backend._engine
    stats = client.indices.stats(index=backend.alias)
    node = next(iter(client.nodes.stats(metric="jvm,process")["nodes"].values()))
    return {
        "disk_mb": round(stats["_all"]["primaries"]["store"]["size_in_bytes"] / 1e6),
        "jvm_heap_used_mb": round(node["jvm"]["mem"]["heap_used_in_bytes"] / 1e6),
        "node_virtual_mb": round(node["process"]["mem"]["total_virtual_in_bytes"] / 1e6)
        if "total_virtual_in_bytes" in node["process"]["mem"]
        else None,
    }


def compare_queries(items: int, rounds: int, engines: list[str] | None = None) -> dict[str, Any]:
    """p50/p95 of the engines' already-built indexes; also per query class (``query_class``)
    and the mean CPU time per query (this process's, so not OpenSearch's).

    The engines take turns by round: each round runs the whole query set on one engine, then
    on the next, so that the machine's load (shared here) falls on all of them alike. Not
    query by query: a tantivy query run right after an FTS5 query of up to half a second
    finds the CPU caches and the page cache filled with FTS5's data, which a deployment of
    one engine never sees (that cost tantivy's p95 about 1.5 ms here).

    Before each turn the machine is let settle (``settle``): after a round of searches the
    OpenSearch JVM keeps one of the two cores busy for another 0.3–0.7 s, which is longer than
    a whole tantivy round. Without the wait, tantivy was timed on one free core beside a JVM
    that an embedded deployment does not run (p95 3.7 → 5.7 ms here, same code)."""
    queries = [SearchQuery(**q) for q in query_set()]
    runners = {name: _COMPARE_OPENERS[name](items) for name in engines or list(ENGINES)}
    samples: dict[str, list[tuple[str, float, float]]] = {name: [] for name in runners}
    per_query: dict[str, dict[int, list[float]]] = {name: {} for name in runners}
    waits: list[float] = []
    for round_ in range(rounds + 1):
        for name, run in runners.items():
            if len(runners) > 1:
                waits.append(settle())
            for number, query in enumerate(queries):
                cpu, start = time.process_time(), time.perf_counter()
                run(query)
                if round_:  # the first round warms up
                    wall = (time.perf_counter() - start) * 1000
                    samples[name].append(
                        (query_class(query), wall, (time.process_time() - cpu) * 1000)
                    )
                    per_query[name].setdefault(number, []).append(wall)
    result: dict[str, Any] = {
        name: {**_latency(values), "slowest": _slowest(queries, per_query[name])}
        for name, values in samples.items()
    }
    if waits:
        result["settle"] = {
            "turns": len(waits),
            "mean_wait_s": round(statistics.mean(waits), 2),
            "max_wait_s": round(max(waits), 2),
            "turns_not_settled": sum(wait >= SETTLE_LIMIT_S for wait in waits),
        }
    return result


SETTLE_BUSY = 0.10  # share of all cores busy below which the machine counts as settled
SETTLE_WINDOW_S = 0.1
SETTLE_LIMIT_S = 5.0


def settle() -> float:
    """Wait until the whole machine (every process, this one idle) uses under ``SETTLE_BUSY``
    of its cores over a ``SETTLE_WINDOW_S`` window, at most ``SETTLE_LIMIT_S``.

    Returns:
        The seconds waited, the quiet window included (``SETTLE_LIMIT_S`` or more when the
        machine never settled; 0 where ``/proc/stat`` does not exist).
    """
    stat = Path("/proc/stat")
    if not stat.exists():
        return 0.0

    def sample() -> tuple[int, int]:
        fields = [int(x) for x in stat.read_text().split("\n", 1)[0].split()[1:]]
        return sum(fields), fields[3] + fields[4]  # all jiffies, idle + iowait

    start = time.perf_counter()
    while (waited := time.perf_counter() - start) < SETTLE_LIMIT_S:
        total, idle = sample()
        time.sleep(SETTLE_WINDOW_S)
        total2, idle2 = sample()
        if total2 > total and 1 - (idle2 - idle) / (total2 - total) < SETTLE_BUSY:
            return time.perf_counter() - start
    return waited


def _slowest(queries: list[SearchQuery], walls: dict[int, list[float]]) -> list[dict[str, Any]]:
    """The five queries with the highest median time (what the p95 is made of)."""
    medians = sorted(((statistics.median(v), n) for n, v in walls.items()), reverse=True)
    return [
        {"p50_ms": round(median, 2), **queries[n].model_dump(mode="json", exclude_defaults=True)}
        for median, n in medians[:5]
    ]


def query_class(query: SearchQuery) -> str:
    """``en`` or ``zh`` text by relevance, ``text-date`` (text in date order) or ``browse``."""
    if not query.q:
        return "browse"
    if query.effective_sort() == "date":
        return "text-date"
    return "zh" if any(c.cjk for c in flatten(query.clauses())) else "en"


def _latency(samples: list[tuple[str, float, float]]) -> dict[str, Any]:
    walls = [wall for _, wall, _ in samples]
    classes = {}
    for name in sorted({kind for kind, _, _ in samples}):
        mine = [wall for kind, wall, _ in samples if kind == name]
        classes[name] = {
            "p50_ms": round(statistics.median(mine), 2),
            "p95_ms": round(_p95(mine) if len(mine) > 1 else mine[0], 2),
            "queries": len(mine),
        }
    return {
        "p50_ms": round(statistics.median(walls), 2),
        "p95_ms": round(_p95(walls), 2),
        "queries": len(walls),
        "cpu_mean_ms": round(statistics.mean(cpu for _, _, cpu in samples), 2),
        "classes": classes,
    }


def _compare_tantivy(items: int) -> Callable[[SearchQuery], Any]:
    from search.tantivy_ import TantivyBackend

    embedded = TantivyBackend(CACHE / f"tantivy-{items}")
    if embedded.needs_rebuild():  # cached by a version with other fields
        print(f"tantivy-{items}: rebuilding (built with an earlier schema)", file=sys.stderr)
        embedded.reindex(iter(corpus(items)))
    return embedded.search


def _compare_sqlite(items: int) -> Callable[[SearchQuery], Any]:
    from search.sqlite_ import SqliteBackend

    embedded = SqliteBackend(CACHE / f"fts5-{items}.db")
    if embedded.count() != items:  # missing (opened as a new, empty file) or partial
        print(f"fts5-{items}.db: rebuilding (it held {embedded.count()} items)", file=sys.stderr)
        embedded.reindex(iter(corpus(items)))
    return embedded.search


def _compare_opensearch(items: int) -> Callable[[SearchQuery], Any]:
    from search.opensearch_ import EngineBackend

    url = os.environ.get("IPRWATCH_TEST_OPENSEARCH_URL", "http://127.0.0.1:9200")
    engine = EngineBackend(f"{url}?alias=iprwatch-bench-{items}")
    if engine.count() != items:  # a new node, or a partial build: timing it would time nothing
        print(f"opensearch iprwatch-bench-{items}: rebuilding", file=sys.stderr)
        engine.reindex(iter(corpus(items)))
    _CACHE_HITS_BEFORE[items] = _request_cache_hits(items)  # after count(), a size-0 request
    return engine.search


_CACHE_HITS_BEFORE: dict[int, int] = {}


def _request_cache_hits(items: int) -> int:
    """How often the bench index answered from OpenSearch's shard request cache (which
    serves repeated identical ``size: 0`` requests; the searches here ask for hits)."""
    from search.opensearch_ import EngineBackend

    url = os.environ.get("IPRWATCH_TEST_OPENSEARCH_URL", "http://127.0.0.1:9200")
    _, client = EngineBackend(f"{url}?alias=iprwatch-bench-{items}")._engine
    stats = client.indices.stats(index=f"iprwatch-bench-{items}", metric="request_cache")
    return int(stats["_all"]["total"]["request_cache"]["hit_count"])


_COMPARE_OPENERS: dict[str, Callable[[int], Callable[[SearchQuery], Any]]] = {
    "sqlite": _compare_sqlite,
    "tantivy": _compare_tantivy,
    "opensearch": _compare_opensearch,
}


ENGINES: dict[str, Callable[[list[dict[str, Any]], int], dict[str, Any]]] = {
    "sqlite": bench_sqlite,
    "tantivy": bench_tantivy,
    "opensearch": bench_opensearch,
}


def serving_rss(engine: str, items: int) -> dict[str, float]:
    """RSS of a fresh process that opens a built index and runs the query set once."""
    code = (
        "import sys; sys.path[:0] = ['benchmarks', '.'];"
        "from bench_search import ENGINE_OPENERS, rss_mb; from bench_search_corpus import query_set;"
        "from search.query import SearchQuery; base = rss_mb();"
        f"backend = ENGINE_OPENERS[{engine!r}]({items});"
        "[backend.search(SearchQuery(**q)) for q in query_set()];"
        "print(round(base), round(rss_mb()), round(rss_mb('VmHWM')))"
    )
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    base, now, peak = (float(v) for v in done.stdout.split())
    return {"serving_rss_mb": now, "serving_peak_rss_mb": peak, "python_baseline_mb": base}


def _open_sqlite(items: int) -> Any:
    from search.sqlite_ import SqliteBackend

    return SqliteBackend(CACHE / f"fts5-{items}.db")


def _open_tantivy(items: int) -> Any:
    from search.tantivy_ import TantivyBackend

    return TantivyBackend(CACHE / f"tantivy-{items}")


ENGINE_OPENERS: dict[str, Callable[[int], Any]] = {
    "sqlite": _open_sqlite,
    "tantivy": _open_tantivy,
}


def run_benchmark(
    items: int = 200_000,
    engines: list[str] | None = None,
    rounds: int = 3,
    out: Path | None = RESULTS,
) -> dict[str, Any]:
    """Build and query each engine at ``items`` documents, each in its own process.

    Returns:
        ``{"<engine>@<items>": {index_items_per_s, disk_mb, p50_ms, p95_ms, rss_mb, ...}}``,
        with the load average when each engine finished; also merged into ``out``.
    """
    start = time.perf_counter()
    corpus(items)  # build the cache once, outside the timed runs
    print(f"corpus: {items} items in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    results: dict[str, Any] = {}
    for engine in engines or list(ENGINES):
        cmd = [sys.executable, __file__, "--one", engine, "--items", str(items),
               "--rounds", str(rounds)]  # fmt: skip
        done = subprocess.run(cmd, check=False, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{engine} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if engine in ENGINE_OPENERS:
            result.update(serving_rss(engine, items))
        result["load_average"] = os.getloadavg()
        results[f"{engine}@{items}"] = result
        print(engine, json.dumps(result), file=sys.stderr)
        _merge(out, results)
    return results


def _merge(out: Path | None, results: dict[str, Any]) -> None:
    if out is None:
        return
    merged = json.loads(out.read_text()) if out.exists() else {}
    merged.update(results)
    out.write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n")


def _interleaved_key(items: int, engines: list[str]) -> str:
    """``interleaved@<items>`` for all engines (what ``benchmarks.run`` reads), else with the
    engines named, so that a partial run never replaces a full one."""
    if sorted(engines) == sorted(ENGINES):
        return f"interleaved@{items}"
    return f"interleaved-{'-'.join(engines)}@{items}"


def translated_queries(items: int, rounds: int) -> dict[str, Any]:
    """What ``translate`` costs on tantivy: the queries of the set that name a glossary term,
    without and with it, by turns (reported beside the targets, not part of them: a
    translated search is asked for, and finds more)."""
    from search.text import glossary_matches

    run = _compare_tantivy(items)
    texts = [q for q in query_set() if q.get("q") and glossary_matches(q["q"])]
    out: dict[str, Any] = {"queries": [q["q"] for q in texts]}
    for translate in (False, True):
        queries = [SearchQuery(**q, translate=translate) for q in texts]
        walls: list[float] = []
        totals = []
        for round_ in range(rounds + 1):
            for query in queries:
                start = time.perf_counter()
                found = run(query)
                if round_:
                    walls.append((time.perf_counter() - start) * 1000)
                elif hasattr(found, "total"):
                    totals.append(found.total)
        out["translated" if translate else "plain"] = {
            "p50_ms": round(statistics.median(walls), 2),
            "p95_ms": round(_p95(walls), 2),
            "mean_matches": round(statistics.mean(totals)) if totals else None,
        }
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--one", choices=list(ENGINES), help=argparse.SUPPRESS)
    parser.add_argument(
        "--compare",
        action="store_true",
        help="only query the built indexes, engines taking turns by round",
    )
    parser.add_argument(
        "--translated",
        action="store_true",
        help="only time the glossary queries on tantivy, without and with translate",
    )
    args = parser.parse_args()
    if args.translated:
        result = {**translated_queries(args.items, args.rounds), "load_average": os.getloadavg()}
        _merge(args.out, {f"translated-tantivy@{args.items}": result})
        print(json.dumps(result, ensure_ascii=False), file=sys.stderr)
        return
    if args.compare:
        result = {
            **compare_queries(args.items, args.rounds, args.engines),
            "load_average": os.getloadavg(),
        }
        if args.items in _CACHE_HITS_BEFORE:  # must stay 0: a cached answer times the cache
            hits = _request_cache_hits(args.items) - _CACHE_HITS_BEFORE[args.items]
            result["opensearch"]["request_cache_hits"] = hits
        _merge(args.out, {_interleaved_key(args.items, args.engines): result})
        print(json.dumps(result), file=sys.stderr)
        return
    if args.one:
        docs = corpus(args.items)
        loaded = rss_mb()
        result = ENGINES[args.one](docs, args.rounds)
        result["rss_corpus_mb"] = round(loaded)  # RSS with only the corpus loaded
        result["peak_rss_mb"] = round(rss_mb("VmHWM"))
        print(json.dumps(result))
        return
    run_benchmark(args.items, args.engines, args.rounds, args.out)


if __name__ == "__main__":
    main()
