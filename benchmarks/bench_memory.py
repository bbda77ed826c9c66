"""Peak memory of a worker holding 100,000 enterprise profiles and their match index.

Profiles come from ``bench_match.build_profiles``, stored once in a cached SQLite database.
A fresh process then does what an ``evaluate_items`` worker does before matching: import the
warning package and build the matching index with ``warning.store.profile_index``, which
streams the profiles from the database a thousand at a time. It reports its resident memory
after each step and its peak (``VmHWM``), which is the figure held against the 400 MB target.
For comparison it also reports what holding every validated profile at once costs (the way
the worker loaded them before the index was streamed and cached).

    python -m benchmarks.bench_memory [--profiles 100000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks._bench_kit import loadavg

TARGET_MB = 400.0
CACHE = Path("var/bench-cache")


def _status_mb(field: str = "VmRSS") -> float:
    """A memory figure of this process from /proc (``VmHWM``: its peak since exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def profiles_file(count: int) -> Path:
    """The cached profiles as JSON (built once)."""
    path = CACHE / f"profiles-{count}.json"
    if not path.exists():
        from benchmarks.bench_match import build_profiles

        CACHE.mkdir(parents=True, exist_ok=True)
        data = [p.model_dump(mode="json") for p in build_profiles(count)]
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def profiles_database(count: int) -> Path:
    """The cached profiles stored in a SQLite database, as a deployment holds them."""
    path = (CACHE / f"profiles-{count}.db").resolve()
    if path.exists():
        return path
    from core.db import session_scope
    from core.migrate import upgrade
    from core.types import EnterpriseProfile
    from warning.store import save_profiles

    documents = json.loads(profiles_file(count).read_text("utf-8"))
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    url = f"sqlite:///{partial}"
    upgrade(url)
    for start in range(0, len(documents), 5000):
        with session_scope(url) as session:
            batch = documents[start : start + 5000]
            save_profiles(session, (EnterpriseProfile.model_validate(d) for d in batch))
    partial.rename(path)
    return path


def measure_here(path: Path) -> dict[str, Any]:
    """In this (fresh) process: resident memory after imports and after the index is built."""
    from core.db import session_scope
    from warning.rules import load_rules
    from warning.store import profile_index

    load_rules()
    steps = {"imports_mb": _status_mb()}
    with session_scope(f"sqlite:///{path}") as session:
        index = profile_index(session)
    steps["index_mb"] = _status_mb()
    steps["peak_mb"] = _status_mb("VmHWM")  # ru_maxrss would carry the parent's over exec
    steps["profiles_indexed"] = len(index.facts)
    return steps


def run(profiles: int = 100_000) -> dict[str, Any]:
    """Measure in a child process; returns its memory figures."""
    load_before = loadavg()
    path = profiles_database(profiles)
    command = [sys.executable, "-m", "benchmarks.bench_memory", "--child", str(path)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    steps = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "profiles": profiles,
        **steps,
        "target_mb": TARGET_MB,
        "load_before": load_before,
        "load_after": loadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_here(args.child)))
        return
    print(json.dumps(run(args.profiles), indent=2))


if __name__ == "__main__":
    main()
