"""Every fixture of every source, through the real spider (replayed), against its golden file.

``tests/fixtures/<source_id>/<case>.<ext>`` is a saved real response; ``<case>.expected.json``
beside it is the list of items it must give (volatile fields left out). A missing golden file
is written and the test fails until someone has reviewed it; ``--update-golden`` rewrites.
A case may also be a folder ``<case>/`` (no dot in its name): a listing source's replay
folder of saved pages and their ``manifest.json``, replayed as one crawl.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from core.types import ItemRecord
from crawlers.registry import load_sources
from crawlers.replay import is_companion
from crawlers.runner import crawl_in_subprocess
from tests.crawlers.conftest import FIXTURES

VOLATILE_FIELDS = {"fetched_at", "content_hash", "version", "tags"}


def fixture_cases() -> list[tuple[str, Path]]:
    """(source id, fixture) for every saved response (or replay folder) under
    tests/fixtures/<source_id>/."""
    sources = load_sources()
    return [
        (source_id, path)
        for source_id in sources
        for path in sorted((FIXTURES / source_id).glob("*"))
        if (path.is_file() or path.is_dir()) and not is_companion(path)
    ]


def golden_view(items: list[ItemRecord]) -> list[dict[str, Any]]:
    """Items as the golden files hold them."""
    return [item.model_dump(mode="json", exclude=VOLATILE_FIELDS) for item in items]


def expected_path(fixture: Path) -> Path:
    return fixture.with_name(fixture.name.rsplit(".", 1)[0] + ".expected.json")


@pytest.mark.parametrize(
    ("source_id", "fixture"), fixture_cases(), ids=lambda v: v.name if isinstance(v, Path) else v
)
def test_fixture_gives_the_reviewed_items(
    source_id: str, fixture: Path, data_dir: Path, update_golden: bool
) -> None:
    outcome = crawl_in_subprocess(source_id, fixture)
    assert not outcome.fatal_problems, outcome.errors
    actual = golden_view(outcome.items)
    golden = expected_path(fixture)
    if update_golden or not golden.exists():
        golden.write_text(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if not update_golden:
            pytest.fail(f"wrote {golden.name}: review it, then run the tests again")
    assert actual == json.loads(golden.read_text(encoding="utf-8"))


def test_every_source_has_a_saved_response_to_test_against() -> None:
    with_fixtures = {source_id for source_id, _ in fixture_cases()}
    assert with_fixtures == set(load_sources())


def test_every_fixture_names_its_origin() -> None:
    for _, fixture in fixture_cases():
        origin = fixture.with_name(fixture.name + ".origin.txt")
        assert origin.is_file() and origin.read_text(encoding="utf-8").strip(), fixture.name
