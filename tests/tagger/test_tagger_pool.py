"""The worker-process pool: same tags as in-process tagging, clean start and shutdown."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import sessionmaker

from core.db import make_engine
from core.models import Base, Item
from tagger import Tagger
from tagger._pool import POOL_MIN_TEXTS, TaggerPool, pool_allowed
from tagger.cli import tag_json_lines
from tagger.pipeline import tag_many_parallel
from tagger.store import final_tags, retag_all

CASES = Path(__file__).parent / "cases"
BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def _golden_inputs() -> tuple[list[str], list[str | None]]:
    texts: list[str] = []
    languages: list[str | None] = []
    for path in sorted(CASES.glob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        case = json.loads(path.read_text(encoding="utf-8"))
        texts.append(case["text"])
        languages.append(case.get("language"))
    return texts, languages


def _synthetic(count: int) -> tuple[list[str], list[str | None]]:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        import bench_tagger
    finally:
        sys.path.remove(str(BENCHMARKS))
    rng = random.Random(42)
    texts: list[str] = []
    languages: list[str | None] = []
    for index in range(count):
        if index % 2:
            texts.append(bench_tagger.chinese_item(rng, dense=index % 3 == 0))
            languages.append("zh")
        else:
            texts.append(bench_tagger.english_item(rng, dense=index % 3 == 0))
            languages.append("en")
    # odd inputs travel too: empty, markup, mixed scripts, no language hint
    texts += ["", "<p>Solar modules &amp; 锂电池</p>", "Привет мир " * 5, "337-TA-1402"]
    languages += [None, None, "ru", None]
    return texts, languages


@pytest.fixture(scope="module")
def pool() -> Iterator[TaggerPool]:
    with TaggerPool(2, chunk_size=64) as started:
        yield started


def test_pool_tags_golden_cases_as_in_process(tagger: Tagger, pool: TaggerPool) -> None:
    texts, languages = _golden_inputs()
    serial = [tags.model_dump(mode="json") for tags in tagger.tag_many(texts, languages)]
    assert pool.tag_many(texts, languages) == serial


def test_pool_tags_hundreds_of_texts_as_in_process(tagger: Tagger, pool: TaggerPool) -> None:
    texts, languages = _synthetic(400)
    serial = [tags.model_dump(mode="json") for tags in tagger.tag_many(texts, languages)]
    parallel = pool.tag_many(texts, languages)
    assert len(parallel) == len(texts)
    assert parallel == serial


def test_pool_checks_lengths_and_handles_empty_input(pool: TaggerPool) -> None:
    assert pool.tag_many([]) == []
    with pytest.raises(ValueError, match="2 texts but 1 languages"):
        pool.tag_many(["a", "b"], ["en"])


def test_pool_shuts_down_cleanly() -> None:
    pool = TaggerPool(2)
    assert pool.tag_many(["Solar modules", "光伏组件"])[1]["chains"]
    workers = [process for process in pool._executor._processes.values()]  # type: ignore[union-attr]
    assert workers and all(process.is_alive() for process in workers)
    pool.close()
    assert all(not process.is_alive() for process in workers)
    assert all(process.exitcode == 0 for process in workers)
    pool.close()  # closing twice is harmless
    with pytest.raises(RuntimeError, match="closed"):
        pool.tag_many(["Solar modules"])


def test_tag_many_parallel_matches_tag_many(tagger: Tagger) -> None:
    texts, languages = _golden_inputs()
    expected = [tags.model_dump(mode="json") for tags in tagger.tag_many(texts, languages)]
    assert tag_many_parallel(texts, languages, processes=2) == expected


def test_small_batches_stay_in_process(tagger: Tagger, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a small batch must not start worker processes")

    monkeypatch.setattr("tagger.pipeline.tag_many_parallel", no_pool)
    texts, languages = _golden_inputs()
    assert len(texts) < POOL_MIN_TEXTS
    tags = tagger.tag_many(texts, languages, processes=2)
    assert tags == tagger.tag_many(texts, languages)


def test_only_the_default_tagger_may_use_workers(tagger: Tagger) -> None:
    assert pool_allowed(None)
    assert pool_allowed(tagger)
    assert not pool_allowed(object())


def test_cli_uses_workers_for_large_inputs(tagger: Tagger, monkeypatch: pytest.MonkeyPatch) -> None:
    texts, languages = _golden_inputs()
    lines = [
        json.dumps({"text": t, "language": lang}) for t, lang in zip(texts, languages, strict=True)
    ]
    lines += ["not json", "", json.dumps({"id": "no text"})]
    expected = list(tag_json_lines(lines, tagger))
    monkeypatch.setattr("tagger.cli.POOL_MIN_TEXTS", 5)
    started: list[int] = []
    original = TaggerPool.__init__

    def counting_init(self: TaggerPool, processes: int = 2, chunk_size: int = 500) -> None:
        started.append(processes)
        original(self, processes, chunk_size)

    monkeypatch.setattr(TaggerPool, "__init__", counting_init)
    assert list(tag_json_lines(lines, processes=2)) == expected
    assert started == [2]


def test_retag_all_uses_workers_for_many_stale_items(
    tmp_path: Path, tagger: Tagger, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'items.db'}")
    Base.metadata.create_all(engine)
    sessions = sessionmaker(bind=engine, expire_on_commit=False)
    texts, languages = _golden_inputs()
    with sessions() as session:
        session.add_all(
            Item(
                id=f"i{index:03d}",
                source_id="test",
                title=text,
                summary="",
                body="",
                language=language or "en",
                content_hash="h",
            )
            for index, (text, language) in enumerate(zip(texts, languages, strict=True))
        )
        session.commit()
    monkeypatch.setattr("tagger.store.POOL_MIN_TEXTS", 5)
    batches: list[list[str]] = []
    with sessions() as session:
        assert retag_all(session, processes=2, on_batch=batches.append) == len(texts)
    assert len(batches) == 1  # one pooled batch of up to 4,000 ids
    with sessions() as session:
        rows = sorted(session.query(Item), key=lambda row: row.id)
    expected = tagger.tag_many([r.title for r in rows], [r.language for r in rows])
    for row, tags in zip(rows, expected, strict=True):
        assert row.tags == final_tags(row, tags, row.title).model_dump(mode="json")
        assert row.taxonomy_version == tagger.version
