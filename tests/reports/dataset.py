"""A fixed dataset for report tests: items with their tags as the tagger would store them,
sources with their freshness, a profile and a health-check result."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from core.models import Enterprise, Item, Source
from core.types import (
    AdvisorNote,
    DimensionScore,
    EnterpriseProfile,
    Evidence,
    HealthCheckResult,
    HealthLevel,
    LocalizedName,
    Recommendation,
    RiskFinding,
)

AS_OF = date(2025, 10, 15)
GENERATED = datetime(2025, 10, 15, 8, 0, tzinfo=UTC)


def _party(
    name: str, role: str, chinese: bool = False, province: str | None = None
) -> dict[str, Any]:
    return {
        "name": name,
        "role": role,
        "location": None,
        "chinese": chinese,
        "province": province,
        "city": None,
    }


def _item(
    key: str,
    source: str,
    title: str,
    published: datetime,
    kind: str,
    jurisdictions: list[str],
    chains: list[str] = (),  # type: ignore[assignment]
    parties: list[dict[str, Any]] = (),  # type: ignore[assignment]
    case_refs: list[str] = (),  # type: ignore[assignment]
    signals: list[dict[str, Any]] = (),  # type: ignore[assignment]
    products: list[str] = (),  # type: ignore[assignment]
    flags: list[str] = (),  # type: ignore[assignment]
) -> dict[str, Any]:
    tags = {
        "chains": [{"id": c, "score": 1.0, "evidence": []} for c in chains],
        "kind": kind,
        "ip_types": ["patent"],
        "jurisdictions": list(jurisdictions),
        "parties": list(parties),
        "case_refs": list(case_refs),
        "products": list(products),
        "signals": list(signals),
        "flags": list(flags),
    }
    return dict(
        id=f"{source}:{key}",
        source_id=source,
        url=f"https://example.org/{source}/{key}",
        title=title,
        summary="",
        body="",
        language="en",
        published_at=published,
        jurisdictions=list(jurisdictions),
        kind=kind,
        ip_types=["patent"],
        case_refs=list(case_refs),
        parties=list(parties),
        content_hash=key,
        version=1,
        tags=tags,
    )


def _at(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 12, 0, tzinfo=UTC)


ITEMS = [
    _item(
        "itc-1456",
        "usitc_337_news",
        "USITC Institutes Section 337 Investigation: Certain Lithium-Ion Battery Cells (337-TA-1456)",
        _at(7, 8),
        "dispute",
        ["US"],
        chains=["A5"],
        parties=[
            _party("Energy Holdings LLC", "complainant"),
            _party("Wuxi Example Battery Co., Ltd.", "respondent", True, "Jiangsu"),
            _party("Ningbo Cells Co.", "respondent", True, "Zhejiang"),
        ],
        case_refs=["337-TA-1456"],
        products=["lithium-ion battery cells"],
        signals=[
            {"type": "institution", "date": "2025-07-08"},
            {"type": "initial_determination", "date": "2026-03-02"},
        ],
    ),
    _item(
        "txed-1",
        "courtlistener_recap",
        "Acme Networks v. Shenzhen Switch Co. <script>alert(1)</script>",
        _at(7, 21),
        "dispute",
        ["US"],
        chains=["L1"],
        parties=[
            _party("Acme Networks Inc.", "plaintiff"),
            _party("Shenzhen Switch Co.", "defendant", True, "Guangdong"),
        ],
        case_refs=["2:25-cv-00777"],
        products=["Ethernet switch"],
        signals=[{"type": "complaint_filed", "date": "2025-07-21"}],
    ),
    _item(
        "ilnd-1",
        "courtlistener_recap",
        "Toy Brand Ltd. v. The Partnerships and Unincorporated Associations Identified on Schedule A",
        _at(8, 5),
        "dispute",
        ["US"],
        chains=["A2"],
        parties=[_party("Toy Brand Ltd.", "plaintiff"), _party("Store 123", "defendant", True)],
        case_refs=["1:25-cv-08888"],
        flags=["schedule_a"],
        signals=[{"type": "tro", "date": "2025-08-07"}],
    ),
    _item(
        "cbp-1",
        "federal_register",
        "CBP seizes counterfeit lithium batteries at Los Angeles port",
        _at(9, 2),
        "enforcement",
        ["US"],
        chains=["A5"],
        signals=[{"type": "customs_detention", "date": "2025-09-01"}],
    ),
    _item(
        "rule-1",
        "federal_register",
        "Changes to Patent Term Adjustment; Final Rule",
        _at(8, 14),
        "rule_change",
        ["US"],
        chains=[],
    ),
    _item(
        "rule-2",
        "cafc_opinions",
        "Federal Circuit clarifies obviousness standard for design patents (LKQ)",
        _at(9, 20),
        "rule_change",
        ["US"],
        chains=[],
    ),
    _item(
        "prev-1",
        "courtlistener_recap",
        "Old suit against Wuxi maker",
        _at(5, 10),
        "dispute",
        ["US"],
        chains=["L1"],
        parties=[
            _party("Plaintiff Co.", "plaintiff"),
            _party("Wuxi Old Co.", "defendant", True, "Jiangsu"),
        ],
        case_refs=["6:25-cv-00100"],
    ),
    _item(
        "upc-1",
        "upc_decisions",
        "统一专利法院慕尼黑地方分院对光伏组件作出临时禁令",
        _at(8, 28),
        "decision",
        ["UPC"],
        chains=["A5"],
        parties=[
            _party("Solar Patent GmbH", "claimant"),
            _party("江苏某光伏有限公司", "defendant", True, "江苏"),
        ],
        case_refs=["UPC_CFI_123/2025"],
        signals=[{"type": "preliminary_injunction", "date": "2025-08-27"}],
    ),
    _item(
        "eu-rule",
        "eu_official_journal",
        "Regulation (EU) 2025/1234 on compulsory licensing for crisis management",
        _at(9, 5),
        "rule_change",
        ["EU"],
    ),
]

SOURCES = [
    dict(id="usitc_337_news", title_en="USITC news releases on Section 337 investigations",
           title_zh="美国国际贸易委员会（USITC）337 调查新闻稿", jurisdictions=["US"],
           last_success_at=datetime(2025, 10, 14, tzinfo=UTC), healthy=True),
    dict(id="courtlistener_recap", title_en="U.S. district court dockets (CourtListener RECAP)",
           title_zh="美国联邦地区法院案件（CourtListener RECAP 案卷）", jurisdictions=["US"],
           last_success_at=datetime(2025, 9, 1, tzinfo=UTC), healthy=True),
    dict(id="federal_register", title_en="U.S. Federal Register", title_zh="美国《联邦公报》",
           jurisdictions=["US"], last_success_at=datetime(2025, 10, 15, tzinfo=UTC), healthy=True),
    dict(id="cafc_opinions", title_en="Federal Circuit opinions", title_zh="美国联邦巡回上诉法院判决",
           jurisdictions=["US"], last_success_at=None),
    dict(id="upc_decisions", title_en="Unified Patent Court decisions", title_zh="欧洲统一专利法院裁决",
           jurisdictions=["UPC"], last_success_at=datetime(2025, 10, 10, tzinfo=UTC), healthy=True),
    dict(id="eu_official_journal", title_en="Official Journal of the EU", title_zh="欧盟官方公报",
           jurisdictions=["EU"], last_success_at=datetime(2025, 10, 12, tzinfo=UTC), healthy=True),
]  # fmt: skip

PROFILE = EnterpriseProfile.model_validate(
    {
        "id": "wuxi-battery",
        "name": {"zh": "无锡某电池有限公司", "en": "Wuxi Example Battery Co., Ltd."},
        "location": {"province": "江苏", "city": "无锡"},
        "chains": ["A5"],
        "products": [{"name": "Lithium-ion battery cells", "hs": ["8507.60"]}],
        "destinations": [
            {"country": "US", "export_share": 0.4},
            {"country": "DE", "export_share": 0.2},
        ],
        "ip_assets": [
            {
                "type": "patent",
                "jurisdiction": "CN",
                "number": "ZL202110000001.X",
                "title": "一种电池模组",
                "status": "granted",
            },
            {
                "type": "trademark",
                "jurisdiction": "US",
                "number": "97000001",
                "title": "WXB",
                "status": "registered",
            },
        ],
        "competitors": ["Energy Holdings LLC"],
    }
)

SPARSE_PROFILE = EnterpriseProfile.model_validate(
    {"id": "sparse-co", "name": {"zh": "无锡简档有限公司"}}
)


def _dimension(number: int, zh: str, en: str, weight: int, score: float | None) -> DimensionScore:
    level = None
    if score is not None:
        level = (
            HealthLevel.GREEN
            if score >= 80
            else HealthLevel.YELLOW
            if score >= 60
            else HealthLevel.ORANGE
            if score >= 40
            else HealthLevel.RED
        )
    return DimensionScore(
        id=f"D{number}",
        name=LocalizedName(zh=zh, en=en),
        weight=weight,
        score=score,
        level=level,
        evidence=[
            Evidence(
                text=LocalizedName(zh=f"{zh}的依据", en=f"Evidence for {en}"),
                source="profile.ip_assets",
            )
        ]
        if score is not None
        else [],
        computed_from=["profile.ip_assets"] if score is not None else [],
        not_assessed_reason=None
        if score is not None
        else LocalizedName(
            zh="档案未提供相关信息", en="The profile does not give this information"
        ),
    )


DIMENSIONS = [
    (1, "资产盘点", "IP asset inventory", 10, 70.0),
    (2, "权利质量", "Quality & stability", 10, None),
    (3, "海外布局匹配度", "Overseas coverage vs exports", 15, 45.0),
    (4, "侵权风险暴露", "Infringement exposure (FTO)", 20, 35.0),
    (5, "权属与合同合规", "Ownership & contract compliance", 10, None),
    (6, "管理体系", "Management system", 10, 60.0),
    (7, "纠纷与应对能力", "Disputes & readiness", 15, 50.0),
    (8, "运营价值", "Value realisation", 10, 80.0),
]

RESULT = HealthCheckResult(
    enterprise_id="wuxi-battery",
    enterprise_name=LocalizedName(zh="无锡某电池有限公司", en="Wuxi Example Battery Co., Ltd."),
    as_of=AS_OF,
    window_start=date(2024, 10, 15),
    overall_score=52.4,
    level=HealthLevel.ORANGE,
    dimensions=[_dimension(*d) for d in DIMENSIONS],
    top_risks=[
        RiskFinding(
            risk_code="ITC337",
            market="US",
            product="Lithium-ion battery cells",
            likelihood=5,
            impact=5,
            score=25,
            explanation=LocalizedName(
                zh="337调查将本企业列为被申请人",
                en="A 337 investigation names the company as respondent",
            ),
            item_ids=["usitc_337_news:itc-1456"],
        ),
        RiskFinding(
            risk_code="UPC",
            market="DE",
            product="Lithium-ion battery cells",
            likelihood=3,
            impact=4,
            score=12,
            explanation=LocalizedName(
                zh="统一专利法院对同链中国企业发布临时禁令",
                en="UPC preliminary injunction against a Chinese peer in the chain",
            ),
            item_ids=["upc_decisions:upc-1"],
        ),
    ],
    recommendations=[
        Recommendation(
            priority="high",
            owner=LocalizedName(zh="法务部", en="Legal department"),
            text=LocalizedName(
                zh="聘请美国337应诉律师并在立案后尽快提交答辩",
                en="Retain US 337 counsel and answer the complaint promptly",
            ),
            risk_code="ITC337",
            deadline=date(2025, 11, 1),
        ),
        Recommendation(
            priority="medium",
            owner=LocalizedName(zh="知识产权经理", en="IP manager"),
            text=LocalizedName(zh="在德国提交保护函", en="File a protective letter in Germany"),
            risk_code="UPC",
        ),
    ],
    items_considered=9,
    notes=[
        AdvisorNote(
            author="张顾问", text="建议优先处理337应诉；已联系江苏分中心。", created_at=GENERATED
        )
    ],
)


def seed(session: Session) -> None:
    """Store the dataset (items, sources and the profile's enterprise row)."""
    session.add_all([Source(**s) for s in SOURCES] + [Item(**i) for i in ITEMS])
    session.add(
        Enterprise(
            id=PROFILE.id,
            name_zh=PROFILE.name.zh,
            name_en=PROFILE.name.en,
            profile=PROFILE.model_dump(mode="json"),
        )
    )
    session.flush()
