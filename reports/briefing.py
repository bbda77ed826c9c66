"""Country-environment briefings (国别知识产权环境简报): pure assembly from item rows.

Risk score (points per month of the period, so a quarter compares with a month):

* each dispute counts ``RISK_WEIGHTS[venue]`` points: a 337 investigation 5, a UPC action 4,
  a district-court suit or a Schedule A case 3, a customs detention 2, anything else 1;
* a dispute naming a Chinese party counts 1.5 times (``CHINESE_FACTOR``);
* each rule change counts 1 point.

Levels by points per month: below 5 low, below 15 medium, below 40 high, else severe. The
trend compares with the previous period of the same length: up when the score rose by more
than a quarter, down when it fell by more than a fifth, stable otherwise.

A briefing counts nothing published after its as-of date; for a period still running on that
date the score stays per month of the whole period (no extrapolation), and the report says
the period is incomplete.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from core.gc_pause import collector_paused
from core.settings import data_as_of_day
from core.types import LocalizedName
from reports import _classify as cls
from reports._load import SourceInfo, load_item_rows, load_sources
from reports._model import (
    Briefing,
    ChainDynamics,
    DisputeStats,
    NameCount,
    NotableCase,
    RiskAssessment,
    RiskComponent,
    RuleChange,
    SourceFreshness,
    SuitPair,
)
from reports._text import clean_text, clean_url
from reports.countries import check_country, concerning_codes, country_name
from reports.periods import Period, PeriodError, last_full_month, parse_period
from reports.resources import load_resources

RISK_WEIGHTS = {
    "itc337": 5.0,
    "upc": 4.0,
    "district_court": 3.0,
    "schedule_a": 3.0,
    "customs": 2.0,
    "other": 1.0,
}
CHINESE_FACTOR = 1.5
RULE_CHANGE_WEIGHT = 1.0
LEVELS = ((5.0, "low"), (15.0, "medium"), (40.0, "high"))
STALE_AFTER_DAYS = 14
NOTABLE_LIMIT = 10
RULE_LIMIT = 20
CHAIN_LIMIT = 8
TOP_LIMIT = 5
PAIR_LIMIT = 8


class UnknownChainError(ValueError):
    """A chain id the taxonomy does not know; the message lists the valid ids."""


@dataclass(frozen=True)
class BriefingData:
    """What a briefing is assembled from: item rows of this and the previous period."""

    rows: Sequence[dict[str, Any]]
    previous_rows: Sequence[dict[str, Any]]
    sources: Mapping[str, SourceInfo]


def check_chain(chain: str | None) -> str | None:
    """The chain id, or :class:`UnknownChainError` listing the valid ones."""
    if chain is None:
        return None
    from tagger.taxonomy import chain_ids

    valid = chain_ids()
    if chain not in valid:
        raise UnknownChainError(f"unknown chain id {chain!r}; valid: {', '.join(valid)}")
    return chain


def resolve_period(period: str | None, as_of: date) -> Period:
    """The named period, or by default the last full month before ``as_of``; a
    :class:`PeriodError` for a period that starts after ``as_of`` (nothing in it is known yet)."""
    if not period:
        return last_full_month(as_of)
    resolved = parse_period(period)
    if resolved.start > as_of:
        raise PeriodError(
            f"period {resolved.label} starts on {resolved.start.isoformat()}, after the as-of "
            f"date {as_of.isoformat()}; choose an earlier period or a later --as-of"
        )
    return resolved


def _counted_end(period: Period, as_of: date) -> date:
    """The exclusive end of what a briefing counts: the period's end, or the day after
    ``as_of`` when the period is still running then."""
    return min(period.end, as_of + timedelta(days=1))


def load_briefing_data(
    session: Session, country: str, period: Period, as_of: date | None = None
) -> BriefingData:
    """Item rows for the country in the period (up to ``as_of``, when given) and the one
    before, and the sources."""
    codes = concerning_codes(country)
    previous = period.previous()
    kinds = (*cls.DISPUTE_KINDS, "rule_change")
    end = period.end if as_of is None else _counted_end(period, as_of)
    start = datetime(period.start.year, period.start.month, 1, tzinfo=UTC)
    current: list[dict[str, Any]] = []
    earlier: list[dict[str, Any]] = []
    for row in load_item_rows(session, codes, previous.start, end, kinds):
        (current if _aware(row["published_at"]) >= start else earlier).append(row)
    return BriefingData(current, earlier, load_sources(session, as_of))


def build_briefing(
    session: Session, country: str, chain: str | None, period: str | None, as_of: date
) -> Briefing:
    """Validate the arguments, load the data and assemble the briefing."""
    code = check_country(country)
    chain = check_chain(chain)
    resolved = resolve_period(period, as_of)
    with collector_paused():  # thousands of fresh, acyclic rows: see core.gc_pause
        return assemble_briefing(
            load_briefing_data(session, code, resolved, as_of), code, chain, resolved, as_of
        )


def assemble_briefing(
    data: BriefingData, country: str, chain: str | None, period: Period, as_of: date
) -> Briefing:
    """The briefing for ``country`` (and ``chain``) in ``period``, from ``data`` alone
    (rows published after ``as_of`` are left out)."""
    end = _counted_end(period, as_of)
    rows = _annotate(_for_chain(_published_before(data.rows, end), chain))
    # only scored: not worth annotating
    previous = _for_chain(_published_before(data.previous_rows, end), chain)
    disputes = [r for r in rows if r.get("kind") in cls.DISPUTE_KINDS]
    rules = [r for r in rows if r.get("kind") == "rule_change"]
    return Briefing(
        country=country,
        country_name=country_name(country),
        chain=chain,
        period=period.label,
        period_start=period.start,
        period_end=period.end - timedelta(days=1),
        previous_period=period.previous().label,
        as_of=as_of,
        data_as_of=data_as_of_day(),
        generated_at=datetime.now(UTC),
        has_data=bool(disputes or rules),
        risk=assess_risk(rows, previous, period.months),
        rule_changes=[_rule_change(r) for r in sorted(rules, key=_newest_first)[:RULE_LIMIT]],
        rule_changes_total=len(rules),
        disputes=count_disputes(disputes, period),
        notable_cases=notable_cases(disputes, as_of),
        dynamics=chain_dynamics(disputes),
        resources=load_resources(),
        sources=source_freshness(rows, data.sources, concerning_codes(country), as_of),
    )


def _annotate(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of the rows with their venue, parties' origin and chains worked out once."""
    return [cls.annotated(row) for row in rows]


def _venue(row: dict[str, Any]) -> str:
    return str(row["_venue"]) if "_venue" in row else cls.classify_venue(row)


def _chinese(row: dict[str, Any]) -> bool:
    return bool(row["_chinese"]) if "_chinese" in row else cls.involves_chinese(row)


def _jiangsu(row: dict[str, Any]) -> bool:
    return bool(row["_jiangsu"]) if "_jiangsu" in row else cls.involves_jiangsu(row)


def _chains(row: dict[str, Any]) -> list[str]:
    return list(row["_chains"]) if "_chains" in row else cls.chain_ids(row)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _published_before(rows: Iterable[dict[str, Any]], end: date) -> list[dict[str, Any]]:
    limit = datetime.combine(end, time.min, tzinfo=UTC)
    return [r for r in rows if r.get("published_at") and _aware(r["published_at"]) < limit]


def _newest_first(row: dict[str, Any]) -> tuple[float, str]:
    published = row.get("published_at")
    return (-_aware(published).timestamp() if published else 0.0, str(row["id"]))


def _for_chain(rows: Iterable[dict[str, Any]], chain: str | None) -> list[dict[str, Any]]:
    return [r for r in rows if chain is None or chain in _chains(r)]


def _points(rows: Iterable[dict[str, Any]]) -> tuple[float, list[RiskComponent]]:
    counts: Counter[tuple[str, bool]] = Counter()
    rule_changes = 0
    for row in rows:
        if row.get("kind") == "rule_change":
            rule_changes += 1
        elif row.get("kind") in cls.DISPUTE_KINDS:
            counts[(_venue(row), _chinese(row))] += 1
    components = []
    for (venue, chinese), count in sorted(counts.items()):
        weight = RISK_WEIGHTS[venue] * (CHINESE_FACTOR if chinese else 1.0)
        key = f"{venue}_cn" if chinese else venue
        components.append(RiskComponent(key=key, count=count, weight=weight, points=weight * count))
    if rule_changes:
        components.append(
            RiskComponent(
                key="rule_change",
                count=rule_changes,
                weight=RULE_CHANGE_WEIGHT,
                points=RULE_CHANGE_WEIGHT * rule_changes,
            )
        )
    return sum(c.points for c in components), components


def risk_level(score: float) -> str:
    """The level of a points-per-month score (see the module docstring)."""
    for bound, level in LEVELS:
        if score < bound:
            return level
    return "severe"


def assess_risk(
    rows: Sequence[dict[str, Any]], previous: Sequence[dict[str, Any]], months: int
) -> RiskAssessment:
    """The period's risk score, level and trend against the previous period."""
    total, components = _points(rows)
    before, _ = _points(previous)
    score, previous_score = round(total / months, 2), round(before / months, 2)
    if score > previous_score * 1.25 and score - previous_score >= 0.5:
        trend = "up"
    elif score < previous_score * 0.8:
        trend = "down"
    else:
        trend = "stable"
    return RiskAssessment(
        score=score,
        level=risk_level(score),
        previous_score=previous_score,
        previous_level=risk_level(previous_score),
        trend=trend,
        components=components,
    )


def _item_ref_fields(row: dict[str, Any]) -> dict[str, Any]:
    published = row.get("published_at")
    return {
        "item_id": str(row["id"]),
        "title": clean_text(row.get("title")),
        "url": clean_url(row.get("url")),
        "source": str(row.get("source_id")),
        "published": published.date() if published else None,
    }


def _rule_change(row: dict[str, Any]) -> RuleChange:
    return RuleChange(**_item_ref_fields(row), category=cls.classify_rule_change(row))


def _ranked(counts: Counter[Any], limit: int | None = None) -> list[tuple[Any, int]]:
    """The most frequent first, ties by key: the same report whatever order rows came in."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def _month(row: dict[str, Any]) -> str:
    published = row["published_at"]
    return f"{published.year}-{published.month:02d}"


def count_disputes(disputes: Sequence[dict[str, Any]], period: Period) -> DisputeStats:
    """Disputes by month and venue, venue, kind and chain, with Chinese and Jiangsu counts."""
    by_month: dict[str, dict[str, int]] = {m: {} for m in period.month_labels()}
    by_venue: Counter[str] = Counter()
    by_kind: Counter[str] = Counter()
    by_chain: Counter[str] = Counter()
    for row in disputes:
        venue = _venue(row)
        month = by_month.setdefault(_month(row), {})
        month[venue] = month.get(venue, 0) + 1
        by_venue[venue] += 1
        by_kind[str(row.get("kind"))] += 1
        by_chain.update(_chains(row) or ["untagged"])
    return DisputeStats(
        total=len(disputes),
        by_month={m: {v: n[v] for v in cls.VENUES if v in n} for m, n in by_month.items()},
        by_venue={v: by_venue[v] for v in cls.VENUES if by_venue[v]},
        by_kind=dict(_ranked(by_kind)),
        by_chain=dict(_ranked(by_chain)),
        chinese=sum(1 for r in disputes if _chinese(r)),
        jiangsu=sum(1 for r in disputes if _jiangsu(r)),
    )


def _localities(row: dict[str, Any], into: dict[str, int]) -> None:
    """Record, per raw party name, how local the party is (the most local mention wins)."""
    for party in cls.parties(row):
        name = str(party["name"])
        into[name] = max(into.get(name, 0), cls.party_locality(party))


def _ranked_pairs(
    pairs: Counter[tuple[str, str]], locality: Mapping[str, int]
) -> list[tuple[tuple[str, str], int]]:
    """The most frequent pairs first; among equals, those with a Wuxi, then a Jiangsu, then
    another Chinese party, then by name."""

    def key(kv: tuple[tuple[str, str], int]) -> tuple[int, int, str, str]:
        (claimant, defendant), count = kv
        local = max(locality.get(claimant, 0), locality.get(defendant, 0))
        return (-count, -local, claimant, defendant)

    return sorted(pairs.items(), key=key)


def _raw_names(row: dict[str, Any], roles: frozenset[str]) -> list[str]:
    """Party names in these roles, as crawled (clean them before they reach a report)."""
    seen: dict[str, None] = {}
    for party in cls.parties(row):
        if str(party.get("role") or "").lower() in roles:
            seen.setdefault(str(party["name"]), None)
    return list(seen)


def _names(row: dict[str, Any], roles: frozenset[str]) -> list[str]:
    return list(dict.fromkeys(clean_text(name, 120) for name in _raw_names(row, roles)))


def _stage_and_next(row: dict[str, Any], as_of: date) -> tuple[str | None, list[date]]:
    dated = []
    for signal in cls.signals(row):
        raw = signal.get("date")
        day = date.fromisoformat(raw) if isinstance(raw, str) else raw
        dated.append((day, str(signal.get("type"))))
    past = [(d or date.min, t) for d, t in dated if d is None or d <= as_of]
    stage = max(past)[1] if past else (dated[-1][1] if dated else None)
    upcoming = sorted({d for d, _ in dated if d is not None and d > as_of})
    return stage, upcoming


def _notability(row: dict[str, Any]) -> tuple[float, float, str]:
    weight = RISK_WEIGHTS[_venue(row)]
    weight *= CHINESE_FACTOR if _chinese(row) else 1.0
    weight += 2.0 if _jiangsu(row) else 0.0
    return (-weight, *_newest_first(row))


def case_from_row(row: dict[str, Any], as_of: date) -> NotableCase:
    """A dispute item as a report cites it: parties, products, stage and next dates."""
    stage, upcoming = _stage_and_next(row, as_of)
    products = (row.get("tags") or {}).get("products") or []
    return NotableCase(
        **_item_ref_fields(row),
        venue=_venue(row),
        case_refs=[clean_text(r, 60) for r in cls.case_refs(row)][:5],
        claimants=_names(row, cls.CLAIMANT_ROLES)[:5],
        defendants=_names(row, cls.DEFENDANT_ROLES)[:8],
        products=[clean_text(str(p), 80) for p in products][:5],
        stage=stage,
        next_dates=upcoming[:3],
        chinese=_chinese(row),
        jiangsu=_jiangsu(row),
    )


def notable_cases(disputes: Sequence[dict[str, Any]], as_of: date) -> list[NotableCase]:
    """The weightiest disputes (venue weight, Chinese and Jiangsu parties), newest first."""
    ranked = sorted(disputes, key=_notability)[:NOTABLE_LIMIT]
    return [case_from_row(row, as_of) for row in ranked]


def chain_dynamics(disputes: Sequence[dict[str, Any]]) -> list[ChainDynamics]:
    """Per chain (the busiest ``CHAIN_LIMIT``): who sued whom (``PAIR_LIMIT`` pairs, local
    parties first among equals), the most active claimants, and law firms where named."""
    by_chain: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in disputes:
        for chain in _chains(row):
            by_chain[chain].append(row)
    out = []
    ranked = sorted(by_chain.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:CHAIN_LIMIT]
    for chain, rows in ranked:
        pairs: Counter[tuple[str, str]] = Counter()
        claimants: Counter[str] = Counter()
        firms: Counter[str] = Counter()
        locality: dict[str, int] = {}
        for row in rows:
            _localities(row, locality)
            suing = _raw_names(row, cls.CLAIMANT_ROLES)
            claimants.update(suing)
            firms.update(_raw_names(row, cls.COUNSEL_ROLES))
            pairs.update((c, d) for c in suing for d in _raw_names(row, cls.DEFENDANT_ROLES))
        out.append(
            ChainDynamics(
                chain=chain,
                disputes=len(rows),
                pairs=[
                    SuitPair(claimant=clean_text(c, 120), defendant=clean_text(d, 120), count=n)
                    for (c, d), n in _ranked_pairs(pairs, locality)[:PAIR_LIMIT]
                ],
                pairs_total=len(pairs),
                top_claimants=[
                    NameCount(name=clean_text(n, 120), count=c)
                    for n, c in _ranked(claimants, TOP_LIMIT)
                ],
                law_firms=[
                    NameCount(name=clean_text(n, 120), count=c)
                    for n, c in _ranked(firms, TOP_LIMIT)
                ],
            )
        )
    return out


def source_freshness(
    rows: Sequence[dict[str, Any]],
    sources: Mapping[str, SourceInfo],
    codes: frozenset[str],
    as_of: date,
) -> list[SourceFreshness]:
    """Every source used or covering one of ``codes``, with its last success; a source with
    no success in the ``STALE_AFTER_DAYS`` before ``as_of`` is stale."""
    used = Counter(str(r.get("source_id")) for r in rows)
    ids = set(used) | {s.id for s in sources.values() if codes & set(s.jurisdictions)}
    out = []
    for source_id in sorted(ids):
        info = sources.get(source_id)
        last = info.last_success if info else None
        age = (as_of - last.date()).days if last else None
        out.append(
            SourceFreshness(
                id=source_id,
                title=info.title if info else LocalizedName(zh=source_id, en=source_id),
                items_used=used[source_id],
                last_success=last,
                stale=age is None or age > STALE_AFTER_DAYS,
            )
        )
    return out
