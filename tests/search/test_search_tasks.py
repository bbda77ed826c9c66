"""The Celery task is a thin shell: it drains the outbox into the configured backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from search_testkit import load_items

from core.db import get_engine, session_scope
from core.models import Base, Item, OutboxEntry
from core.settings import get_settings
from search.backend import get_backend
from search.query import SearchQuery


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("IPRWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'records.db'}")
    monkeypatch.setenv("IPRWATCH_SEARCH_URL", f"sqlite:///{tmp_path / 'search.db'}")
    monkeypatch.setenv("IPRWATCH_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    get_engine.cache_clear()
    Base.metadata.create_all(get_engine())
    yield tmp_path
    get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_index_items_task_drains_the_outbox(configured: Path) -> None:
    from search.tasks import index_items

    data = load_items()[11]
    with session_scope() as session:
        session.add(Item(id=data["id"], source_id=data["source"], title=data["title"],
                         summary=data["summary"], body=data["body"], language="zh",
                         content_hash="h", tags=data["tags"]))  # fmt: skip
        session.add(OutboxEntry(item_id=data["id"], version=1))
    assert index_items.apply(args=[[data["id"]]]).get() == 1
    assert index_items.name == "search.index_items"
    hits = get_backend().search(SearchQuery(q="锂电")).hits
    assert [hit.id for hit in hits] == [data["id"]]
