"""`iprwatch warn --profiles --items` and `iprwatch health-check`, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SEVERITIES = {"info", "low", "medium", "high", "critical"}
PROFILE = """\
id: wuxi-netlink
name: {zh: 无锡锡联网络设备有限公司, en: "Wuxi Xilian Network Equipment Co., Ltd."}
aliases: [Xilian Networks]
chains: [L1]
products: [{name: switches, keywords: [Ethernet switch], hs: ["8517.62"]}]
destinations: [{country: US, export_share: 0.4}, {country: DE, export_share: 0.2}]
ip_assets: [{type: trademark, jurisdiction: US, status: registered}]
contacts: ["mailto://ip@example.com"]
"""


def iprwatch(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "IPRWATCH_DATA_DIR": str(cwd / "var"),
        "IPRWATCH_DATABASE_URL": f"sqlite:///{cwd / 'var' / 'iprwatch.db'}",
        "IPRWATCH_SEARCH_URL": "",
        "IPRWATCH_BROKER_URL": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "api.cli", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=240, check=False,
    )  # fmt: skip


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    profiles = tmp_path / "profiles.yml"
    profiles.write_text(PROFILE, encoding="utf-8")
    items = tmp_path / "items.jsonl"
    lines = [
        {
            "id": "i1",
            "title": "Xilian Networks Inc. named in Section 337 complaint over Ethernet switches",
            "summary": "The U.S. International Trade Commission instituted investigation "
            "337-TA-1460 concerning certain Ethernet switches. Respondents: Xilian Networks Inc.",
            "language": "en",
            "published_at": "2025-03-03T00:00:00Z",
        },
        {
            "id": "i2",
            "title": "WIPO publishes annual report",
            "summary": "A report.",
            "language": "en",
            "published_at": "2025-03-04T00:00:00Z",
        },
    ]
    items.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return profiles, items


def test_warn_prints_contract_lines_for_untagged_items_and_stores_nothing(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    profiles, items = files
    result = iprwatch(
        "warn",
        "--profiles",
        str(profiles),
        "--items",
        str(items),
        "--as-of",
        "2025-03-10",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines, result.stderr
    for line in lines:
        assert {
            "enterprise_id",
            "item_id",
            "rule_id",
            "severity",
            "risk_code",
            "deadline",
            "explanation",
        } <= set(line)
        assert line["severity"] in SEVERITIES
        assert line["deadline"] is None or len(line["deadline"]) == 10
        assert line["explanation"]
    assert {line["item_id"] for line in lines} == {"i1"}
    assert not (tmp_path / "var" / "iprwatch.db").exists()


def _warn(profiles: Path, items: Path, *more: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return iprwatch("warn", "--profiles", str(profiles), "--items", str(items), *more, cwd=cwd)


def _alerts(result: subprocess.CompletedProcess[str]) -> list[tuple[str, str]]:
    return [(a["item_id"], a["rule_id"]) for a in map(json.loads, result.stdout.splitlines())]


def test_warn_names_the_bad_item_line(tmp_path: Path, files: tuple[Path, Path]) -> None:
    profiles, items = files
    items.write_text('{"id": "x", "title": ""}\n', encoding="utf-8")
    result = _warn(profiles, items, cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert "items.jsonl line 1: title: " in result.stderr
    assert "Traceback" not in result.stderr


def test_warn_reports_every_bad_item_line_with_its_field_and_still_evaluates_the_good_ones(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    profiles, items = files
    good = items.read_text(encoding="utf-8").splitlines()[0]
    bad_date = '{"id": "b1", "title": "t", "published_at": "03/05/2025"}'
    items.write_text(f"{good}\n{bad_date}\nnot json\n", encoding="utf-8")
    result = _warn(profiles, items, "--as-of", "2025-03-10", cwd=tmp_path)
    assert result.returncode == 2
    assert "items.jsonl line 2: published_at: Input should be a valid datetime" in result.stderr
    assert "'03/05/2025'" in result.stderr
    assert "items.jsonl line 3: not JSON" in result.stderr
    assert {item for item, _ in _alerts(result)} == {"i1"}


def test_warn_refuses_a_missing_or_folder_items_file_in_one_line(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    profiles, _ = files
    missing = _warn(profiles, tmp_path / "nope.jsonl", cwd=tmp_path)
    folder = _warn(profiles, tmp_path, cwd=tmp_path)
    assert missing.returncode == folder.returncode == 2
    assert missing.stderr.strip() == f"error: {tmp_path / 'nope.jsonl'}: no such file"
    assert folder.stderr.strip() == f"error: {tmp_path}: is a folder, not an items file"


def test_warn_accepts_a_bom_and_names_the_line_that_is_not_utf8(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    profiles, items = files
    good = items.read_text(encoding="utf-8").splitlines()[0]
    items.write_bytes(b"\xef\xbb\xbf" + good.encode() + b'\n{"id": "x", "title": "caf\xe9"}\n')
    result = _warn(profiles, items, "--as-of", "2025-03-10", cwd=tmp_path)
    assert "items.jsonl line 2: not UTF-8" in result.stderr
    assert "line 1" not in result.stderr
    assert {item for item, _ in _alerts(result)} == {"i1"}


def test_a_repeated_item_line_raises_each_alert_once(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    profiles, items = files
    once = _warn(profiles, items, "--as-of", "2025-03-10", cwd=tmp_path)
    items.write_text(items.read_text(encoding="utf-8") * 2, encoding="utf-8")
    twice = _warn(profiles, items, "--as-of", "2025-03-10", cwd=tmp_path)
    assert twice.returncode == 0, twice.stderr
    assert _alerts(once) and sorted(_alerts(twice)) == sorted(_alerts(once))
    assert "skipped 2 repeated item line(s)" in twice.stderr


def test_items_published_after_the_as_of_date_raise_no_alert(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    profiles, items = files
    before = _warn(profiles, items, "--as-of", "2025-03-02", cwd=tmp_path)
    assert before.returncode == 0, before.stderr
    assert _alerts(before) == []
    assert "skipped 2 item(s) published after the --as-of date 2025-03-02" in before.stderr


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_as_of_date_out_of_range_is_refused_by_warn_and_health_check(
    tmp_path: Path, files: tuple[Path, Path], day: str
) -> None:
    profiles, items = files
    for result in (
        _warn(profiles, items, "--as-of", day, cwd=tmp_path),
        iprwatch("health-check", str(profiles), "--as-of", day, cwd=tmp_path),
    ):
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.strip() == (
            f"error: --as-of: {day} is out of range; give a date from 1990-01-01 to 2100-12-31"
        )


def test_health_check_of_a_profile_file_prints_the_result_as_json(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    profiles, _ = files
    result = iprwatch("health-check", str(profiles), "--as-of", "2025-06-30", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["enterprise_id"] == "wuxi-netlink" and data["as_of"] == "2025-06-30"
    assert [d["id"] for d in data["dimensions"]] == [f"D{n}" for n in range(1, 9)]
    assert data["level"] in {"green", "yellow", "orange", "red"}


def test_health_check_of_a_stored_enterprise_and_of_an_unknown_one(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    profiles, _ = files
    assert iprwatch("profiles", "import", str(profiles), cwd=tmp_path).returncode == 0
    stored = iprwatch("health-check", "wuxi-netlink", cwd=tmp_path)
    assert stored.returncode == 0, stored.stderr
    assert json.loads(stored.stdout)["enterprise_id"] == "wuxi-netlink"
    unknown = iprwatch("health-check", "nobody", cwd=tmp_path)
    assert unknown.returncode == 2 and unknown.stdout == ""
    assert "nobody" in unknown.stderr and len(unknown.stderr.strip().splitlines()) == 1


def test_importing_many_profiles_prints_a_count_and_a_few_ids(tmp_path: Path) -> None:
    many = tmp_path / "many.yml"
    many.write_text(
        "".join(f"- {{id: e{n}, name: {{en: Company {n}}}}}\n" for n in range(300)),
        encoding="utf-8",
    )
    result = iprwatch("profiles", "import", str(many), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    printed = " ".join(result.stderr.split())  # the console wraps long lines
    assert "imported 300 profile(s): e0, e1, e2, e3, e4, e5, e6, e7, e8, e9 and 290 more" in printed
    assert "e299" not in printed


def test_health_check_of_a_mistyped_file_says_the_file_does_not_exist(tmp_path: Path) -> None:
    result = iprwatch("health-check", "missing_profile.yml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "error: missing_profile.yml: no such profile file"


def test_health_check_of_a_file_with_several_profiles_takes_one_by_enterprise(
    tmp_path: Path,
) -> None:
    other = PROFILE.replace("id: wuxi-netlink", "id: other-co")
    both = tmp_path / "both.yml"
    both.write_text(
        "enterprises:\n"
        + "".join("  - " + p.replace("\n", "\n    ").rstrip() + "\n" for p in (PROFILE, other)),
        encoding="utf-8",
    )
    unchosen = iprwatch("health-check", str(both), cwd=tmp_path)
    assert unchosen.returncode == 2
    assert "(wuxi-netlink, other-co); choose one with --enterprise ID" in unchosen.stderr
    chosen = iprwatch(
        "health-check", str(both), "--enterprise", "other-co", "--as-of", "2025-06-30", cwd=tmp_path
    )
    assert chosen.returncode == 0, chosen.stderr
    assert json.loads(chosen.stdout)["enterprise_id"] == "other-co"


def test_an_item_published_out_of_the_date_range_is_a_bad_line_and_the_others_are_evaluated(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    profiles, items = files
    good = items.read_text(encoding="utf-8").splitlines()[0]
    far = json.dumps({**json.loads(good), "id": "far", "published_at": "9999-12-31T00:00:00Z"})
    items.write_text(f"{good}\n{far}\n", encoding="utf-8")
    result = _warn(profiles, items, cwd=tmp_path)
    assert result.returncode == 2
    assert (
        "items.jsonl line 2: published_at: 9999-12-31 is out of range; "
        "give a date from 1900-01-01 to 9000-12-31"
    ) in result.stderr.replace("\n", "")
    assert "Traceback" not in result.stderr
    assert {item for item, _ in _alerts(result)} == {"i1"}


def test_health_check_json_names_markets_in_english_and_keeps_codes_in_sources(
    tmp_path: Path, files: tuple[Path, Path]
) -> None:
    profiles, _ = files
    result = iprwatch("health-check", str(profiles), "--as-of", "2025-06-30", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    d3 = next(d for d in json.loads(result.stdout)["dimensions"] if d["id"] == "D3")
    evidence = {e["source"]: e["text"] for e in d3["evidence"]}
    assert evidence["profile.destinations.US"]["en"] == (
        "United States (40% of exports): patent no, trade mark yes"
    )
    assert evidence["profile.destinations.DE"]["en"].startswith("Germany (20% of exports)")
    assert evidence["profile.destinations.DE"]["zh"].startswith("德国（占出口20%）")
    [gap] = [
        r for r in json.loads(result.stdout)["recommendations"] if r["risk_code"] == "TM_SQUAT"
    ]
    assert "(first: United States, Germany)" in gap["text"]["en"]
