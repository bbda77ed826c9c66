"""Golden cases: each ``cases/<name>.json`` (text, language) has its key tags beside it in
``cases/<name>.expected.json``.

A missing expected file is written and the test fails until someone reviews it; run with
``--update-golden`` (or ``IPRWATCH_UPDATE_GOLDEN=1``) to rewrite them on purpose after a
taxonomy or rule change. Scores and evidence are left out: they move with every weight.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.types import Tags
from tagger import Tagger
from tagger.reconcile import reconcile_tags

CASES = Path(__file__).parent / "cases"
CASE_FILES = sorted(p for p in CASES.glob("*.json") if not p.name.endswith(".expected.json"))


def key_tags(tags: Tags) -> dict[str, Any]:
    """The parts of the tags a golden file pins down."""
    data = tags.model_dump(mode="json")
    return {
        "chains": sorted(chain["id"] for chain in data["chains"]),
        "kind": data["kind"],
        "ip_types": sorted(data["ip_types"]),
        "jurisdictions": sorted(data["jurisdictions"]),
        "parties": [
            {k: p[k] for k in ("name", "role", "location", "chinese", "province", "city")}
            for p in data["parties"]
        ],
        "case_refs": data["case_refs"],
        "products": data["products"],
        "signals": [{"type": s["type"], "date": s["date"]} for s in data["signals"]],
        "flags": data["flags"],
        "untagged": data["untagged"],
    }


@pytest.mark.parametrize("case_file", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_golden_case_matches_its_expected_tags(
    case_file: Path, tagger: Tagger, update_golden: bool
) -> None:
    case = json.loads(case_file.read_text(encoding="utf-8"))
    found = tagger.tag(case["text"], case.get("language"))
    # The final tags, as stored: a case may give the crawler's kind and jurisdictions.
    final = reconcile_tags(found, case["text"], case.get("kind"), case.get("jurisdictions", []))
    actual = key_tags(final)
    expected_file = case_file.with_suffix(".expected.json")
    if update_golden or not expected_file.exists():
        expected_file.write_text(
            json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        if not update_golden:
            pytest.fail(f"{expected_file.name} was missing and has been written: review it")
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    assert actual == expected
