"""Tagging stored items: the plain functions behind the Celery task and the CLI."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from core.logging_ import get_logger
from core.models import Item
from tagger.pipeline import Tagger, get_tagger

__all__ = ["item_text", "retag_all", "stale_item_ids", "tag_stored_items"]

log = get_logger(__name__)

_ID_CHUNK = 500
"""Ids per query (SQLite allows 999 bound parameters by default on old builds)."""


def item_text(row: Item) -> str:
    """Title, summary and body as one text, as ``ItemRecord.text()`` joins them."""
    return "\n".join(part for part in (row.title, row.summary, row.body) if part)


def tag_stored_items(session: Session, ids: Sequence[str], tagger: Tagger | None = None) -> int:
    """Tag the items with these ids and store ``tags`` and ``taxonomy_version`` on them.

    Ids of items deleted meanwhile are skipped, not errors. Flushes but does not commit.

    Returns:
        How many items were tagged.
    """
    tagger = tagger or get_tagger()
    unique = list(dict.fromkeys(ids))
    tagged = 0
    for start in range(0, len(unique), _ID_CHUNK):
        chunk = unique[start : start + _ID_CHUNK]
        rows = list(session.scalars(select(Item).where(Item.id.in_(chunk))))
        for row, tags in zip(
            rows,
            tagger.tag_many([item_text(r) for r in rows], [r.language for r in rows]),
            strict=True,
        ):
            row.tags = tags.model_dump(mode="json")
            row.taxonomy_version = tags.taxonomy_version
        tagged += len(rows)
    if tagged < len(unique):
        log.info("items gone before tagging", requested=len(unique), tagged=tagged)
    session.flush()
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


def retag_all(
    session: Session,
    tagger: Tagger | None = None,
    batch_size: int = _ID_CHUNK,
    on_batch: Callable[[list[str]], None] | None = None,
) -> int:
    """Re-tag every item not tagged with the current taxonomy version.

    Commits after each batch, so a long re-tag keeps its progress; ``on_batch`` receives each
    batch's ids after the commit (to queue indexing and rule evaluation).

    Returns:
        How many items were re-tagged.
    """
    tagger = tagger or get_tagger()
    total = 0
    while ids := stale_item_ids(session, tagger.version, batch_size):
        tagged = tag_stored_items(session, ids, tagger)
        session.commit()
        total += tagged
        if on_batch is not None:
            on_batch(ids)
    log.info("re-tag finished", items=total, taxonomy_version=tagger.version)
    return total
