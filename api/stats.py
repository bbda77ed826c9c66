"""Aggregated, de-identified alert statistics over industry chains (what alliances see).

Every figure counts distinct enterprises; a group (a month, a risk, a country) with fewer
than ``MIN_AGGREGATE_GROUP`` enterprises is left out, since a small group would point at
the enterprise behind it. No enterprise id or name ever leaves this module.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth._principal import MIN_AGGREGATE_GROUP, deidentify_counts
from core.models import AlertRow, Enterprise, Item

TOP_RISKS = 10


@dataclass
class _Tally:
    """Distinct enterprises and alert counts per group."""

    enterprises: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    alerts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def add(self, group: str, enterprise_id: str) -> None:
        self.enterprises[group].add(enterprise_id)
        self.alerts[group] += 1

    def groups(self) -> list[dict[str, Any]]:
        """Groups with enough enterprises, most enterprises first."""
        counts = deidentify_counts({g: len(e) for g, e in self.enterprises.items()})
        return [
            {"key": g, "enterprises": n, "alerts": self.alerts[g]}
            for g, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]

    def suppressed(self) -> int:
        return sum(1 for e in self.enterprises.values() if len(e) < MIN_AGGREGATE_GROUP)


def _chain_members(session: Session, chains: Iterable[str]) -> set[str]:
    """Ids of the enterprises whose profile names one of ``chains``."""
    wanted = set(chains)
    members: set[str] = set()
    for row in session.scalars(select(Enterprise)):
        if wanted & set((row.profile or {}).get("chains") or []):
            members.add(row.id)
    return members


def stored_chains(session: Session) -> list[str]:
    """Every chain some stored profile names (an admin's default scope)."""
    chains: set[str] = set()
    for row in session.scalars(select(Enterprise)):
        chains.update(str(c) for c in (row.profile or {}).get("chains") or [])
    return sorted(chains)


def chain_statistics(session: Session, chains: list[str]) -> dict[str, Any]:
    """Disputes per month, top risks and countries for the alerts of ``chains``' enterprises.

    Returns a dict with ``chains``, ``enterprises`` (distinct enterprises with alerts, or
    ``None`` below the threshold), ``disputes_by_month``, ``top_risks`` and ``countries``
    (each a list of ``{"key", "enterprises", "alerts"}``), ``min_group`` and
    ``suppressed_groups``.
    """
    members = _chain_members(session, chains)
    months, risks, countries = _Tally(), _Tally(), _Tally()
    alerted: set[str] = set()
    rows = session.execute(
        select(
            AlertRow.enterprise_id,
            AlertRow.risk_code,
            Item.kind,
            Item.jurisdictions,
            Item.published_at,
            AlertRow.created_at,
        )
        .join(Item, Item.id == AlertRow.item_id)
        .where(AlertRow.enterprise_id.in_(sorted(members)))
    )
    for row in rows:
        enterprise_id, risk, kind = str(row[0]), str(row[1]), str(row[2])
        jurisdictions: list[Any] = list(row[3] or [])
        when: datetime | None = row[4] or row[5]
        alerted.add(enterprise_id)
        risks.add(risk, enterprise_id)
        for country in jurisdictions:
            countries.add(str(country), enterprise_id)
        if kind == "dispute" and when is not None:
            months.add(when.strftime("%Y-%m"), enterprise_id)
    return {
        "chains": sorted(chains),
        "enterprises": len(alerted) if len(alerted) >= MIN_AGGREGATE_GROUP else None,
        "disputes_by_month": sorted(months.groups(), key=lambda g: g["key"]),
        "top_risks": risks.groups()[:TOP_RISKS],
        "countries": countries.groups(),
        "min_group": MIN_AGGREGATE_GROUP,
        "suppressed_groups": months.suppressed() + risks.suppressed() + countries.suppressed(),
    }
