"""Health-check reports (企业知识产权体检报告): the computed result (``warning.health``) with
the profile, the cases it cites and the sources behind them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.settings import data_as_of_day
from core.types import EnterpriseProfile, HealthCheckResult, LocalizedName
from reports._load import SourceInfo, load_items_by_id, load_sources
from reports._model import HealthReport
from reports._text import clean_text, clean_url
from reports.briefing import case_from_row, source_freshness
from reports.countries import concerning_codes
from reports.resources import load_resources
from warning.jurisdictions import jurisdiction_groups

CASE_LIMIT = 30


def cited_item_ids(result: HealthCheckResult) -> list[str]:
    """Items the result cites: behind its top risks first, then in its evidence."""
    ids: dict[str, None] = {}
    for risk in result.top_risks:
        ids.update(dict.fromkeys(risk.item_ids))
    for dimension in result.dimensions:
        ids.update({e.item_id: None for e in dimension.evidence if e.item_id})
    return list(ids)


def _market_codes(profile: EnterpriseProfile) -> frozenset[str]:
    """Jurisdictions whose sources feed the profile's export markets: the markets, their
    member states and regional systems (an EU market: EUIPO, UPC, EPO), and the worldwide
    ones (WIPO), whose items matching reads as concerning every destination. A briefing
    leaves WIPO's items out to stay readable; a health check's alerts do not."""
    if not profile.destinations:
        return frozenset()
    groups = jurisdiction_groups()
    codes = {name for name, members in groups.items() if "*" in members}
    for destination in profile.destinations:
        codes |= concerning_codes(destination.country)
    return frozenset(codes)


def _clean_name(name: LocalizedName, limit: int = 1000) -> LocalizedName:
    return LocalizedName(
        zh=clean_text(name.zh, limit) or None, en=clean_text(name.en, limit) or None
    )


def sanitised(result: HealthCheckResult) -> HealthCheckResult:
    """The result with the text that may quote crawled items (evidence, explanations,
    recommendations) made plain, and only http(s) evidence links kept."""
    dimensions = [
        d.model_copy(
            update={
                "evidence": [
                    e.model_copy(update={"text": _clean_name(e.text), "url": clean_url(e.url)})
                    for e in d.evidence
                ]
            }
        )
        for d in result.dimensions
    ]
    risks = [
        r.model_copy(
            update={
                "explanation": _clean_name(r.explanation),
                "product": clean_text(r.product, 200) or None,
            }
        )
        for r in result.top_risks
    ]
    recommendations = [
        r.model_copy(update={"text": _clean_name(r.text)}) for r in result.recommendations
    ]
    return result.model_copy(
        update={"dimensions": dimensions, "top_risks": risks, "recommendations": recommendations}
    )


def assemble_health_report(
    result: HealthCheckResult,
    profile: EnterpriseProfile,
    items: Sequence[dict[str, Any]],
    sources: Mapping[str, SourceInfo],
) -> HealthReport:
    """The report for ``result``; ``items`` are the rows of the cited items (any order)."""
    by_id = {str(row["id"]): row for row in items}
    cited = [by_id[i] for i in cited_item_ids(result) if i in by_id][:CASE_LIMIT]
    freshness = source_freshness(cited, sources, _market_codes(profile), result.as_of)
    return HealthReport(
        result=sanitised(result),
        profile=profile,
        cases=[case_from_row(row, result.as_of) for row in cited],
        resources=load_resources(),
        sources=freshness,
        generated_at=datetime.now(UTC),
        data_as_of=data_as_of_day(),
    )


def build_health_report(
    session: Session, result: HealthCheckResult, profile: EnterpriseProfile
) -> HealthReport:
    """Load the cited items and the sources (as they stood on the result's as-of date), and
    assemble the report."""
    rows = load_items_by_id(session, cited_item_ids(result))
    return assemble_health_report(result, profile, rows, load_sources(session, result.as_of))
