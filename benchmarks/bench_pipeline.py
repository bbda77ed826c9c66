"""Pipeline throughput, embedded: items per second through tag, index and match, with
10,000 stored enterprise profiles.

Items come from the search corpus generator (``bench_search_corpus.corpus``: a third
Chinese, in the style of the real sources) as a crawl stores them (new versions, each with an
outbox entry, untagged). Profiles come from ``bench_match.build_profiles``. Each run stores a
fresh batch and times the same three steps ``api.pipeline.process_items`` runs, in batches of
``--batch`` items (as a worker takes a crawl's new items): ``tag_stored_items``,
``drain_outbox`` into the embedded index (tantivy), and ``evaluate_new_alert_ids`` (the warning
worker's call, which builds the
profile index from the database, then matches and stores alerts). The stage times say which
one dominates.

    python -m benchmarks.bench_pipeline [--items 200] [--profiles 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks._bench_kit import embedded_env, loadavg, median
from core.types import ItemRecord

TARGET_ITEMS_PER_S = 3000.0


def corpus_records(count: int, offset: int) -> list[ItemRecord]:
    """``count`` corpus documents from ``offset`` as untagged crawler records."""
    from benchmarks.bench_search_corpus import corpus

    docs = corpus(offset + count)[offset:]
    return [
        ItemRecord(
            id=f"{d['id']}-p",
            source=d["source"],
            url=d["url"],
            title=d["title"],
            summary=d["summary"],
            body=d["body"],
            language=d["language"],
            published_at=datetime.fromisoformat(d["published_at"].replace("Z", "+00:00")),
            jurisdictions=d["jurisdictions"],
            kind=d["kind"],
            case_refs=d["case_refs"],
        )
        for d in docs
    ]


def _store(records: list[ItemRecord]) -> list[str]:
    from core.db import session_scope
    from crawlers.store import store_items

    with session_scope() as session:
        return store_items(session, "bench", records).written_ids


def _timed_batch(ids: list[str]) -> dict[str, float]:
    """Tag, index and evaluate one batch, each step timed (wall and this process's CPU)."""
    from core.db import session_scope
    from search.backend import get_backend
    from search.outbox import drain_outbox
    from tagger.store import tag_stored_items
    from warning.store import evaluate_new_alert_ids

    times: dict[str, float] = {}
    with session_scope() as session:
        start = time.perf_counter()
        tag_stored_items(session, ids)
        session.commit()
        times["tag"] = time.perf_counter() - start
        start = time.perf_counter()
        drain_outbox(session, get_backend())
        times["index"] = time.perf_counter() - start
        start = time.perf_counter()
        alerts = evaluate_new_alert_ids(session, ids)  # what the warning worker runs
        session.commit()
        times["match"] = time.perf_counter() - start
    times["alerts"] = float(len(alerts))
    return times


def run(
    items: int = 200, profiles: int = 10_000, runs: int = 3, batch: int = 500
) -> dict[str, Any]:
    """Measure; returns the figures (median items/s over ``runs`` fresh batches)."""
    from benchmarks.bench_match import build_profiles
    from core.db import session_scope
    from core.migrate import upgrade
    from warning.store import save_profiles

    load_before = loadavg()
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as tmp, embedded_env(Path(tmp)):
        upgrade()
        start = time.perf_counter()
        with session_scope() as session:
            save_profiles(session, build_profiles(profiles))
        setup_s = time.perf_counter() - start
        corpus_records(1, 0)  # build the corpus cache outside the timed runs
        rates, cpu_rates, stages = [], [], {"tag": 0.0, "index": 0.0, "match": 0.0}
        alerts = 0.0
        for n in range(runs):
            ids = _store(corpus_records(items, n * items))
            start, cpu = time.perf_counter(), time.process_time()
            for first in range(0, len(ids), batch):
                times = _timed_batch(ids[first : first + batch])
                for stage in stages:
                    stages[stage] += times[stage]
                alerts += times["alerts"]
            rates.append(len(ids) / (time.perf_counter() - start))
            cpu_rates.append(len(ids) / max(time.process_time() - cpu, 1e-9))
            print(f"pipeline run {n + 1}: {rates[-1]:.1f} items/s", file=sys.stderr)
    total = sum(stages.values()) or 1.0
    share = {stage: round(seconds / total, 3) for stage, seconds in stages.items()}
    return {
        "items_per_run": items,
        "profiles": profiles,
        "runs": runs,
        "batch": batch,
        "items_per_s": round(median(rates), 1),
        "items_per_s_runs": [round(r, 1) for r in rates],
        "items_per_cpu_s": round(median(cpu_rates), 1),
        "stage_share": share,
        "stage_ms_per_item": {s: round(v * 1000 / (items * runs), 3) for s, v in stages.items()},
        "alerts_per_item": round(alerts / (items * runs), 2),
        "profile_setup_s": round(setup_s, 1),
        "target_items_per_s": TARGET_ITEMS_PER_S,
        "dominated_by": max(share, key=lambda s: share[s]),
        "load_before": load_before,
        "load_after": loadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--profiles", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    print(json.dumps(run(args.items, args.profiles, args.runs, args.batch), indent=2))


if __name__ == "__main__":
    main()
