"""The assembled reports as typed, language-neutral data: what templates render and what
the API returns as JSON. Every crawled string in them has been through ``_text.clean_text``."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from core.types import EnterpriseProfile, HealthCheckResult, LocalizedName
from reports.resources import Resources


class RiskComponent(BaseModel):
    """One line of the risk computation: what was counted, its weight and its points."""

    key: str
    count: int
    weight: float
    points: float


class RiskAssessment(BaseModel):
    """The briefing's risk level and its trend against the previous period.

    ``score`` is points per month (see ``reports.briefing.RISK_WEIGHTS``), so periods of
    different lengths compare.
    """

    score: float
    level: str
    previous_score: float
    previous_level: str
    trend: str  # up | down | stable
    components: list[RiskComponent] = Field(default_factory=list)


class ItemRef(BaseModel):
    """A source item as a report cites it."""

    item_id: str
    title: str
    url: str | None = None
    source: str
    published: date | None = None


class RuleChange(ItemRef):
    """A rule change: law, office practice, customs or court practice."""

    category: str


class DisputeStats(BaseModel):
    """Disputes in the period, counted several ways."""

    total: int = 0
    by_month: dict[str, dict[str, int]] = Field(default_factory=dict)
    by_venue: dict[str, int] = Field(default_factory=dict)
    by_kind: dict[str, int] = Field(default_factory=dict)
    by_chain: dict[str, int] = Field(default_factory=dict)
    chinese: int = 0
    jiangsu: int = 0


class NotableCase(ItemRef):
    """A dispute worth reading: who, about what, where it stands, and what comes next."""

    venue: str
    case_refs: list[str] = Field(default_factory=list)
    claimants: list[str] = Field(default_factory=list)
    defendants: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    stage: str | None = None
    next_dates: list[date] = Field(default_factory=list)
    chinese: bool = False
    jiangsu: bool = False


class NameCount(BaseModel):
    """A name and how often it appeared."""

    name: str
    count: int


class SuitPair(BaseModel):
    """Who sued whom, and how often."""

    claimant: str
    defendant: str
    count: int


class ChainDynamics(BaseModel):
    """Competitive dynamics in one industry chain."""

    chain: str
    disputes: int
    pairs: list[SuitPair] = Field(default_factory=list)  # the first ``PAIR_LIMIT``
    pairs_total: int = 0  # how many distinct pairs there were
    top_claimants: list[NameCount] = Field(default_factory=list)
    law_firms: list[NameCount] = Field(default_factory=list)


class SourceFreshness(BaseModel):
    """A source the report used, with its last successful crawl."""

    id: str
    title: LocalizedName
    items_used: int
    last_success: datetime | None = None
    stale: bool


class Briefing(BaseModel):
    """A country-environment briefing (国别知识产权环境简报) for a period."""

    country: str
    country_name: LocalizedName
    chain: str | None = None
    period: str
    period_start: date
    period_end: date  # the last day of the period
    previous_period: str
    as_of: date
    data_as_of: date | None = None
    """The day the stored data stands at when it is a fixed data set (the demo's), not live."""
    generated_at: datetime
    has_data: bool
    risk: RiskAssessment
    rule_changes: list[RuleChange] = Field(default_factory=list)  # the newest, at most 20
    rule_changes_total: int = 0
    disputes: DisputeStats = Field(default_factory=DisputeStats)
    notable_cases: list[NotableCase] = Field(default_factory=list)
    dynamics: list[ChainDynamics] = Field(default_factory=list)
    resources: Resources
    sources: list[SourceFreshness] = Field(default_factory=list)


class HealthReport(BaseModel):
    """A health-check report: the computed result, the profile, and what it cites."""

    result: HealthCheckResult
    profile: EnterpriseProfile
    cases: list[NotableCase] = Field(default_factory=list)
    resources: Resources
    sources: list[SourceFreshness] = Field(default_factory=list)
    generated_at: datetime
    data_as_of: date | None = None
    """The day the stored data stands at when it is a fixed data set (the demo's), not live."""
