"""Conversions between ORM rows and domain types."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.models import AlertRow, Item
from core.types import ItemRecord, Tags


def utc_iso(moment: datetime | None) -> str | None:
    """A stored time in ISO 8601 with its offset: SQLite hands times back naive, and a
    reader would take those for local time (eight hours off in China); all are UTC."""
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).isoformat()


def item_to_record(row: Item) -> ItemRecord:
    """The domain item for a stored row, with its tags when it has been tagged."""
    return ItemRecord(
        id=row.id,
        source=row.source_id,
        url=row.url,
        title=row.title,
        summary=row.summary,
        body=row.body,
        language=row.language,
        published_at=row.published_at,
        fetched_at=row.fetched_at,
        jurisdictions=row.jurisdictions or [],
        kind=row.kind,
        ip_types=row.ip_types or [],
        case_refs=row.case_refs or [],
        parties=row.parties or [],
        raw_ref=row.raw_ref,
        content_hash=row.content_hash,
        version=row.version,
        tags=Tags.model_validate(row.tags) if row.tags else None,
    )


def alert_to_dict(row: AlertRow) -> dict[str, Any]:
    """A stored alert as plain JSON-ready data."""
    return {
        "id": row.id,
        "enterprise_id": row.enterprise_id,
        "item_id": row.item_id,
        "item_version": row.item_version,
        "rule_id": row.rule_id,
        "severity": row.severity,
        "risk_code": row.risk_code,
        "score": row.score,
        "deadline": row.deadline.isoformat() if row.deadline else None,
        "title": row.title,
        "explanation": row.explanation,
        "action": row.action,
        "status": row.status,
        "created_at": utc_iso(row.created_at),
    }
