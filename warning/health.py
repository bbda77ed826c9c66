"""Enterprise IP health check (企业知识产权体检): a pure function, plus a loader of its inputs.

``run_health_check`` scores the eight dimensions of DOMAIN.md 5.2 from the profile and the
alerts that the last 12 months of items raise for it, and ranks the top five risks. A risk is
the alerts of one rule (so of one risk code) for one market and product: its label and its
count of items describe the same alerts. Reports render the typed ``HealthCheckResult``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Item
from core.records import item_to_record
from core.types import (
    AdvisorNote,
    Alert,
    DimensionScore,
    EnterpriseProfile,
    HealthCheckResult,
    HealthLevel,
    ItemRecord,
    LocalizedName,
    Recommendation,
    RiskFinding,
)
from warning._dimensions import DIMENSIONS, HealthInputs, level_of
from warning.engine import evaluate_items
from warning.jurisdictions import destination_markets, market_name_en, market_name_zh

__all__ = ["WINDOW_DAYS", "load_window_items", "run_health_check"]

WINDOW_DAYS = 365
_LIKELIHOOD = {"critical": 5, "high": 4, "medium": 3, "low": 2, "info": 1}
_ORDER = [HealthLevel.GREEN, HealthLevel.YELLOW, HealthLevel.ORANGE, HealthLevel.RED]
MIN_WEIGHT_FOR_GREEN = 50
PROFILE_SUFFIXES = (".yml", ".yaml", ".json")
"""Below this much assessed weight (of 100) the result cannot be green: a clean bill of health
needs evidence on at least half of what the check weighs."""
_OWNER_LEGAL = LocalizedName(zh="法务/知识产权负责人", en="Legal / IP manager")
_OWNER_IP = LocalizedName(zh="知识产权负责人", en="IP manager")
_OWNER_MGMT = LocalizedName(zh="企业管理层", en="Management")


def _in_window(item: ItemRecord, start: date, as_of: date) -> bool:
    if item.published_at is None:
        return False
    return start <= item.published_at.date() <= as_of


def _overall(dimensions: list[DimensionScore]) -> tuple[float | None, HealthLevel]:
    assessed = [d for d in dimensions if d.score is not None]
    if not assessed:
        return None, HealthLevel.YELLOW  # nothing known: needs attention, not a clean bill
    weight = sum(d.weight for d in assessed)
    score = round(sum(d.score * d.weight for d in assessed if d.score is not None) / weight, 1)
    level = level_of(score)
    if any(d.id in ("D4", "D7") and d.level == HealthLevel.RED for d in assessed):
        level = max(level, HealthLevel.ORANGE, key=_ORDER.index)
    if weight < MIN_WEIGHT_FOR_GREEN:
        level = max(level, HealthLevel.YELLOW, key=_ORDER.index)
    return score, level


def _product_of(alert: Alert, profile: EnterpriseProfile) -> str | None:
    matched = alert.explanation.get("matched", {})
    keywords = {t["term"].lower() for t in matched.get("terms", []) if t.get("kind") == "keyword"}
    hs = set(matched.get("hs", []))
    for product in profile.products:
        if keywords & {k.lower() for k in product.keywords}:
            return product.name
        if hs & {h.replace(".", "") for h in product.hs}:
            return product.name
    return profile.products[0].name if len(profile.products) == 1 else None


def _market_share(market: str | None, profile: EnterpriseProfile) -> float | None:
    """The export share of ``market``: its own, or that of the market group (EU) it is a
    member of in the profile (a German alert weighs as the EU share it belongs to)."""
    for code, share, group in destination_markets(profile.destinations):
        if code == market:
            return share if group is None else _group_share(group, profile)
    return _group_share(market, profile) if market else None


def _group_share(group: str, profile: EnterpriseProfile) -> float | None:
    return next((d.export_share for d in profile.destinations if d.country == group), None)


def _impact(market: str | None, profile: EnterpriseProfile, named: bool) -> int:
    if named:
        return 5
    share = _market_share(market, profile)
    if share is None:
        return 2
    return 5 if share >= 0.3 else 4 if share >= 0.2 else 3 if share >= 0.1 else 2


def _likelihood(members: Sequence[Alert], items: int) -> int:
    """The worst severity's likelihood, one more when three or more items raise it; an
    info-level alert (a watch term seen) says nothing about likelihood, however many."""
    worst = max(_LIKELIHOOD[a.severity.value] for a in members)
    repeated = items >= 3 and worst > _LIKELIHOOD["info"]
    return min(5, worst + (1 if repeated else 0))


def _risk_explanation(worst: Alert, market: str | None, items: int) -> LocalizedName:
    code = worst.risk_code
    where_zh = f"（{market_name_zh(market)}）" if market else ""
    where_en = f" ({market_name_en(market)})" if market else ""
    noun_en = "item" if items == 1 else "items"
    return LocalizedName(
        zh=f"{worst.title.get('zh', code)}{where_zh}：近12个月{items}条相关动态",
        en=f"{worst.title.get('en', code)}{where_en}: {items} related {noun_en} in the last 12 months",
    )


def _top_risks(alerts: Sequence[Alert], profile: EnterpriseProfile) -> list[RiskFinding]:
    groups: dict[tuple[str, str, str | None, str | None], list[Alert]] = defaultdict(list)
    for alert in alerts:
        markets = alert.explanation.get("matched", {}).get("markets", [])
        market = markets[0] if markets else None
        groups[(alert.risk_code, alert.rule_id, market, _product_of(alert, profile))].append(alert)
    findings = []
    for (code, rule_id, market, product), members in groups.items():
        worst = max(members, key=lambda a: _LIKELIHOOD[a.severity.value])
        item_ids = sorted({a.item_id for a in members})
        likelihood = _likelihood(members, len(item_ids))
        impact = _impact(market, profile, rule_id.startswith("named_party"))
        findings.append(
            RiskFinding(
                risk_code=code,
                market=market,
                product=product,
                likelihood=likelihood,
                impact=impact,
                score=float(likelihood * impact),
                explanation=_risk_explanation(worst, market, len(item_ids)),
                item_ids=item_ids[:10],
            )
        )
    findings.sort(
        key=lambda f: (
            -f.score,
            f.risk_code,
            f.market or "",
            f.product or "",
            f.explanation.en or "",
        )
    )
    return findings[:5]


def _priority(score: float) -> str:
    return "high" if score >= 16 else "medium" if score >= 9 else "low"


_GAP = re.compile(r"\b(?:patent|trade mark) no\b")
"""How D3's English evidence says a market lacks a right ("patent no"): matched as words,
so a market named with "no" in it (Lebanon, San Marino) is no gap by its name alone."""


def _uncovered(evidence_en: str | None) -> bool:
    return bool(_GAP.search(evidence_en or ""))


def _recommendations(
    risks: list[RiskFinding], alerts: Sequence[Alert], dimensions: list[DimensionScore]
) -> list[Recommendation]:
    out = []
    for risk in risks:
        related = [
            a for a in alerts if a.item_id in risk.item_ids and a.risk_code == risk.risk_code
        ]
        if not related:
            continue
        first = max(related, key=lambda a: _LIKELIHOOD[a.severity.value])
        deadlines = [a.deadline for a in related if a.deadline]
        out.append(
            Recommendation(
                priority=_priority(risk.score),
                owner=_OWNER_LEGAL,
                text=LocalizedName(zh=first.action.get("zh"), en=first.action.get("en")),
                risk_code=risk.risk_code,
                deadline=min(deadlines) if deadlines else None,
            )
        )
    by_id = {d.id: d for d in dimensions}
    d3 = by_id.get("D3")
    if d3 and d3.score is not None and d3.score < 60:
        gaps = [e.source.rsplit(".", 1)[-1] for e in d3.evidence if _uncovered(e.text.en)]
        gaps_zh = "、".join(market_name_zh(g) for g in gaps)
        gaps_en = ", ".join(market_name_en(g) for g in gaps)
        out.append(
            Recommendation(
                priority="high" if d3.score < 40 else "medium",
                owner=_OWNER_IP,
                text=LocalizedName(
                    zh=f"在未覆盖的出口市场申请专利和商标（优先：{gaps_zh}），可利用PCT与马德里体系",
                    en=f"File patents and trade marks in uncovered export markets (first: {gaps_en}) through the PCT and Madrid systems",
                ),
                risk_code="TM_SQUAT",
            )
        )
    d6 = by_id.get("D6")
    if d6 and (d6.score is None or d6.score < 60):
        out.append(
            Recommendation(
                priority="medium",
                owner=_OWNER_MGMT,
                text=LocalizedName(
                    zh="建立海外知识产权监测：设置预警接收地址、关注词和竞争对手名单",
                    en="Set up overseas IP monitoring: alert contacts, watch terms and a competitor list",
                ),
            )
        )
    return out


def run_health_check(
    profile: EnterpriseProfile,
    items: Sequence[ItemRecord],
    as_of: date,
    notes: Sequence[AdvisorNote] = (),
) -> HealthCheckResult:
    """The health check of one enterprise as of ``as_of`` (items outside the 12-month window
    before it are ignored). Pure: the same inputs give the same result."""
    start = as_of - timedelta(days=WINDOW_DAYS)
    window = [i for i in items if _in_window(i, start, as_of)]
    alerts = evaluate_items(window, [profile], as_of)
    inputs = HealthInputs(profile=profile, alerts=alerts, items_considered=len(window), as_of=as_of)
    dimensions = [
        scorer(DimensionScore(id=dim_id, name=LocalizedName(zh=zh, en=en), weight=weight), inputs)
        for dim_id, zh, en, weight, scorer in DIMENSIONS
    ]
    overall, level = _overall(dimensions)
    risks = _top_risks(alerts, profile)
    return HealthCheckResult(
        enterprise_id=profile.id,
        enterprise_name=profile.name,
        as_of=as_of,
        window_start=start,
        overall_score=overall,
        level=level,
        dimensions=dimensions,
        top_risks=risks,
        recommendations=_recommendations(risks, alerts, dimensions),
        items_considered=len(window),
        notes=list(notes),
    )


def load_window_items(session: Session, as_of: date) -> list[ItemRecord]:
    """Stored, tagged items published in the 12 months up to ``as_of``."""
    start = datetime.combine(as_of - timedelta(days=WINDOW_DAYS), time.min, tzinfo=UTC)
    end = datetime.combine(as_of, time.max, tzinfo=UTC)
    query = (
        select(Item)
        .where(Item.tags.is_not(None), Item.published_at >= start, Item.published_at <= end)
        .order_by(Item.published_at, Item.id)
    )
    return [item_to_record(row) for row in session.scalars(query)]


def health_check_of(
    reference: str, as_of: date, session: Session, enterprise_id: str | None = None
) -> HealthCheckResult:
    """The health check of a profile file or of a stored enterprise id, over the stored items
    of the window. ``enterprise_id`` picks one profile of a file that holds several.

    A reference that looks like a file (a ``.yml``, ``.yaml`` or ``.json`` suffix, or a folder
    in it) but does not exist is reported as a missing file, not as an unknown enterprise.

    Raises:
        warning.profiles.ProfileError: a missing or invalid file, or no single profile chosen.
        warning.store.ProfileNotFound: an id that no stored enterprise has.
    """
    from warning.profiles import ProfileError, load_profiles
    from warning.store import get_profile

    path = Path(reference)
    if path.is_file():
        profile = pick_profile(load_profiles(path), path, enterprise_id)
    elif path.is_dir():
        raise ProfileError(f"{reference}: is a folder, not a profile file")
    elif _looks_like_a_file(reference):
        raise ProfileError(f"{reference}: no such profile file")
    elif enterprise_id is not None:
        raise ProfileError(f"--enterprise picks a profile of a file; {reference} is not a file")
    else:
        profile = get_profile(session, reference)
    return run_health_check(profile, load_window_items(session, as_of), as_of)


def pick_profile(
    profiles: Sequence[EnterpriseProfile], path: Path, enterprise_id: str | None
) -> EnterpriseProfile:
    """The one profile of a file, or the one with ``enterprise_id`` among several.

    Raises:
        warning.profiles.ProfileError: the file holds several and none was chosen, or not the
            chosen one.
    """
    from warning.profiles import ProfileError

    ids = ", ".join(p.id for p in profiles)
    if enterprise_id is not None:
        chosen = [p for p in profiles if p.id == enterprise_id]
        if not chosen:
            raise ProfileError(f"{path}: no profile {enterprise_id!r} (it holds {ids})")
        return chosen[0]
    if len(profiles) != 1:
        raise ProfileError(
            f"{path}: holds {len(profiles)} profiles ({ids}); choose one with --enterprise ID"
        )
    return profiles[0]


def _looks_like_a_file(reference: str) -> bool:
    return "/" in reference or "\\" in reference or reference.lower().endswith(PROFILE_SUFFIXES)
