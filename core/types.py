"""Domain types shared by every stage: the crawled item, its tags, profiles and alerts.

These are the contracts between packages (and with the outside: JSON lines on the CLI, the
API, profile files). Pure data, validated by pydantic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from core import profile_codes


class ItemKind(StrEnum):
    """What an item is about."""

    RULE_CHANGE = "rule_change"
    DISPUTE = "dispute"
    DECISION = "decision"
    ENFORCEMENT = "enforcement"
    REPORT = "report"
    NEWS = "news"


class Severity(StrEnum):
    """Alert severity, lowest first."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


class Party(BaseModel):
    """A party named in an item, with its role and stated location."""

    model_config = ConfigDict(extra="forbid")

    name: str
    role: str | None = None
    location: str | None = None
    chinese: bool = False
    province: str | None = None
    city: str | None = None


class ChainTag(BaseModel):
    """An industry-chain tag with its score and the text that justified it."""

    id: str
    score: float
    evidence: list[str] = Field(default_factory=list)


class Signal(BaseModel):
    """A procedural signal (complaint filed, TRO, exclusion order ...) and its date."""

    type: str
    date: dt.date | None = None
    evidence: str | None = None


class Tags(BaseModel):
    """What the tagger found in an item (the ``tags`` object of ``iprwatch tag``)."""

    chains: list[ChainTag] = Field(default_factory=list)
    kind: ItemKind | None = None
    ip_types: list[str] = Field(default_factory=list)
    jurisdictions: list[str] = Field(default_factory=list)
    parties: list[Party] = Field(default_factory=list)
    case_refs: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    signals: list[Signal] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    capped: bool = False
    untagged: str | None = None
    taxonomy_version: str | None = None

    def chain_ids(self) -> list[str]:
        """The chain ids, best first."""
        return [chain.id for chain in self.chains]


class ItemRecord(BaseModel):
    """One normalised item as a crawler emits it (the crawler item schema).

    Only ``id``, ``title``, ``language`` and ``published_at`` are needed from outside callers
    (``iprwatch warn --items``); crawlers fill in everything they can.
    """

    model_config = ConfigDict(extra="ignore")

    id: str
    source: str = "external"
    url: str | None = None
    title: str
    summary: str = ""
    body: str = ""
    language: str = "en"
    published_at: datetime | None = None
    fetched_at: datetime | None = None
    jurisdictions: list[str] = Field(default_factory=list)
    kind: ItemKind = ItemKind.NEWS
    ip_types: list[str] = Field(default_factory=list)
    case_refs: list[str] = Field(default_factory=list)
    parties: list[Party] = Field(default_factory=list)
    raw_ref: str | None = None
    content_hash: str = ""
    version: int = 1
    tags: Tags | None = None

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("title is empty")
        return value.strip()

    def compute_content_hash(self) -> str:
        """A hash of the fields whose change upstream makes a new version."""
        payload = {
            "title": self.title,
            "summary": self.summary,
            "body": self.body,
            "url": self.url,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "kind": self.kind.value,
            "case_refs": sorted(self.case_refs),
            "parties": [p.model_dump() for p in self.parties],
        }
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()

    def text(self) -> str:
        """Title, summary and body as one text, for tagging and matching."""
        return "\n".join(part for part in (self.title, self.summary, self.body) if part)


def stable_item_id(source: str, key: str) -> str:
    """A stable item id from the source id and the source's own key (URL, document number)."""
    digest = hashlib.sha1(f"{source}\x00{key}".encode()).hexdigest()[:16]
    return f"{source}:{digest}"


_CONTACTS = (
    re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://\S+"),  # an Apprise or webhook URL
    re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+"),  # an e-mail address
    re.compile(r"\+?[0-9][0-9 ()\-]{4,}[0-9]"),  # a phone number
)


STORED = {"stored": True}
"""Validation context for profiles read back from the database (``EnterpriseProfile.stored``):
values that earlier versions accepted and the vocabularies now refuse are kept as they are,
so that one such profile neither stops the matching index from being built nor loses data;
what can be normalised still is."""


def _lenient(info: ValidationInfo) -> bool:
    return bool(info.context and info.context.get("stored"))


def _checked(normalise: Callable[[str], str]) -> Callable[[str, ValidationInfo], str]:
    """A validator that reports a vocabulary miss as the plain message (no "Value error")."""

    def check(value: str, info: ValidationInfo) -> str:
        try:
            return normalise(value)
        except profile_codes.VocabularyError as exc:
            if _lenient(info):
                return value
            # the key and values let a reader in another language get it in their words
            context = {"reason": str(exc), "key": exc.key, "values": exc.values}
            raise PydanticCustomError("vocabulary", "{reason}", context) from None

    return check


def _contact(value: str, info: ValidationInfo) -> str:
    """A contact is an e-mail address, a phone number or a notification URL (``scheme://``)."""
    value = value.strip()
    if not _lenient(info) and not any(pattern.fullmatch(value) for pattern in _CONTACTS):
        raise PydanticCustomError(
            "contact",
            "{value} is not a contact: give an e-mail address, a phone number or a "
            "notification URL (scheme://..., e.g. mailto://ip@example.com)",
            {"value": repr(value)},
        )
    return value


class LocalizedName(BaseModel):
    """A name in Chinese and English."""

    model_config = ConfigDict(extra="forbid")

    zh: str | None = None
    en: str | None = None


class Location(BaseModel):
    """Where an enterprise is."""

    model_config = ConfigDict(extra="forbid")

    province: str | None = None
    city: str | None = None


class Product(BaseModel):
    """A product line the enterprise exports."""

    model_config = ConfigDict(extra="forbid")

    name: str
    keywords: list[str] = Field(default_factory=list)
    hs: list[str] = Field(default_factory=list)


class Destination(BaseModel):
    """An export market and its share of export revenue (0..1)."""

    model_config = ConfigDict(extra="forbid")

    country: Annotated[str, AfterValidator(_checked(profile_codes.destination_country))]
    export_share: float | None = Field(default=None, ge=0, le=1)


class IPAsset(BaseModel):
    """A patent, trademark, design or copyright the enterprise holds or applied for."""

    model_config = ConfigDict(extra="forbid")

    type: Annotated[str, AfterValidator(_checked(profile_codes.asset_type))]
    jurisdiction: Annotated[str, AfterValidator(_checked(profile_codes.asset_jurisdiction))]
    number: str | None = None
    title: str | None = None
    status: Annotated[str, AfterValidator(_checked(profile_codes.asset_status))] | None = None
    expires: date | None = None


class EnterpriseProfile(BaseModel):
    """An enterprise profile: the file format and the API share this schema."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[A-Za-z0-9_.\-]{1,64}$")
    name: LocalizedName
    aliases: list[str] = Field(default_factory=list)
    uscc: str | None = Field(
        default=None, pattern=r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$"
    )
    location: Location = Field(default_factory=Location)
    chains: list[Annotated[str, AfterValidator(_checked(profile_codes.chain_id))]] = Field(
        default_factory=list
    )
    products: list[Product] = Field(default_factory=list)
    destinations: list[Destination] = Field(default_factory=list)
    ip_assets: list[IPAsset] = Field(default_factory=list)
    competitors: list[str] = Field(default_factory=list)
    watch_terms: list[str] = Field(default_factory=list)
    contacts: list[Annotated[str, AfterValidator(_contact)]] = Field(default_factory=list)

    @field_validator("destinations")
    @classmethod
    def _shares_at_most_whole(
        cls, value: list[Destination], info: ValidationInfo
    ) -> list[Destination]:
        total = sum(d.export_share or 0 for d in value)
        if total > 1 + 1e-9 and not _lenient(info):
            raise PydanticCustomError(
                "export_shares",
                "export shares add up to {total}, more than 100%",
                {"total": f"{total:.0%}"},
            )
        return value

    @classmethod
    def stored(cls, document: Any) -> EnterpriseProfile:
        """A profile read back from the database (``STORED``: leniently)."""
        return cls.model_validate(document, context=STORED)

    def display_name(self, lang: str = "zh") -> str:
        """The name in the requested language, falling back to the other."""
        first, second = (
            (self.name.zh, self.name.en) if lang == "zh" else (self.name.en, self.name.zh)
        )
        return first or second or self.id

    def names(self) -> list[str]:
        """Every name the enterprise is known by."""
        return [n for n in (self.name.zh, self.name.en, *self.aliases) if n]


class Alert(BaseModel):
    """An alert: this enterprise should know about this item, because of this rule."""

    enterprise_id: str
    item_id: str
    item_version: int = 1
    rule_id: str
    severity: Severity
    risk_code: str
    score: float = 1.0
    deadline: date | None = None
    title: dict[str, str] = Field(default_factory=dict)
    explanation: dict[str, Any] = Field(default_factory=dict)
    action: dict[str, str] = Field(default_factory=dict)


class HealthLevel(StrEnum):
    """The traffic-light result of a health check (DOMAIN.md 5.2)."""

    GREEN = "green"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"


class Evidence(BaseModel):
    """One fact a score or risk was computed from, in both languages, with where it came from.

    ``source`` names the origin: a profile field path (``profile.ip_assets``) or an item id.
    """

    text: LocalizedName
    source: str
    item_id: str | None = None
    url: str | None = None


class DimensionScore(BaseModel):
    """One of the eight health-check dimensions (D1..D8) with its score and evidence.

    ``score`` is ``None`` when the dimension could not be assessed (missing profile data);
    ``computed_from`` lists what was used (profile fields, item counts) so the score is
    explainable.
    """

    id: str
    name: LocalizedName
    weight: int
    score: float | None = None
    level: HealthLevel | None = None
    evidence: list[Evidence] = Field(default_factory=list)
    computed_from: list[str] = Field(default_factory=list)
    not_assessed_reason: LocalizedName | None = None


class RiskFinding(BaseModel):
    """A top risk: risk code x market x product, with likelihood, impact and the items behind it."""

    risk_code: str
    market: str | None = None
    product: str | None = None
    likelihood: int = Field(ge=1, le=5)
    impact: int = Field(ge=1, le=5)
    score: float
    explanation: LocalizedName
    item_ids: list[str] = Field(default_factory=list)


class Recommendation(BaseModel):
    """What to do, how urgently and who should do it."""

    priority: str  # high | medium | low
    owner: LocalizedName
    text: LocalizedName
    risk_code: str | None = None
    deadline: date | None = None


class AdvisorNote(BaseModel):
    """A rights-assistance advisor's note on a health check."""

    author: str
    text: str
    created_at: datetime


class HealthCheckResult(BaseModel):
    """An enterprise IP health check (企业知识产权体检) as of a date: what reports render."""

    enterprise_id: str
    enterprise_name: LocalizedName
    as_of: date
    window_start: date
    overall_score: float | None = None
    level: HealthLevel
    dimensions: list[DimensionScore]
    top_risks: list[RiskFinding] = Field(default_factory=list)
    recommendations: list[Recommendation] = Field(default_factory=list)
    items_considered: int = 0
    notes: list[AdvisorNote] = Field(default_factory=list)
