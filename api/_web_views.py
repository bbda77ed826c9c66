"""What the web pages show, computed from the records for one signed-in user.

Plain functions over a database session and a ``Principal``; the routers in ``api.web`` and
``api.web_ui`` only render them. Every query goes through ``restrict_to_visible`` (or the
alliance's de-identified aggregates), so a page cannot show another tenant's rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session

from api._deadlines import OPEN_STATUSES, deadline_state, lapsed_at_publication
from api.auth import Principal, Role, restrict_to_visible
from api.stats import DISPUTE_KINDS, json_array_values, tagged_with_chains, utc_month
from core.models import AlertNote, AlertRow, Enterprise, HealthCheckRow, Item
from core.records import alert_to_dict
from core.types import ItemRecord

SEVERITIES = ("critical", "high", "medium", "low", "info")
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
MAX_LISTED_ALERTS = 500
SPAN_CONTEXT = 80
CHART_MONTHS = 24


def home_for(principal: Principal) -> str:
    """Where each role starts: alliances on their chain dashboard, advisors on the
    enterprises they serve, everyone else on the alerts dashboard."""
    if principal.role is Role.ALLIANCE:
        return "/chain"
    if principal.role is Role.ADVISOR:
        return "/enterprises"
    return "/alerts"


def display_name(row: Enterprise, lang: str) -> str:
    """An enterprise's name in ``lang``, else the other language, else its id."""
    first, second = (row.name_zh, row.name_en) if lang == "zh" else (row.name_en, row.name_zh)
    return first or second or row.id


def visible_enterprises(session: Session, principal: Principal) -> list[Enterprise]:
    """The enterprises the user may see row by row, by id (none for an alliance)."""
    query = restrict_to_visible(select(Enterprise), Enterprise.id, principal)
    return list(session.scalars(query.order_by(Enterprise.id)))


def enterprise_names(session: Session, principal: Principal, lang: str) -> dict[str, str]:
    """Id to display name of the enterprises the user may see."""
    return {e.id: display_name(e, lang) for e in visible_enterprises(session, principal)}


def _latest_notes(session: Session, alert_ids: Sequence[int]) -> dict[int, AlertNote]:
    latest: dict[int, AlertNote] = {}
    if not alert_ids:
        return latest
    query = select(AlertNote).where(AlertNote.alert_id.in_(alert_ids)).order_by(AlertNote.id)
    for note in session.scalars(query):
        latest[note.alert_id] = note
    return latest


def _alert_query(principal: Principal, status: str, enterprise: str | None) -> Any:
    query = restrict_to_visible(select(AlertRow), AlertRow.enterprise_id, principal)
    if status == "open":
        query = query.where(AlertRow.status.in_(OPEN_STATUSES))
    elif status != "all":
        query = query.where(AlertRow.status == status)
    if enterprise:
        query = query.where(AlertRow.enterprise_id == enterprise)
    return query.order_by(AlertRow.id.desc()).limit(MAX_LISTED_ALERTS)


def _urgency(row: AlertRow, published: datetime | None) -> tuple[bool, bool, date, int, int]:
    return (
        row.deadline is None,
        lapsed_at_publication(row.deadline, published),
        row.deadline or date.max,
        SEVERITY_RANK.get(row.severity, 9),
        -row.id,
    )


def alert_rows(
    session: Session,
    principal: Principal,
    lang: str,
    status: str,
    enterprise: str | None,
    today: date,
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The alerts for the dashboard, nearest deadline first, with counts of open ones.

    Each alert carries its enterprise's name, its item's title, whether it is overdue, the
    days left, and the latest follow-up (status change or note). A deadline that had passed
    before its item was published is ``lapsed``, not overdue, and sorts after the running
    ones. The counts are of open alerts per severity, plus ``overdue``.
    """
    found = list(session.scalars(_alert_query(principal, status, enterprise)))
    names = enterprise_names(session, principal, lang)
    item_ids = {r.item_id for r in found}
    query = select(Item.id, Item.title, Item.published_at).where(Item.id.in_(item_ids))
    items = {i: (title, published) for i, title, published in session.execute(query).all()}
    rows = sorted(found, key=lambda r: _urgency(r, items.get(r.item_id, ("", None))[1]))
    notes = _latest_notes(session, [r.id for r in rows])
    alerts = []
    for row in rows:
        title, published = items.get(row.item_id, ("", None))
        days = (row.deadline - today).days if row.deadline else None
        state = deadline_state(row.deadline, published, row.status, today)
        alerts.append(
            alert_to_dict(row)
            | {
                "enterprise": names.get(row.enterprise_id, row.enterprise_id),
                "item_title": title,
                "overdue": state == "overdue",
                "lapsed": state == "lapsed_at_publication",
                "published": published.date().isoformat() if published else None,
                "days_left": days,
                "last_note": notes.get(row.id),
            }
        )
    return alerts, open_counts(session, principal, enterprise, today)


def open_counts(
    session: Session, principal: Principal, enterprise: str | None, today: date
) -> dict[str, int]:
    """Open alerts per severity, and how many are past their deadline (not counting those
    whose deadline had passed before their item was published: ``lapsed_at_publication``)."""
    base = _alert_query(principal, "open", enterprise).limit(None).order_by(None)
    sub = base.subquery()
    counts = {s: 0 for s in SEVERITIES}
    query = select(sub.c.severity, func.count()).group_by(sub.c.severity)
    for severity, n in session.execute(query).tuples():
        counts[str(severity)] = cast(int, n)
    published_day = func.date(Item.published_at)
    late = (
        select(func.count())
        .select_from(sub.join(Item, Item.id == sub.c.item_id))
        .where(
            sub.c.deadline < today,
            or_(Item.published_at.is_(None), sub.c.deadline >= published_day),
        )
    )
    overdue = session.scalar(late)
    counts["overdue"] = int(overdue or 0)
    return counts


def follow_up(notes: Iterable[AlertNote]) -> AlertNote | None:
    """The latest status change of an alert (who acknowledged, dismissed or resolved it)."""
    changes = [n for n in notes if n.action != "note"]
    return changes[-1] if changes else None


def evidence_spans(row: AlertRow, item: ItemRecord | None) -> list[dict[str, str]]:
    """Each profile term found in the item, with the words around it, for the alert page.

    ``before``, ``text`` and ``after`` are plain text (the template escapes them and marks
    ``text``); a span whose offsets no longer fit the item's text shows the term alone.
    """
    terms = (row.explanation or {}).get("matched", {}).get("terms", [])
    spans = []
    for term in terms:
        source = str(getattr(item, str(term.get("field")), "") or "") if item else ""
        start, end = int(term.get("start", 0)), int(term.get("end", 0))
        found = source[start:end] if 0 <= start < end <= len(source) else ""
        before = source[max(0, start - SPAN_CONTEXT) : start] if found else ""
        after = source[end : end + SPAN_CONTEXT] if found else ""
        spans.append(
            {
                "kind": str(term.get("kind", "")),
                "term": str(term.get("term", "")),
                "field": str(term.get("field", "")),
                "before": ("…" if start > SPAN_CONTEXT else "") + before,
                "text": found or str(term.get("text", "")),
                "after": after + ("…" if found and end + SPAN_CONTEXT < len(source) else ""),
            }
        )
    return spans


def latest_health_checks(
    session: Session, enterprise_ids: Sequence[str]
) -> dict[str, HealthCheckRow]:
    """The newest stored health check of each enterprise."""
    latest: dict[str, HealthCheckRow] = {}
    if not enterprise_ids:
        return latest
    query = (
        select(HealthCheckRow)
        .where(HealthCheckRow.enterprise_id.in_(enterprise_ids))
        .order_by(HealthCheckRow.as_of, HealthCheckRow.id)
    )
    for row in session.scalars(query):
        latest[row.enterprise_id] = row
    return latest


def _month_range(months: Iterable[str]) -> list[str]:
    present = sorted(set(months))
    if not present:
        return []
    year, month = (int(x) for x in present[-1].split("-"))
    labels = []
    for _ in range(CHART_MONTHS):
        labels.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    labels.reverse()
    return labels[labels.index(present[0]) :] if present[0] in labels else labels


def chain_disputes(session: Session, chains: Sequence[str]) -> dict[str, Any]:
    """Disputes (public items) tagged with any of ``chains``: per month and per country
    (the ten with most, ties by code), counted by the database.

    Months run up to the newest dispute (at most ``CHART_MONTHS``), so the chart shows the
    data there is rather than an empty year.
    """
    disputes = (
        select(Item.id, Item.published_at, Item.jurisdictions)
        .where(Item.kind.in_(DISPUTE_KINDS), Item.id.in_(tagged_with_chains(session, chains)))
        .subquery()
    )
    month = utc_month(session, disputes.c.published_at)
    per_month = {
        str(m): int(n)
        for m, n in session.execute(
            select(month, func.count()).where(disputes.c.published_at.is_not(None)).group_by(month)
        ).tuples()
    }
    country = json_array_values(session, disputes.c.jurisdictions)
    per_country = session.execute(
        select(country.c.value, func.count().label("n"))
        .select_from(disputes)
        .join(country, true())
        .where(country.c.value.is_not(None))
        .group_by(country.c.value)
        .order_by(func.count().desc(), country.c.value)
        .limit(10)
    ).tuples()
    months = _month_range(per_month)
    return {
        "months": [(m, per_month.get(m, 0)) for m in months],
        "peak": max(per_month.values(), default=0),
        "total": sum(per_month.get(m, 0) for m in months),
        "countries": [(str(c), int(n)) for c, n in per_country],
    }
