"""The outbox consumer and full rebuilds, on every backend."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from search_testkit import ids, load_items, unreachable_url
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from core.db import make_engine
from core.models import Base, Item, OutboxEntry
from search.backend import SearchBackend, get_backend
from search.errors import SearchUnavailable
from search.outbox import drain_outbox, reindex_from_db
from search.query import SearchQuery


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    """A session on a fresh records database (not the search index)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'records.db'}")
    Base.metadata.create_all(engine)
    with sessionmaker(bind=engine, expire_on_commit=False)() as db:
        yield db
    engine.dispose()


def _item(data: dict[str, Any], version: int = 1) -> Item:
    published = data["published_at"]
    return Item(
        id=data["id"], source_id=data["source"], title=data["title"], summary=data["summary"],
        body=data["body"], language=data["language"], kind=data["kind"],
        published_at=datetime.fromisoformat(published.replace("Z", "+00:00")) if published else None,
        jurisdictions=data["jurisdictions"], ip_types=data["ip_types"],
        case_refs=data.get("case_refs", []), parties=[], tags=data["tags"],
        content_hash=f"hash-{version}", version=version,
    )  # fmt: skip


def _store(session: Session, items: list[dict[str, Any]]) -> None:
    """Write items and their outbox entries in one transaction, as the crawler does."""
    for data in items:
        session.add(_item(data))
        session.add(OutboxEntry(item_id=data["id"], version=1))
    session.commit()


def _pending(session: Session) -> int:
    query = select(func.count()).select_from(OutboxEntry).where(OutboxEntry.indexed_at.is_(None))
    return int(session.scalar(query) or 0)


def test_stored_items_become_searchable_after_a_drain(
    session: Session, fresh_backend: SearchBackend
) -> None:
    _store(session, load_items())
    assert drain_outbox(session, fresh_backend, batch=7) == 20
    assert _pending(session) == 0
    assert fresh_backend.count() == 20
    assert ids(fresh_backend.search(SearchQuery(q="专利", jurisdictions=["US"]))) == {
        "cnipr:337-battery", "cnipr:zhongshan-led",
    }  # fmt: skip


def test_drain_with_the_engine_down_marks_nothing_and_a_later_drain_catches_up(
    session: Session, fresh_backend: SearchBackend, backend_kind: str
) -> None:
    items = load_items()
    _store(session, items[:5])
    assert drain_outbox(session, fresh_backend) == 5
    _store(session, items[5:])
    down = get_backend(unreachable_url(backend_kind))
    with pytest.raises(SearchUnavailable):
        drain_outbox(session, down)
    session.rollback()
    assert _pending(session) == 15
    assert drain_outbox(session, fresh_backend) == 15
    assert _pending(session) == 0
    assert fresh_backend.count() == 20


def test_drain_twice_indexes_once(session: Session, fresh_backend: SearchBackend) -> None:
    _store(session, load_items()[:3])
    assert drain_outbox(session, fresh_backend) == 3
    assert drain_outbox(session, fresh_backend) == 0
    session.add(OutboxEntry(item_id=load_items()[0]["id"], version=1))
    session.commit()
    assert drain_outbox(session, fresh_backend) == 1
    assert fresh_backend.count() == 3


def test_new_version_replaces_the_old_one(session: Session, fresh_backend: SearchBackend) -> None:
    data = load_items()[0]
    _store(session, [data])
    drain_outbox(session, fresh_backend)
    item = session.get(Item, data["id"])
    assert item is not None
    item.title, item.version = "Investigation terminated after settlement", 2
    session.add(OutboxEntry(item_id=item.id, version=2))
    session.commit()
    drain_outbox(session, fresh_backend)
    assert ids(fresh_backend.search(SearchQuery(q="settlement"))) == {data["id"]}
    assert ids(fresh_backend.search(SearchQuery(q="containing"))) == set()


def test_older_version_never_overwrites_a_newer_one(fresh_backend: SearchBackend) -> None:
    from search.document import build_document

    data = load_items()[0]
    fresh_backend.index([build_document({**data, "title": "Newer title", "version": 3})])
    fresh_backend.index([build_document({**data, "title": "Older title", "version": 2})])
    assert ids(fresh_backend.search(SearchQuery(q="newer"))) == {data["id"]}
    assert ids(fresh_backend.search(SearchQuery(q="older"))) == set()


def test_deleted_item_leaves_the_index(session: Session, fresh_backend: SearchBackend) -> None:
    items = load_items()[:2]
    _store(session, items)
    drain_outbox(session, fresh_backend)
    item = session.get(Item, items[0]["id"])
    session.delete(item)
    session.add(OutboxEntry(item_id=items[0]["id"], version=2))
    session.commit()
    assert drain_outbox(session, fresh_backend) == 1
    assert fresh_backend.count() == 1


def test_reindex_from_db_rebuilds_everything_and_clears_the_outbox(
    session: Session, fresh_backend: SearchBackend
) -> None:
    items = load_items()
    _store(session, items)
    assert reindex_from_db(session, fresh_backend) == 20
    assert _pending(session) == 0
    assert fresh_backend.search(SearchQuery()).total == 20
