"""Storing crawled items as versions: a changed item gets a new version and an outbox entry.

Everything happens in the caller's session, so the items, their versions and the outbox
entries commit (or roll back) together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy.orm import Session

from core.models import Item, ItemVersion, OutboxEntry, Source, utcnow
from core.types import ItemRecord
from crawlers.config import SourceConfig

_ROW_FIELDS = (
    "url",
    "title",
    "summary",
    "body",
    "language",
    "published_at",
    "fetched_at",
    "jurisdictions",
    "kind",
    "ip_types",
    "case_refs",
    "parties",
    "raw_ref",
)


@dataclass
class StoreResult:
    """What ``store_items`` did.

    Attributes:
        new: Items seen for the first time.
        changed: Items whose content changed (a new version).
        unchanged: Items identical to their stored version (nothing written).
        written: ``(item_id, version)`` of every version written, in order.
    """

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    written: list[tuple[str, int]] = field(default_factory=list)

    @property
    def written_ids(self) -> list[str]:
        """The ids of new and changed items (what the tagger should see)."""
        return [item_id for item_id, _ in self.written]


def store_items(session: Session, source_id: str, items: list[ItemRecord]) -> StoreResult:
    """Store a source's items: new ones at version 1, changed ones at the next version.

    An item is changed when its content hash differs from the stored one. Each version
    written also gets an outbox entry, in the same transaction. An id repeated within
    ``items`` is stored once (the first occurrence wins). An item crawled without a date
    keeps the one stored (see ``_keeping_known_date``).
    """
    result = StoreResult()
    seen: set[str] = set()
    for record in items:
        if record.id in seen:
            continue
        seen.add(record.id)
        _store_one(session, source_id, record, result)
    session.flush()
    return result


def upsert_source(session: Session, config: SourceConfig) -> Source:
    """The source's row, created or updated from its configuration (health untouched)."""
    row = session.get(Source, config.id)
    if row is None:
        row = Source(id=config.id, healthy=None, items_count=0)
        session.add(row)
    row.title_en = config.title.en
    row.title_zh = config.title.zh
    row.jurisdictions = list(config.jurisdictions)
    row.language = config.language
    session.flush()  # runs refer to the source by foreign key; no ORM relationship orders them
    return row


def _store_one(session: Session, source_id: str, record: ItemRecord, result: StoreResult) -> None:
    row = session.get(Item, record.id)
    if row is not None:
        record = _keeping_known_date(record, row)
    content_hash = record.compute_content_hash()
    if row is not None and row.content_hash == content_hash:
        result.unchanged += 1
        return
    if row is None:
        row = Item(id=record.id, source_id=source_id, version=1, created_at=utcnow())
        session.add(row)
        result.new += 1
    else:
        row.version += 1
        row.tags = None  # the content changed: the old tags no longer describe it
        row.taxonomy_version = None
        result.changed += 1
    _copy_fields(row, record)
    row.content_hash = content_hash
    row.updated_at = utcnow()
    payload = record.model_copy(
        update={"source": source_id, "content_hash": content_hash, "version": row.version}
    ).model_dump(mode="json", exclude={"tags"})
    session.add(
        ItemVersion(item_id=row.id, version=row.version, content_hash=content_hash, payload=payload)
    )
    session.add(OutboxEntry(item_id=row.id, version=row.version))
    result.written.append((row.id, row.version))


def _keeping_known_date(record: ItemRecord, row: Item) -> ItemRecord:
    """The record, with the stored publication date when this crawl could not read one.

    A date left out of a crawl (unreadable, implausible, or missing from a changed page;
    the run records why) is not news that the item has none: storing that would drop the
    item from date ranges and to the end of every newest-first list.
    """
    if record.published_at is not None or row.published_at is None:
        return record
    known = row.published_at
    known = known.replace(tzinfo=UTC) if known.tzinfo is None else known.astimezone(UTC)
    return record.model_copy(update={"published_at": known})


def _copy_fields(row: Item, record: ItemRecord) -> None:
    values: dict[str, Any] = record.model_dump(mode="python", include=set(_ROW_FIELDS))
    values["kind"] = record.kind.value
    values["parties"] = [p.model_dump(mode="json") for p in record.parties]
    for name, value in values.items():
        setattr(row, name, value)
