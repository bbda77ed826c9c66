"""Use cases shared by the CLI, the HTTP API and the web UI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select

from core.db import session_scope
from core.models import Source
from core.types import Alert, ItemRecord


def source_statuses() -> list[dict[str, Any]]:
    """Every known source (from its YAML) with its health (from its runs)."""
    from crawlers.registry import load_sources

    configs = load_sources()
    with session_scope() as session:
        rows = {row.id: row for row in session.scalars(select(Source))}
    out = []
    for source_id, config in sorted(configs.items()):
        row = rows.get(source_id)
        out.append(
            {
                "id": source_id,
                "title": config.title.en,
                "title_zh": config.title.zh,
                "jurisdictions": list(config.jurisdictions),
                "language": config.language,
                "last_success": row.last_success_at.isoformat()
                if row and row.last_success_at
                else None,
                "last_run": row.last_run_at.isoformat() if row and row.last_run_at else None,
                "items": row.items_count if row else 0,
                "healthy": row.healthy if row else None,
                "reason": row.health_reason if row else None,
            }
        )
    return out


def run_search(**params: Any) -> dict[str, Any]:
    """Search items with the fields of ``search.SearchQuery``; ``None`` and empty values are
    left out. Raises ``search.BadQuery`` (a ``ValueError``) with the reason for a bad query."""
    from search.backend import get_backend
    from search.query import SearchQuery

    given = {k: v for k, v in params.items() if v not in (None, "", [], ())}
    if "jurisdictions" in given:
        given["jurisdictions"] = [code.upper() for code in given["jurisdictions"]]
    results = get_backend().search(SearchQuery(**given))
    return results.model_dump(mode="json")


def _read_items(path: Path) -> list[ItemRecord]:
    items = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                items.append(ItemRecord.model_validate(json.loads(line)))
            except (json.JSONDecodeError, ValueError) as exc:
                reason = str(exc).splitlines()[0]
                raise ValueError(f"{path}: line {number}: {reason}") from exc
    return items


def warn_files(profiles_path: Path, items_path: Path, as_of: date | None) -> list[Alert]:
    """Evaluate items from a file against profiles from a file; nothing is stored."""
    from tagger.pipeline import get_tagger
    from tagger.reconcile import reconcile_tags
    from warning.engine import evaluate_items
    from warning.profiles import load_profiles

    profiles = load_profiles(profiles_path)
    items = _read_items(items_path)
    untagged = [item for item in items if item.tags is None]
    if untagged:
        tags = get_tagger().tag_many([i.text() for i in untagged], [i.language for i in untagged])
        for item, item_tags in zip(untagged, tags, strict=True):
            item.tags = reconcile_tags(item_tags, item.text(), item.kind, item.jurisdictions)
    return evaluate_items(items, profiles, as_of)


def warn_stored(as_of: date | None) -> list[Alert]:
    """Evaluate stored items against stored profiles, store and return the new alerts."""
    from warning.store import evaluate_stored_items

    with session_scope() as session:
        rows = evaluate_stored_items(session, None, as_of)
        return [Alert.model_validate(row, from_attributes=True) for row in rows]


def alert_line(alert: Alert, lang: str = "en") -> dict[str, Any]:
    """An alert as one line of ``iprwatch warn`` output."""
    explanation = alert.explanation
    return {
        "enterprise_id": alert.enterprise_id,
        "item_id": alert.item_id,
        "rule_id": alert.rule_id,
        "severity": alert.severity.value,
        "risk_code": alert.risk_code,
        "deadline": alert.deadline.isoformat() if alert.deadline else None,
        "explanation": explanation.get(lang, ""),
        "title": alert.title.get(lang, ""),
        "action": alert.action.get(lang, ""),
        "score": alert.score,
        "item_version": alert.item_version,
        "matched": explanation.get("matched", {}),
    }
