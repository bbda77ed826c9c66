"""Aggregated, de-identified alert statistics over industry chains (what alliances see).

Every figure counts distinct enterprises; a group (a month, a risk, a country) with fewer
than ``MIN_AGGREGATE_GROUP`` enterprises is left out, since a small group would point at
the enterprise behind it. No enterprise id or name ever leaves this module.

The counting is done by the database (``GROUP BY`` with ``COUNT(DISTINCT enterprise_id)``),
so a dashboard costs a few grouped queries whatever the number of alerts; the JSON arrays
(a profile's chains, an item's jurisdictions) are unnested with ``json_each`` on SQLite and
``json_array_elements_text`` on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, case, distinct, func, select, true
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import TableValuedAlias

from api.auth._principal import MIN_AGGREGATE_GROUP, deidentify_counts
from core.models import AlertRow, Enterprise, Item

TOP_RISKS = 10


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def json_array_values(session: Session, array: Any, path: str | None = None) -> TableValuedAlias:
    """The elements of a JSON array column as a table with one text column, ``value``
    (``path`` picks an array inside an object, e.g. ``chains`` in a profile)."""
    if _postgres(session):
        value = array.op("->")(path) if path else array
        only_arrays = case((func.json_typeof(value) == "array", value))
        return func.json_array_elements_text(only_arrays).table_valued("value")
    if path:
        return func.json_each(array, f"$.{path}").table_valued("value")
    return func.json_each(array).table_valued("value")


def utc_month(session: Session, moment: Any) -> ColumnElement[str]:
    """``YYYY-MM`` of a timestamp, in UTC."""
    if _postgres(session):
        return func.to_char(func.timezone("UTC", moment), "YYYY-MM")
    return func.strftime("%Y-%m", moment)


DISPUTE_KINDS = ("dispute", "decision", "enforcement")
"""The item kinds that count as dispute activity in a chain's figures: filings, the rulings
in them (a 337 determination, a court's injunction) and their enforcement (a seizure, a
TRO), each an event of its own."""


def tagged_with_chains(session: Session, chains: Iterable[str]) -> Select[Any]:
    """Ids of the items tagged with one of ``chains`` (a subquery; ``tags.chains`` holds
    objects with an ``id``)."""
    if _postgres(session):
        tagged = Item.tags.op("->")("chains")
        only_arrays = case((func.json_typeof(tagged) == "array", tagged))
        tag = func.json_array_elements(only_arrays).table_valued("value")
        chain_id: ColumnElement[Any] = tag.c.value.op("->>")("id")
    else:
        tag = func.json_each(Item.tags, "$.chains").table_valued("value")
        chain_id = func.json_extract(tag.c.value, "$.id")
    return select(Item.id).join(tag, true()).where(chain_id.in_(sorted(set(chains)))).distinct()


def _chain_members(session: Session, chains: Iterable[str]) -> Select[Any]:
    """Ids of the enterprises whose profile names one of ``chains`` (a subquery)."""
    named = json_array_values(session, Enterprise.profile, "chains")
    return (
        select(Enterprise.id)
        .join(named, true())
        .where(named.c.value.in_(sorted(set(chains))))
        .distinct()
    )


def stored_chains(session: Session) -> list[str]:
    """Every chain some stored profile names (an admin's default scope)."""
    named = json_array_values(session, Enterprise.profile, "chains")
    query = select(named.c.value).select_from(Enterprise).join(named, true()).distinct()
    found: list[Any] = list(session.scalars(query))
    return sorted(str(c) for c in found if c is not None)


def _groups(rows: Iterable[Any]) -> tuple[list[dict[str, Any]], int]:
    """Grouped ``(key, enterprises, alerts)`` rows: those with enough enterprises, most
    enterprises first, and how many were left out."""
    enterprises: dict[str, int] = {}
    alerts: dict[str, int] = {}
    for key, n_enterprises, n_alerts in rows:
        enterprises[str(key)], alerts[str(key)] = int(n_enterprises), int(n_alerts)
    kept = deidentify_counts(enterprises)
    groups = [
        {"key": g, "enterprises": n, "alerts": alerts[g]}
        for g, n in sorted(kept.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return groups, len(enterprises) - len(kept)


def chain_statistics(session: Session, chains: list[str]) -> dict[str, Any]:
    """Disputes per month, top risks and countries for the alerts of ``chains``' enterprises.

    Returns a dict with ``chains``, ``enterprises`` (distinct enterprises with alerts, or
    ``None`` below the threshold), ``disputes_by_month``, ``top_risks`` and ``countries``
    (each a list of ``{"key", "enterprises", "alerts"}``), ``min_group`` and
    ``suppressed_groups``. A dispute counts in the month it was published (else the month
    its alert was raised).
    """
    alerts = (
        select(
            AlertRow.enterprise_id,
            AlertRow.risk_code,
            Item.kind,
            Item.jurisdictions,
            func.coalesce(Item.published_at, AlertRow.created_at).label("moment"),
        )
        .join(Item, Item.id == AlertRow.item_id)
        .where(AlertRow.enterprise_id.in_(_chain_members(session, chains).scalar_subquery()))
        .subquery()
    )
    per_enterprise = func.count(distinct(alerts.c.enterprise_id))
    alerted = session.scalar(select(per_enterprise)) or 0
    risks, risks_left = _groups(
        session.execute(
            select(alerts.c.risk_code, per_enterprise, func.count()).group_by(alerts.c.risk_code)
        )
    )
    month = utc_month(session, alerts.c.moment)
    months, months_left = _groups(
        session.execute(
            select(month, per_enterprise, func.count())
            .where(alerts.c.kind.in_(DISPUTE_KINDS), alerts.c.moment.is_not(None))
            .group_by(month)
        )
    )
    country = json_array_values(session, alerts.c.jurisdictions)
    countries, countries_left = _groups(
        session.execute(
            select(country.c.value, per_enterprise, func.count())
            .select_from(alerts)
            .join(country, true())
            .where(country.c.value.is_not(None))
            .group_by(country.c.value)
        )
    )
    return {
        "chains": sorted(chains),
        "enterprises": alerted if alerted >= MIN_AGGREGATE_GROUP else None,
        "disputes_by_month": sorted(months, key=lambda g: g["key"]),
        "top_risks": risks[:TOP_RISKS],
        "countries": countries,
        "min_group": MIN_AGGREGATE_GROUP,
        "suppressed_groups": months_left + risks_left + countries_left,
    }
