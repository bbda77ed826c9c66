"""The outbox consumer: bring the search index up to date with the records database.

Each new item version writes an ``OutboxEntry`` in the same transaction. ``drain_outbox``
indexes the current state of those items and marks the entries; it is idempotent, so running
it again after a crash or an engine outage catches up. Items deleted meanwhile are removed
from the index.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from core.logging_ import get_logger
from core.models import Item, OutboxEntry, utcnow
from search.backend import SearchBackend
from search.document import Document, build_document
from search.errors import IndexingFailed

log = get_logger(__name__)

DEFAULT_BATCH = 500


def drain_outbox(session: Session, backend: SearchBackend, batch: int = DEFAULT_BATCH) -> int:
    """Index every pending outbox entry, oldest first, committing after each batch.

    Args:
        session: A session on the records database (this function commits it).
        backend: Where to index.
        batch: Entries per round trip to the engine.

    Returns:
        How many entries were marked indexed.

    A backend that ``needs_rebuild()`` (a new embedded index, or one with an older schema) is
    rebuilt from the whole items table instead, which marks every pending entry.

    Raises:
        SearchUnavailable: The engine is down; the current batch stays pending (earlier
            batches of this call stay marked).
    """
    if _needs_rebuild(backend):
        pending = _pending_count(session)
        log.info("search.outbox.rebuilding", backend=backend.name, pending=pending)
        reindex_from_db(session, backend, batch)
        return pending
    marked, after_id = 0, 0
    while True:
        entries = session.scalars(
            select(OutboxEntry)
            .where(OutboxEntry.indexed_at.is_(None), OutboxEntry.id > after_id)
            .order_by(OutboxEntry.id)
            .limit(batch)
        ).all()
        if not entries:
            return marked
        after_id = entries[-1].id
        failed = _index_items(session, backend, sorted({e.item_id for e in entries}))
        done = [e.id for e in entries if e.item_id not in failed]
        _mark_indexed(session, done)
        session.commit()
        marked += len(done)


def _needs_rebuild(backend: SearchBackend) -> bool:
    """Whether the index is new (e.g. the tantivy directory was created or moved): the
    outbox only holds what changed since the last index, so it is rebuilt from the database."""
    check = getattr(backend, "needs_rebuild", None)
    return bool(check()) if callable(check) else False


def _pending_count(session: Session) -> int:
    query = select(func.count()).select_from(OutboxEntry).where(OutboxEntry.indexed_at.is_(None))
    return int(session.scalar(query) or 0)


def _index_items(session: Session, backend: SearchBackend, item_ids: list[str]) -> set[str]:
    """Index the items' current state, delete the vanished; the ids the engine rejected."""
    items = session.scalars(select(Item).where(Item.id.in_(item_ids))).all()
    docs, failed = _documents(items)
    try:
        backend.index(docs)
    except IndexingFailed as exc:
        failed |= set(exc.failed_ids)
    vanished = sorted(set(item_ids) - {item.id for item in items})
    if vanished:
        try:
            backend.delete(vanished)
        except IndexingFailed as exc:
            failed |= set(exc.failed_ids)
    if failed:
        log.warning("search.outbox.not_indexed", count=len(failed), ids=sorted(failed)[:20])
    return failed


def _documents(items: Sequence[Item]) -> tuple[list[Document], set[str]]:
    docs: list[Document] = []
    failed: set[str] = set()
    for item in items:
        try:
            docs.append(build_document(item))
        except ValueError as exc:
            log.warning("search.outbox.bad_item", item_id=item.id, error=str(exc))
            failed.add(item.id)
    return docs, failed


def _mark_indexed(session: Session, entry_ids: list[int]) -> None:
    if entry_ids:
        session.execute(
            update(OutboxEntry).where(OutboxEntry.id.in_(entry_ids)).values(indexed_at=utcnow())
        )


def reindex_from_db(session: Session, backend: SearchBackend, batch: int = DEFAULT_BATCH) -> int:
    """Rebuild the whole index from the items table, then catch up.

    Entries already in the outbox when the rebuild starts are covered by it and marked.
    Items written during the rebuild may have gone to the old index; they are indexed again
    into the new one, and the outbox is drained.

    Returns:
        The number of documents in the rebuilt index.
    """
    start_id = session.scalar(select(func.max(OutboxEntry.id))) or 0
    count = backend.reindex(_all_documents(session, batch))
    session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.indexed_at.is_(None), OutboxEntry.id <= start_id)
        .values(indexed_at=utcnow())
    )
    session.commit()
    since = session.scalars(
        select(OutboxEntry.item_id).where(OutboxEntry.id > start_id).distinct()
    ).all()
    if since:
        _index_items(session, backend, sorted(since))
    drain_outbox(session, backend, batch)
    return count


def _all_documents(session: Session, batch: int) -> Iterator[Document]:
    rows = session.scalars(select(Item).order_by(Item.id).execution_options(yield_per=batch))
    for item in rows:
        try:
            yield build_document(item)
        except ValueError as exc:
            log.warning("search.reindex.bad_item", item_id=item.id, error=str(exc))


def catch_up_index() -> int:
    """Bring the configured index up to date at startup (a new embedded index is rebuilt
    from the database; otherwise the pending outbox is drained). Never raises for an engine
    that is down: the ``index`` task retries later.

    Returns:
        How many outbox entries were indexed.
    """
    from core.db import session_scope
    from search.backend import get_backend
    from search.errors import SearchUnavailable

    try:
        with session_scope() as session:
            return drain_outbox(session, get_backend())
    except SearchUnavailable:
        log.warning("search.outbox.catch_up_failed")
        return 0
