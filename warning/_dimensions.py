"""The eight health-check dimensions (DOMAIN.md 5.2), each a pure function of the profile,
the alerts its last 12 months of items raise, and the date.

Every function returns a ``DimensionScore`` that says what it was computed from; a dimension
without data in the profile is returned not assessed (``score=None``) with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from core.profile_codes import DEAD_STATUSES
from core.types import Alert, DimensionScore, EnterpriseProfile, Evidence, HealthLevel
from core.types import LocalizedName as L
from warning._facts import RIGHT_CLASSES
from warning.jurisdictions import (
    asset_covers,
    destination_markets,
    market_name_en,
    market_name_zh,
)

__all__ = ["DIMENSIONS", "HealthInputs", "level_of"]

_PENALTY = {"critical": 25.0, "high": 10.0, "medium": 4.0, "low": 1.0, "info": 0.0}
_NAMED_RULES = frozenset(
    ["named_party_337", "named_party_dispute", "named_party_trademark", "tm_squatting_own_brand"]
)
_PEER_RULES = frozenset(
    ["peer_respondent_wuxi", "peer_respondent_jiangsu", "competitor_in_dispute"]
)


@dataclass(frozen=True)
class HealthInputs:
    """What every dimension may look at."""

    profile: EnterpriseProfile
    alerts: Sequence[Alert]
    items_considered: int
    as_of: date


def level_of(score: float) -> HealthLevel:
    """The traffic light for a 0-100 score (>=80 green, 60-79 yellow, 40-59 orange, <40 red)."""
    if score >= 80:
        return HealthLevel.GREEN
    if score >= 60:
        return HealthLevel.YELLOW
    if score >= 40:
        return HealthLevel.ORANGE
    return HealthLevel.RED


_CLASS_ZH = {"patent": "专利", "trademark": "商标", "design": "外观设计", "copyright": "著作权"}
"""Chinese names of the classes of right (``RIGHT_CLASSES`` values), for Chinese evidence."""


def _live(inputs: HealthInputs) -> list[tuple[str, str, date | None, str]]:
    """(class, jurisdiction, expires, status) of the profile's live rights."""
    out = []
    for asset in inputs.profile.ip_assets:
        right = RIGHT_CLASSES.get(asset.type.strip().lower(), asset.type.strip().lower())
        status = (asset.status or "").strip().lower()
        if status in DEAD_STATUSES or (asset.expires is not None and asset.expires < inputs.as_of):
            continue
        out.append((right, asset.jurisdiction.upper(), asset.expires, status))
    return out


def _scored(
    dim: DimensionScore, score: float, evidence: list[Evidence], computed_from: list[str]
) -> DimensionScore:
    score = round(max(0.0, min(100.0, score)), 1)
    return dim.model_copy(
        update={
            "score": score,
            "level": level_of(score),
            "evidence": evidence,
            "computed_from": computed_from,
        }
    )


def _not_assessed(
    dim: DimensionScore, zh: str, en: str, computed_from: list[str]
) -> DimensionScore:
    return dim.model_copy(
        update={"not_assessed_reason": L(zh=zh, en=en), "computed_from": computed_from}
    )


def d1_inventory(dim: DimensionScore, inputs: HealthInputs) -> DimensionScore:
    """Breadth (classes of right), volume and foreign share of the live portfolio."""
    assets = inputs.profile.ip_assets
    if not assets:
        return _not_assessed(
            dim,
            "档案未列出任何知识产权资产",
            "The profile lists no IP assets",
            ["profile.ip_assets"],
        )
    live = _live(inputs)
    classes = sorted({r for r, *_ in live})
    foreign = [j for _, j, *_ in live if j != "CN"]
    score = 30 * len(classes) / 4 + 30 * min(1.0, len(live) / 10) + 40 * min(1.0, len(foreign) / 3)
    evidence = [
        Evidence(
            text=L(
                zh=f"有效权利{len(live)}项（共{len(assets)}项），类别：{'、'.join(_CLASS_ZH.get(c, c) for c in classes) or '无'}；境外权利{len(foreign)}项",
                en=f"{len(live)} live rights of {len(assets)} listed; classes: {', '.join(classes) or 'none'}; {len(foreign)} outside China",
            ),
            source="profile.ip_assets",
        )
    ]
    return _scored(dim, score, evidence, ["profile.ip_assets"])


def d2_quality(dim: DimensionScore, inputs: HealthInputs) -> DimensionScore:
    """Share of rights still alive, share granted or registered, and rights expiring soon."""
    assets = inputs.profile.ip_assets
    if not assets:
        return _not_assessed(
            dim,
            "档案未列出任何知识产权资产",
            "The profile lists no IP assets",
            ["profile.ip_assets"],
        )
    live = _live(inputs)
    granted = [a for a in live if a[3] in ("granted", "registered", "授权", "注册")]
    soon = inputs.as_of + timedelta(days=730)
    expiring = [a for a in live if a[2] is not None and a[2] <= soon]
    live_share = len(live) / len(assets)
    granted_share = len(granted) / len(live) if live else 0.0
    score = (
        50 * live_share + 30 * granted_share + 20 * (1 - (len(expiring) / len(live) if live else 1))
    )
    evidence = [
        Evidence(
            text=L(
                zh=f"有效{len(live)}/{len(assets)}项；已授权或注册{len(granted)}项；两年内到期{len(expiring)}项",
                en=f"{len(live)}/{len(assets)} live; {len(granted)} granted or registered; {len(expiring)} expire within two years",
            ),
            source="profile.ip_assets",
        )
    ]
    return _scored(dim, score, evidence, ["profile.ip_assets"])


def _held_en(held: int, of: int) -> str:
    if held in (0, of):
        return "yes" if held else "no"
    return f"in {held} of {of} member states (none in the other {of - held})"


def _held_zh(held: int, of: int) -> str:
    return "有" if held == of else "无" if held == 0 else f"{of}个成员国中{held}个有"


def _coverage_line(code: str, share: float, patent: int, mark: int, of: int) -> tuple[str, str]:
    """The (zh, en) evidence for one destination; ``patent``/``mark``: how many of its
    ``of`` markets (one for a country, the members for a market group) a right covers."""
    return (
        f"{market_name_zh(code)}（占出口{share:.0%}）：专利{_held_zh(patent, of)}，商标{_held_zh(mark, of)}",
        f"{market_name_en(code)} ({share:.0%} of exports): patent {_held_en(patent, of)}, trade mark {_held_en(mark, of)}",
    )  # fmt: skip


def d3_coverage(dim: DimensionScore, inputs: HealthInputs) -> DimensionScore:
    """Export-share-weighted coverage of each destination by a patent and a trade mark.

    A market group (EU) counts as covered in the proportion of its member states a right
    covers (an EU trade mark: all; a German patent: one of 27), the members the profile also
    lists on their own left to their own lines, as matching does."""
    destinations = inputs.profile.destinations
    if not destinations:
        return _not_assessed(
            dim,
            "档案未列出出口市场",
            "The profile lists no export destinations",
            ["profile.destinations"],
        )
    live = _live(inputs)
    via = {m: group for m, _, group in destination_markets(destinations) if group}
    total, covered, evidence = 0.0, 0.0, []
    for dest in destinations:
        share = dest.export_share if dest.export_share is not None else 1 / len(destinations)
        markets = [m for m, group in via.items() if group == dest.country] or [dest.country]
        patent = sum(
            any(r == "patent" and asset_covers(j, m) for r, j, *_ in live) for m in markets
        )
        mark = sum(
            any(r == "trademark" and asset_covers(j, m) for r, j, *_ in live) for m in markets
        )
        total += share
        covered += share * (0.5 * patent + 0.5 * mark) / len(markets)
        zh, en = _coverage_line(dest.country, share, patent, mark, len(markets))
        evidence.append(
            Evidence(text=L(zh=zh, en=en), source=f"profile.destinations.{dest.country}")
        )
    score = 100 * covered / total if total else 0.0
    return _scored(dim, score, evidence, ["profile.destinations", "profile.ip_assets"])


def _alert_evidence(alerts: Sequence[Alert], limit: int = 8) -> list[Evidence]:
    out = []
    for alert in sorted(alerts, key=lambda a: -_PENALTY.get(a.severity.value, 0))[:limit]:
        out.append(
            Evidence(
                text=L(
                    zh=alert.title.get("zh", alert.rule_id), en=alert.title.get("en", alert.rule_id)
                ),
                source=f"rule:{alert.rule_id}",
                item_id=alert.item_id,
            )
        )
    return out


def d4_exposure(dim: DimensionScore, inputs: HealthInputs) -> DimensionScore:
    """Infringement exposure: alerts in the window, weighted by severity (named cases in D7)."""
    profile = inputs.profile
    if not (profile.chains or profile.products):
        return _not_assessed(
            dim,
            "档案未列出产业链或产品，无法关联纠纷",
            "The profile lists no chains or products to relate disputes to",
            ["profile.chains", "profile.products"],
        )
    alerts = [a for a in inputs.alerts if a.rule_id not in _NAMED_RULES]
    penalty = sum(_PENALTY.get(a.severity.value, 0.0) for a in alerts)
    summary = Evidence(
        text=L(
            zh=f"近12个月{inputs.items_considered}条动态中，{len(alerts)}条预警涉及贵司产业链、产品或市场",
            en=f"{len(alerts)} alerts on your chains, products or markets among {inputs.items_considered} items of the last 12 months",
        ),
        source="items",
    )
    computed = [
        "profile.chains",
        "profile.products",
        "profile.destinations",
        f"items:{inputs.items_considered}",
        f"alerts:{len(alerts)}",
    ]
    return _scored(dim, 100 - penalty, [summary, *_alert_evidence(alerts)], computed)


def d5_contracts(dim: DimensionScore, inputs: HealthInputs) -> DimensionScore:
    """Ownership and contracts: the profile format holds no contract data yet."""
    return _not_assessed(
        dim,
        "企业档案不含职务发明、合作研发、OEM/ODM及许可合同信息，需顾问访谈评估",
        "The profile holds no data on employee inventions, R&D, OEM/ODM or licence contracts; an advisor's interview is needed",
        ["profile"],
    )


def d6_management(dim: DimensionScore, inputs: HealthInputs) -> DimensionScore:
    """Monitoring in place: notification contacts, watch terms and named competitors."""
    profile = inputs.profile
    parts = [
        ("contacts", 40, "预警接收地址", "notification contacts"),
        ("watch_terms", 30, "关注词", "watch terms"),
        ("competitors", 30, "竞争对手", "competitors"),
    ]
    if not any(getattr(profile, name) for name, *_ in parts):
        return _not_assessed(
            dim,
            "档案未列出预警接收地址、关注词或竞争对手",
            "The profile lists no contacts, watch terms or competitors",
            [f"profile.{n}" for n, *_ in parts],
        )
    score, evidence = 0.0, []
    for name, weight, zh, en in parts:
        count = len(getattr(profile, name))
        score += weight if count else 0
        evidence.append(
            Evidence(text=L(zh=f"{zh}：{count}个", en=f"{en}: {count}"), source=f"profile.{name}")
        )
    return _scored(dim, score, evidence, [f"profile.{n}" for n, *_ in parts])


def d7_disputes(dim: DimensionScore, inputs: HealthInputs) -> DimensionScore:
    """Disputes naming the enterprise (and its peers) in the window."""
    named = [a for a in inputs.alerts if a.rule_id in _NAMED_RULES]
    peers = [a for a in inputs.alerts if a.rule_id in _PEER_RULES]
    cases = {a.item_id for a in named}
    score = 100 - 35 * len(cases) - 5 * len({a.item_id for a in peers})
    summary = Evidence(
        text=L(
            zh=f"近12个月点名贵司的案件或抢注{len(cases)}起；同链同行或竞争对手涉案{len({a.item_id for a in peers})}起",
            en=f"{len(cases)} cases or filings naming you in the last 12 months; {len({a.item_id for a in peers})} involving peers or competitors",
        ),
        source="items",
    )
    computed = [
        "profile.name",
        "profile.aliases",
        "profile.competitors",
        f"items:{inputs.items_considered}",
    ]
    return _scored(dim, score, [summary, *_alert_evidence(named + peers)], computed)


def d8_value(dim: DimensionScore, inputs: HealthInputs) -> DimensionScore:
    """Value realisation: licensed or pledged rights, when the profile records them."""
    statuses = [(a.status or "").lower() for a in inputs.profile.ip_assets]
    used = [
        s
        for s in statuses
        if any(k in s for k in ("licens", "pledg", "许可", "质押", "standard", "标准"))
    ]
    if not used:
        return _not_assessed(
            dim,
            "档案未记录许可、质押或标准参与情况",
            "The profile records no licensing, pledges or standard participation",
            ["profile.ip_assets.status"],
        )
    score = min(100.0, 40 + 20 * len(used))
    evidence = [
        Evidence(
            text=L(
                zh=f"已许可、质押或纳入标准的权利{len(used)}项",
                en=f"{len(used)} rights licensed, pledged or in standards",
            ),
            source="profile.ip_assets.status",
        )
    ]
    return _scored(dim, score, evidence, ["profile.ip_assets.status"])


DIMENSIONS: tuple[
    tuple[str, str, str, int, Callable[[DimensionScore, HealthInputs], DimensionScore]], ...
] = (
    ("D1", "资产盘点", "IP asset inventory", 10, d1_inventory),
    ("D2", "权利质量", "Quality & stability", 10, d2_quality),
    ("D3", "海外布局匹配度", "Overseas coverage vs exports", 15, d3_coverage),
    ("D4", "侵权风险暴露", "Infringement exposure", 20, d4_exposure),
    ("D5", "权属与合同合规", "Ownership & contract compliance", 10, d5_contracts),
    ("D6", "管理体系", "Management system", 10, d6_management),
    ("D7", "纠纷与应对能力", "Disputes & readiness", 15, d7_disputes),
    ("D8", "运营价值", "Value realisation", 10, d8_value),
)
"""(id, zh, en, weight, scorer) for D1..D8."""
