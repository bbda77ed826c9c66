"""Tagging stored items: the plain functions behind the Celery task and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from core.logging_ import get_logger
from core.models import Item
from core.types import Tags
from tagger._pool import POOL_MIN_TEXTS, TaggerPool, default_processes, pool_allowed
from tagger.pipeline import Tagger, get_tagger
from tagger.reconcile import reconcile_tags

__all__ = ["final_tags", "item_text", "retag_all", "stale_item_ids", "tag_stored_items"]

log = get_logger(__name__)

_ID_CHUNK = 500
"""Ids per query (SQLite allows 999 bound parameters by default on old builds)."""

_POOL_BATCH = 4000
"""Ids per re-tag batch when worker processes tag (each worker gets several chunks)."""


def item_text(row: Item) -> str:
    """Title, summary and body as one text, as ``ItemRecord.text()`` joins them."""
    return "\n".join(part for part in (row.title, row.summary, row.body) if part)


def final_tags(row: Item, tags: Tags, text: str) -> Tags:
    """The pipeline's tags of a stored item reconciled with the item's own kind and
    jurisdictions (``tagger.reconcile``)."""
    codes = [c for c in (row.jurisdictions or []) if isinstance(c, str)]
    return reconcile_tags(tags, text, row.kind, codes)


def tag_stored_items(
    session: Session,
    ids: Sequence[str],
    tagger: Tagger | None = None,
    pool: TaggerPool | None = None,
) -> int:
    """Tag the items with these ids and store ``tags`` and ``taxonomy_version`` on them.

    Ids of items deleted meanwhile are skipped, not errors. Flushes but does not commit.
    With a ``pool`` (of default taggers), its worker processes tag them.

    Returns:
        How many items were tagged.
    """
    unique = list(dict.fromkeys(ids))
    if pool is not None:
        tagged = _tag_in_pool(session, unique, pool)
    else:
        tagged = _tag_here(session, unique, tagger or get_tagger())
    if tagged < len(unique):
        log.info("items gone before tagging", requested=len(unique), tagged=tagged)
    session.flush()
    return tagged


def _rows(session: Session, ids: list[str]) -> list[Item]:
    rows: list[Item] = []
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = ids[start : start + _ID_CHUNK]
        rows += session.scalars(select(Item).where(Item.id.in_(chunk)))
    return rows


def _tag_in_pool(session: Session, ids: list[str], pool: TaggerPool) -> int:
    rows = _rows(session, ids)
    texts = [item_text(r) for r in rows]
    dicts = pool.iter_tags(texts, [r.language for r in rows])
    for row, text, tags in zip(rows, texts, dicts, strict=True):
        final = final_tags(row, Tags.model_validate(tags), text)
        row.tags = final.model_dump(mode="json")
        row.taxonomy_version = final.taxonomy_version
    return len(rows)


def _tag_here(session: Session, ids: list[str], tagger: Tagger) -> int:
    tagged = 0
    for start in range(0, len(ids), _ID_CHUNK):
        chunk = ids[start : start + _ID_CHUNK]
        rows = list(session.scalars(select(Item).where(Item.id.in_(chunk))))
        texts = [item_text(r) for r in rows]
        for row, text, tags in zip(
            rows, texts, tagger.tag_many(texts, [r.language for r in rows]), strict=True
        ):
            final = final_tags(row, tags, text)
            row.tags = final.model_dump(mode="json")
            row.taxonomy_version = final.taxonomy_version
        tagged += len(rows)
    return tagged


def stale_item_ids(session: Session, version: str, batch_size: int = _ID_CHUNK) -> list[str]:
    """Up to ``batch_size`` ids of items never tagged or tagged with another taxonomy version."""
    query = (
        select(Item.id)
        .where(or_(Item.taxonomy_version.is_(None), Item.taxonomy_version != version))
        .order_by(Item.id)
        .limit(batch_size)
    )
    return list(session.scalars(query))


def _stale_count(session: Session, version: str) -> int:
    query = select(func.count(Item.id)).where(
        or_(Item.taxonomy_version.is_(None), Item.taxonomy_version != version)
    )
    return int(session.scalar(query) or 0)


def _retag_pool(
    session: Session, tagger: Tagger | None, processes: int | None
) -> TaggerPool | None:
    """A pool of worker processes when there are enough stale items to pay for it."""
    processes = default_processes() if processes is None else processes
    if processes <= 1 or not pool_allowed(tagger):
        return None
    version = (tagger or get_tagger()).version
    if _stale_count(session, version) < POOL_MIN_TEXTS:
        return None
    try:
        return TaggerPool(processes)
    except (OSError, ValueError, AssertionError) as error:  # e.g. inside a daemonic process
        log.warning("tagger pool not started; tagging in-process", error=repr(error))
        return None


def retag_all(
    session: Session,
    tagger: Tagger | None = None,
    batch_size: int = _ID_CHUNK,
    on_batch: Callable[[list[str]], None] | None = None,
    processes: int | None = None,
) -> int:
    """Re-tag every item not tagged with the current taxonomy version.

    Commits after each batch, so a long re-tag keeps its progress; ``on_batch`` receives each
    batch's ids after the commit (to queue indexing and rule evaluation). With at least
    ``POOL_MIN_TEXTS`` stale items and the default tagger, ``processes`` worker processes
    (default: ``default_processes()``) tag them, in batches of at least ``_POOL_BATCH``.

    Returns:
        How many items were re-tagged.
    """
    pool = _retag_pool(session, tagger, processes)
    tagger = tagger or get_tagger()
    if pool is not None:
        batch_size = max(batch_size, _POOL_BATCH)
    total = 0
    try:
        while ids := stale_item_ids(session, tagger.version, batch_size):
            tagged = tag_stored_items(session, ids, tagger, pool)
            session.commit()
            total += tagged
            if on_batch is not None:
                on_batch(ids)
    finally:
        if pool is not None:
            pool.close()
    log.info("re-tag finished", items=total, taxonomy_version=tagger.version)
    return total
