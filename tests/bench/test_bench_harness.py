"""``make bench``'s harness: it writes results.json in the documented shape and renders the
README table between the markers, replacing only what is between them. Tiny sizes: this
checks the harness, not the figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks.run import END, START, Figure, _sample_figure, main, render_table, write_readme

README = f"# Title\n\nintro\n\n{START}\nold table\n{END}\n\n## Next section\n"


def _results(**benchmarks: dict[str, Any]) -> dict[str, Any]:
    machine = {"cpu_model": "Test CPU", "cores": 2, "ram_gb": 8.0, "python": "3.11.7"}
    return {"mode": "full", "finished_at": "2026-12-06T06:00:00+00:00", "machine": machine,
            "load_before": [0.5, 0.4, 0.3], "load_after": [1.5, 0.9, 0.5], "duration_s": 3600,
            "benchmarks": benchmarks}  # fmt: skip


def test_the_table_names_the_interpreter_build_the_figures_were_taken_on() -> None:
    results = _results()
    results["machine"]["python_executable"] = "/usr/bin/python3.11"
    table = render_table(results)
    assert "Python 3.11.7 (`/usr/bin/python3.11`); load average" in table


def test_a_figure_is_judged_against_its_target_in_the_right_direction() -> None:
    rate = Figure("pipeline", "pipeline", 1500.0, "items/s", 3000.0, higher_is_better=True)
    latency = Figure("latency", "latency", 2.0, "s", 10.0)
    assert (rate.status, rate.ratio) == ("missed", 0.5)
    assert (latency.status, latency.ratio) == ("met", 0.2)
    assert Figure("api", "rps", 900.0, "requests/s").status == ""


def test_the_table_shows_each_figure_its_target_ratio_and_failures() -> None:
    missed = Figure("match", "match per item, 10,000 profiles", 130.4, "ms", 0.5,
                    bound="naive 50,236 ms (385× slower)", note="280 alerts per item")  # fmt: skip
    table = render_table(
        _results(
            match={"ok": True, "figures": [missed.as_json()], "duration_s": 10},
            latency={
                "ok": False,
                "error": "RuntimeError: Redis refused",
                "figures": [],
                "duration_s": 1,
            },
        )
    )
    assert "Test CPU, 2 cores, 8.0 GB RAM, Python 3.11.7" in table
    assert "load average 0.50 before, 1.50 after" in table
    assert "| match per item, 10,000 profiles | 130 ms | ≤ 0.5 | 260.8× | missed |" in table
    assert "naive 50,236 ms (385× slower); 280 alerts per item" in table
    assert "| latency | failed |" in table and "Redis refused" in table


def test_the_table_names_the_machines_of_rows_kept_from_earlier_runs() -> None:
    """``--only`` keeps the other benchmarks' rows: the header names the machine and day each
    came from when that is not the machine of the run that wrote the table."""
    row = Figure("match", "match per item", 0.4, "ms", 0.5).as_json()
    here = {"ok": True, "figures": [row], "duration_s": 1, "host": "Test CPU"}
    older = {**here, "host": "Other CPU", "measured_at": "2026-12-01T10:00:00+00:00"}
    assert "earlier runs" not in render_table(_results(match=here, search=dict(here)))
    table = render_table(_results(match=here, search=older, api=dict(older)))
    assert (
        "Rows from earlier runs on other machines or Pythons: search, api on Other CPU "
        "(2026-12-01)." in table
    )


def test_the_table_names_rows_kept_from_runs_on_another_python() -> None:
    """The same machine with another interpreter build is another run to name (the
    distribution's Python ran matching 10-20% faster than an unoptimised build)."""
    row = Figure("match", "match per item", 0.4, "ms", 0.5).as_json()
    here = {"ok": True, "figures": [row], "duration_s": 1, "host": "Test CPU", "python": "3.11.7"}
    older = {**here, "python": "3.11.2", "measured_at": "2026-12-01T10:00:00+00:00"}
    assert "earlier runs" not in render_table(_results(match=here))
    table = render_table(_results(match=here, search=older))
    assert (
        "Rows from earlier runs on other machines or Pythons: search on Test CPU with Python "
        "3.11.2 (2026-12-01)." in table
    )


def test_write_readme_replaces_only_what_is_between_the_markers(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    write_readme(readme, "| new | table |")
    text = readme.read_text(encoding="utf-8")
    assert text == README.replace("old table", "| new | table |")
    readme.write_text("# no markers\n", encoding="utf-8")
    with pytest.raises(ValueError, match="markers"):
        write_readme(readme, "x")


@pytest.mark.timeout(120)
def test_a_tiny_run_writes_results_and_the_readme_table(data_dir: Path, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(README, encoding="utf-8")
    out = tmp_path / "results.json"
    main(["--tiny", "--only", "memory", "--results", str(out), "--readme", str(readme)])
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["mode"] == "tiny"
    assert {"cpu_model", "cores", "ram_gb", "python"} <= set(results["machine"])
    assert len(results["load_before"]) == 3 and len(results["load_after"]) == 3
    entry = results["benchmarks"]["memory"]
    assert entry["ok"], entry.get("error")
    [figure] = results["figures"]
    assert figure["name"] == "worker peak memory, 200 profiles" and figure["unit"] == "MB"
    assert figure["value"] > 0 and figure["target"] == 400.0
    assert figure["status"] in ("met", "missed") and figure["ratio"] > 0
    text = readme.read_text(encoding="utf-8")
    assert "| worker peak memory, 200 profiles |" in text and "old table" not in text
    assert text.endswith(f"{END}\n\n## Next section\n")


def test_source_like_items_are_reported_beside_the_judged_row_without_a_verdict() -> None:
    sample = {
        "items": 228,
        "decide_cpu_ms": {"median": 0.31, "p95": 2.2, "mean": 0.7, "max": 9.0},
        "items_with_alerts": 93,
        "alerts_per_item_mean": 46.4,
    }
    row = _sample_figure(10_000, sample)
    assert (row.target, row.status) == (None, "")
    table = render_table(_results(match={"ok": True, "figures": [row.as_json()]}))
    assert "| match per item, 10,000 profiles, sample items | 0.31 ms | — |" in table
    assert "reported, not judged: the tagger's 228 labelled items" in table
    assert "93 of them raise alerts, 46.4 alerts per item" in table
