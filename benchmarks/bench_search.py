"""Search benchmark: index rate, query latency (p50/p95) and memory for each engine.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_search.py                 # 200,000 items, all engines
    .venv/bin/python benchmarks/bench_search.py --items 20000 --engines sqlite tantivy
    .venv/bin/python benchmarks/bench_search.py --compare    # query the built indexes, interleaved

Engines: ``sqlite`` (the embedded FTS5 backend, through ``SqliteBackend`` exactly as the API
calls it), ``tantivy`` (the candidate in ``bench_search_tantivy.py``) and ``opensearch``
(``EngineBackend`` on ``IPRWATCH_TEST_OPENSEARCH_URL``, alias ``iprwatch-bench``). Each engine
runs in its own process so that its RSS is its own. Queries: ``bench_search_corpus.query_set``
(mixed zh/en, most with filters, all with the six facets and snippets for the page), one
warm-up pass, then ``--rounds`` timed passes. Results go to ``benchmarks/results_search.json``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
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

RESULTS = Path(__file__).with_name("results_search.json")


def rss_mb() -> float:
    """This process's resident set size in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
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
    out = {
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
    from bench_search_tantivy import TantivyIndex

    index = TantivyIndex(CACHE / f"tantivy-{len(docs)}")
    start = time.perf_counter()
    index.build(iter(docs))
    build = time.perf_counter() - start
    out = {
        "items": len(docs),
        "index_items_per_s": round(len(docs) / build),
        "disk_mb": round(disk_mb(index.path)),
    }
    out.update(time_queries(index.search, rounds))
    out["rss_mb"] = round(rss_mb())
    return out


def bench_opensearch(docs: list[dict[str, Any]], rounds: int) -> dict[str, Any]:
    from search.opensearch_ import EngineBackend

    url = os.environ.get("IPRWATCH_TEST_OPENSEARCH_URL", "http://127.0.0.1:9200")
    backend = EngineBackend(f"{url}?alias=iprwatch-bench")
    start = time.perf_counter()
    backend.reindex(iter(docs))
    build = time.perf_counter() - start
    out = {"items": len(docs), "index_items_per_s": round(len(docs) / build)}
    out.update(time_queries(backend.search, rounds))
    out.update(_opensearch_memory(backend))
    out["client_rss_mb"] = round(rss_mb())
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


def compare_queries(items: int, rounds: int) -> dict[str, Any]:
    """p50/p95 of the engines' already-built indexes, each query run on every engine in turn,
    so that the machine's load (shared here) falls on all of them alike."""
    from bench_search_tantivy import TantivyIndex

    from search.opensearch_ import EngineBackend
    from search.sqlite_ import SqliteBackend

    tantivy_index = TantivyIndex(CACHE / f"tantivy-{items}")
    tantivy_index.open()
    url = os.environ.get("IPRWATCH_TEST_OPENSEARCH_URL", "http://127.0.0.1:9200")
    runners: dict[str, Callable[[SearchQuery], Any]] = {
        "sqlite": SqliteBackend(CACHE / f"fts5-{items}.db").search,
        "tantivy": tantivy_index.search,
        "opensearch": EngineBackend(f"{url}?alias=iprwatch-bench").search,
    }
    queries = [SearchQuery(**q) for q in query_set()]
    samples: dict[str, list[float]] = {name: [] for name in runners}
    for round_ in range(rounds + 1):
        for query in queries:
            for name, run in runners.items():
                start = time.perf_counter()
                run(query)
                if round_:  # the first round warms up
                    samples[name].append((time.perf_counter() - start) * 1000)
    return {
        name: {
            "p50_ms": round(statistics.median(values), 2),
            "p95_ms": round(_p95(values), 2),
            "queries": len(values),
        }
        for name, values in samples.items()
    }


ENGINES: dict[str, Callable[[list[dict[str, Any]], int], dict[str, Any]]] = {
    "sqlite": bench_sqlite,
    "tantivy": bench_tantivy,
    "opensearch": bench_opensearch,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--engines", nargs="+", default=list(ENGINES), choices=list(ENGINES))
    parser.add_argument("--one", choices=list(ENGINES), help=argparse.SUPPRESS)
    parser.add_argument(
        "--compare", action="store_true", help="only query the built indexes, interleaved"
    )
    args = parser.parse_args()
    if args.compare:
        result = {**compare_queries(args.items, args.rounds), "load_average": os.getloadavg()}
        results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        results[f"interleaved@{args.items}"] = result
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
        print(json.dumps(result), file=sys.stderr)
        return
    if args.one:
        docs = corpus(args.items)
        loaded = rss_mb()
        result = ENGINES[args.one](docs, args.rounds)
        result["rss_corpus_mb"] = round(loaded)  # RSS with only the corpus loaded
        print(json.dumps(result))
        return
    start = time.perf_counter()
    corpus(args.items)  # build the cache once, outside the timed runs
    print(f"corpus: {args.items} items in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    results: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    for engine in args.engines:
        cmd = [sys.executable, __file__, "--one", engine, "--items", str(args.items),
               "--rounds", str(args.rounds)]  # fmt: skip
        done = subprocess.run(cmd, check=False, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"{engine} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
            continue
        result = json.loads(done.stdout.strip().splitlines()[-1])
        result["load_average"] = os.getloadavg()
        results[f"{engine}@{args.items}"] = result
        print(engine, json.dumps(result), file=sys.stderr)
        RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
