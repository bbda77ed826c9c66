"""Tagging stored items: the plain functions and the Celery task shell, on a real SQLite DB."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine
from core.models import Base, Item
from core.types import Tags
from tagger import Tagger
from tagger.store import retag_all, stale_item_ids, tag_stored_items


@pytest.fixture
def sessions(tmp_path: Path) -> sessionmaker[Session]:
    engine = make_engine(f"sqlite:///{tmp_path / 'items.db'}")
    Base.metadata.create_all(engine)
    return sessionmaker(bind=engine, expire_on_commit=False)


def _item(item_id: str, title: str, language: str = "en", version: str | None = None) -> Item:
    return Item(
        id=item_id,
        source_id="test",
        title=title,
        summary="",
        body="",
        language=language,
        content_hash="h",
        taxonomy_version=version,
    )


def _add(sessions: sessionmaker[Session], *items: Item) -> None:
    with sessions() as session:
        session.add_all(items)
        session.commit()


def test_stored_items_get_tags_and_taxonomy_version(
    sessions: sessionmaker[Session], tagger: Tagger
) -> None:
    _add(
        sessions,
        _item("a", "USITC institutes 337 investigation of solar modules"),
        _item("b", "美国对无锡企业的锂电池发起337调查", "zh"),
    )
    with sessions() as session:
        assert tag_stored_items(session, ["a", "b"], tagger) == 2
        session.commit()
    with sessions() as session:
        rows = {row.id: row for row in session.query(Item)}
    for row in rows.values():
        assert row.taxonomy_version == tagger.version
        assert row.tags is not None
        assert Tags.model_validate(row.tags).chain_ids()[0] == "A5"


def test_items_deleted_meanwhile_are_skipped(
    sessions: sessionmaker[Session], tagger: Tagger
) -> None:
    _add(sessions, _item("kept", "Solar modules"))
    with sessions() as session:
        assert tag_stored_items(session, ["gone", "kept", "kept"], tagger) == 1


def test_retag_all_only_touches_stale_items(
    sessions: sessionmaker[Session], tagger: Tagger
) -> None:
    _add(
        sessions,
        _item("old", "Solar modules", version="0.9"),
        _item("new", "Solar", version=tagger.version),
        _item("never", "锂电池", "zh"),
    )
    batches: list[list[str]] = []
    with sessions() as session:
        assert retag_all(session, tagger, batch_size=1, on_batch=batches.append) == 2
        assert stale_item_ids(session, tagger.version) == []
    assert sorted(i for batch in batches for i in batch) == ["never", "old"]
    with sessions() as session:
        assert session.get(Item, "new").tags is None  # type: ignore[union-attr]


def test_task_tags_then_queues_indexing_and_rule_evaluation(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tagger import tasks

    @contextmanager
    def scope() -> Iterator[Session]:
        with sessions() as session:
            yield session
            session.commit()

    sent: list[tuple[str, Any]] = []
    monkeypatch.setattr(tasks, "session_scope", scope)
    monkeypatch.setattr(tasks.app, "send_task", lambda name, args: sent.append((name, args)))
    _add(sessions, _item("a", "Solar modules"))
    assert tasks.tag_items(["a", "deleted"]) == 1
    assert sent == [
        ("search.index_items", [["a", "deleted"]]),
        ("warning.evaluate_items", [["a", "deleted"]]),
    ]
    with sessions() as session:
        assert session.get(Item, "a").taxonomy_version is not None  # type: ignore[union-attr]
    assert tasks.tag_items.name == "tagger.tag_items"
