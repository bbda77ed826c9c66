"""The flat document every backend indexes, built from an item row (or its dict form).

One function decides what is searchable and filterable, so the embedded index and
Elasticsearch/OpenSearch hold the same values. List fields are de-duplicated so that facet
counts count items, not mentions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError

from core.logging_ import get_logger
from core.types import ItemKind, Party, Tags
from search.query import fold_case_ref, fold_name
from tagger.places import resolve_location

MAX_BODY_CHARS = 100_000
MAX_KEYWORD_CHARS = 256
LEAD_CHARS = 300

Document = dict[str, Any]

log = get_logger(__name__)


def build_document(item: Any) -> Document:
    """The indexed document for an item.

    Args:
        item: A ``core.models.Item`` row, a ``core.types.ItemRecord``, or a mapping with the
            same fields (``source`` or ``source_id``; ``tags`` as a dict or ``Tags``).

    Returns:
        A JSON-ready dict: text fields, keyword filter fields, ``published_at`` as ISO 8601
        UTC and ``month`` as ``YYYY-MM``.

    Raises:
        ValueError: The item has no id or title, or an unknown kind.
    """
    get = _getter(item)
    item_id, title = get("id"), get("title")
    if not item_id or not title:
        raise ValueError("an item needs an id and a title")
    tags = _tags(get("tags"), str(item_id))
    parties = _parties([*(get("parties") or []), *tags.parties], str(item_id))
    published = _utc(get("published_at"))
    provinces, cities = _places(parties)
    case_refs = [*(get("case_refs") or []), *tags.case_refs]
    summary, body = str(get("summary") or ""), str(get("body") or "")[:MAX_BODY_CHARS]
    return {
        "id": str(item_id),
        "version": int(get("version") or 1),
        "title": str(title),
        "summary": summary,
        "body": body,
        "lead": (summary or body)[:LEAD_CHARS],
        "language": str(get("language") or "en"),
        "source": str(get("source") or get("source_id") or ""),
        "url": get("url"),
        "published_at": published.isoformat().replace("+00:00", "Z") if published else None,
        "month": published.strftime("%Y-%m") if published else None,
        "jurisdictions": _unique(
            j.upper() for j in [*(get("jurisdictions") or []), *tags.jurisdictions]
        ),
        "chains": _unique(tags.chain_ids()),
        "kind": ItemKind(tags.kind or get("kind") or ItemKind.NEWS).value,
        "ip_types": _unique(t.lower() for t in [*(get("ip_types") or []), *tags.ip_types]),
        "case_refs": _unique(case_refs),
        "case_refs_folded": _unique(fold_case_ref(ref) for ref in case_refs),
        "parties": _unique(p.name for p in parties),
        "party_names_folded": _unique(fold_name(p.name) for p in parties),
        "party_locations": _unique(p.location for p in parties if p.location),
        "chinese_party": any(p.chinese for p in parties),
        "provinces": sorted(provinces),
        "cities": sorted(cities),
    }


def _getter(item: Any) -> Any:
    if isinstance(item, Mapping):
        return item.get
    return lambda name: getattr(item, name, None)


def _tags(raw: Any, item_id: str) -> Tags:
    if raw is None:
        return Tags()
    if isinstance(raw, Tags):
        return raw
    try:
        return Tags.model_validate(raw)
    except ValidationError as exc:
        log.warning("search.document.bad_tags", item_id=item_id, errors=exc.error_count())
        return Tags()


def _parties(raw: list[Any], item_id: str) -> list[Party]:
    """Parties from the item and its tags, merged by name (any source may say Chinese)."""
    merged: dict[str, Party] = {}
    for entry in raw:
        party = _party(entry, item_id)
        if party is None or not party.name.strip():
            continue
        key = fold_name(party.name)
        known = merged.get(key)
        merged[key] = _merge_party(known, party) if known else party
    return list(merged.values())


def _party(entry: Any, item_id: str) -> Party | None:
    if isinstance(entry, Party):
        return entry
    try:
        return Party.model_validate(entry)
    except ValidationError:
        log.warning("search.document.bad_party", item_id=item_id)
        return None


def _merge_party(known: Party, other: Party) -> Party:
    return known.model_copy(
        update={
            "location": known.location or other.location,
            "role": known.role or other.role,
            "chinese": known.chinese or other.chinese,
        }
    )


def _places(parties: list[Party]) -> tuple[set[str], set[str]]:
    provinces: set[str] = set()
    cities: set[str] = set()
    for party in parties:
        found_provinces, found_cities = resolve_location(party.location)
        provinces |= found_provinces
        cities |= found_cities
    return provinces, cities


def _utc(value: Any) -> datetime | None:
    """A timezone-aware UTC datetime; naive values (SQLite drops the zone) are UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if not isinstance(value, datetime):
        raise ValueError(f"published_at is not a datetime: {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _unique(values: Any) -> list[str]:
    """Distinct non-empty strings in first-seen order, cut to a keyword's length."""
    seen: dict[str, None] = {}
    for value in values:
        text = str(value).strip()[:MAX_KEYWORD_CHARS] if value is not None else ""
        if text:
            seen.setdefault(text, None)
    return list(seen)
