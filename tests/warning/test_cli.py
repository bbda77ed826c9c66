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


def test_warn_names_the_bad_item_line(tmp_path: Path, files: tuple[Path, Path]) -> None:
    profiles, items = files
    items.write_text('{"id": "x", "title": ""}\n', encoding="utf-8")
    result = iprwatch("warn", "--profiles", str(profiles), "--items", str(items), cwd=tmp_path)
    assert result.returncode == 2
    assert "line 1" in result.stderr and len(result.stderr.strip().splitlines()) == 1


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
