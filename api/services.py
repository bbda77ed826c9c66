"""Use cases shared by the CLI, the HTTP API and the web UI."""

from __future__ import annotations

import json
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy import select

from core.db import session_scope
from core.models import Source
from core.records import utc_iso
from core.types import Alert, ItemRecord

if TYPE_CHECKING:
    from search._scan import Scan
    from search.query import SearchQuery

AS_OF_RANGE = (date(1990, 1, 1), date(2100, 12, 31))
"""The dates an as-of date may take (``--as-of``, the API's ``as_of``): IP news before 1990
is not collected, and the date arithmetic of windows and deadlines overflows near the ends of
``date``. Report periods take the same years (``reports.periods.YEARS``), and both lie within
the days search accepts (``search.query.EARLIEST_DAY`` to ``LATEST_DAY``)."""


def check_as_of(day: date, name: str = "--as-of") -> date:
    """``day`` if it is within ``AS_OF_RANGE``.

    Raises:
        ValueError: outside the range; the message names ``name`` and the range.
    """
    first, last = AS_OF_RANGE
    if not first <= day <= last:
        raise ValueError(f"{name}: {day} is out of range; give a date from {first} to {last}")
    return day


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
                "last_success": utc_iso(row.last_success_at) if row else None,
                "last_run": utc_iso(row.last_run_at) if row else None,
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

    results = get_backend().search(_search_query(params))
    return results.model_dump(mode="json")


def scan_search(cap: int, **params: Any) -> tuple[int, Generator[dict[str, Any], None, None]]:
    """How many items match the query ``run_search`` would run, and up to ``cap`` of them in
    its order, all read from one view of the index (``SearchBackend.scan``): items indexed
    meanwhile neither repeat nor skip a hit, nor change the count. The view is opened and
    counted by the call (its errors, and a bad query's, are raised here). Closing the hits
    before their end lets go of the view at once (``Scan.close``)."""
    from search.backend import get_backend

    scan = get_backend().scan(_search_query(params), cap)
    return scan.total, _dumped(scan)


def _dumped(scan: Scan) -> Generator[dict[str, Any], None, None]:
    """The scan's hits as JSON-ready dicts; closing this closes the scan (and its view)."""
    try:
        for hit in scan.hits:
            yield hit.model_dump(mode="json")
    finally:
        scan.close()


def _search_query(params: dict[str, Any]) -> SearchQuery:
    """The query model of ``run_search``'s parameters."""
    from search.query import SearchQuery

    given = {k: v for k, v in params.items() if v not in (None, "", [], ())}
    if "jurisdictions" in given:
        given["jurisdictions"] = [code.upper() for code in given["jurisdictions"]]
    return SearchQuery(**given)


class ItemsFileError(ValueError):
    """An items file that cannot be read at all (missing, a folder, unreadable)."""


@dataclass
class ItemsFile:
    """The usable items of a JSON-lines file, and what was left out and why.

    ``problems`` holds one message per bad line (file, line, field and reason); the good lines
    are in ``items`` all the same.
    """

    items: list[ItemRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class WarnRun:
    """The outcome of ``warn_files``: the alerts, and the item lines that were skipped."""

    alerts: list[Alert]
    problems: list[str]
    duplicates: int
    after_as_of: int


def parse_as_of(text: str | None) -> date | None:
    """An ``--as-of`` value as a date, ``None`` when not given.

    Raises:
        ValueError: not an ISO date, or outside ``AS_OF_RANGE`` (the date arithmetic of
            windows and deadlines overflows near year 1 and 9999).
    """
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--as-of: not an ISO date (YYYY-MM-DD): {text!r}") from None
    return check_as_of(day)


def read_items(path: Path) -> ItemsFile:
    """Items from a JSON-lines file (UTF-8, a BOM allowed); each bad line becomes a problem.

    Raises:
        ItemsFileError: the file cannot be opened.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ItemsFileError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ItemsFileError(f"{path}: is a folder, not an items file") from None
    except OSError as exc:
        raise ItemsFileError(f"{path}: cannot read: {exc.strerror}") from None
    out = ItemsFile()
    for number, line in enumerate(raw.split(b"\n"), 1):
        try:
            item = _parse_item_line(line, number)
        except ValueError as exc:
            out.problems.append(f"{path} line {number}: {exc}")
            continue
        if item is not None:
            out.items.append(item)
    return out


def _parse_item_line(line: bytes, number: int) -> ItemRecord | None:
    """One line as an item, ``None`` for a blank line; ``ValueError`` says what is wrong."""
    try:
        text = line.decode("utf-8-sig" if number == 1 else "utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"not UTF-8 text (byte 0x{line[exc.start]:02x} at column {exc.start + 1})"
        ) from None
    if not text.strip():
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError(f"not a JSON object but {type(data).__name__}")
    try:
        item = ItemRecord.model_validate(data)
    except ValidationError as exc:
        raise ValueError("; ".join(_field_error(e) for e in exc.errors())) from None
    _check_published(item)
    return item


def _check_published(item: ItemRecord) -> None:
    """Refuse a publication day search cannot hold (``search.query``'s days): deadlines and
    windows counted from one near the end of ``date`` overflow."""
    from search.query import EARLIEST_DAY, LATEST_DAY

    day = item.published_at.date() if item.published_at else None
    if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
        raise ValueError(
            f"published_at: {day} is out of range; give a date from {EARLIEST_DAY} to {LATEST_DAY}"
        )


def _field_error(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"])
    message = f"{where}: {error['msg']}" if where else error["msg"]
    given = error.get("input")
    if isinstance(given, str | int | float) and len(str(given)) <= 40:
        message += f" (got {given!r})"
    return message


def warn_files(profiles_path: Path, items_path: Path, as_of: date | None) -> WarnRun:
    """Evaluate items from a file against profiles from a file; nothing is stored.

    Each (id, version) is evaluated once, so a repeated line raises no second alert; with
    ``as_of``, items published after it are left out (they did not exist yet). Bad lines are
    reported in ``problems`` and the good ones evaluated all the same.

    Raises:
        warning.profiles.ProfileError: the profiles file is not valid.
        ItemsFileError: the items file cannot be opened.
    """
    from tagger.pipeline import get_tagger
    from tagger.reconcile import reconcile_tags
    from warning.engine import evaluate_items
    from warning.profiles import load_profiles

    profiles = load_profiles(profiles_path)
    read = read_items(items_path)
    items, duplicates = _first_of_each_version(read.items)
    current = [item for item in items if not _published_after(item, as_of)]
    untagged = [item for item in current if item.tags is None]
    if untagged:
        tags = get_tagger().tag_many([i.text() for i in untagged], [i.language for i in untagged])
        for item, item_tags in zip(untagged, tags, strict=True):
            item.tags = reconcile_tags(item_tags, item.text(), item.kind, item.jurisdictions)
    alerts = evaluate_items(current, profiles, as_of)
    return WarnRun(alerts, read.problems, duplicates, len(items) - len(current))


def _first_of_each_version(items: list[ItemRecord]) -> tuple[list[ItemRecord], int]:
    """The items with each (id, version) kept once (the first), and how many were dropped."""
    seen: set[tuple[str, int]] = set()
    unique = []
    for item in items:
        key = (item.id, item.version)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique, len(items) - len(unique)


def _published_after(item: ItemRecord, as_of: date | None) -> bool:
    return as_of is not None and item.published_at is not None and item.published_at.date() > as_of


def warn_stored(as_of: date | None) -> WarnRun:
    """Evaluate stored items against stored profiles, store the new alerts and return them;
    with ``as_of``, as ``warn_files`` does, items published after it are left out (and
    counted), and deadlines that have no date of their own count from it."""
    from warning.store import count_published_after, evaluate_stored_items

    with session_scope() as session:
        rows = evaluate_stored_items(session, None, as_of)
        alerts = [Alert.model_validate(row, from_attributes=True) for row in rows]
        after = count_published_after(session, as_of) if as_of is not None else 0
    return WarnRun(alerts, [], 0, after)


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
