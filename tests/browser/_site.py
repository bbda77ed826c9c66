"""A small but complete IPRWatch site for the web-UI and browser tests.

Three battery makers in chains A5/F4 (so an alliance's de-identified groups reach three
enterprises), real-looking items published shortly before "today" (so some deadlines are
ahead and one alert is overdue), tagged, indexed and evaluated by the real pipeline, a
stored US briefing, a health check, a subscription, and one user per role:

* ``exporter@acme.example`` (exporter, org ``acme``) sees ``wuxi-battery`` only;
* ``exporter@beta.example`` (exporter, org ``beta``) sees ``suzhou-cells`` only;
* ``advisor@hengyuan.example`` (advisor) serves ``wuxi-battery`` and ``changzhou-storage``;
* ``alliance@battery.example`` (alliance) covers chains A5 and F4;
* ``admin@operator.example`` (admin) sees everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache

from core.types import ItemRecord, Party, stable_item_id

PASSWORDS = {
    "admin@operator.example": "admin-password-1",
    "exporter@acme.example": "acme-password-1",
    "exporter@beta.example": "beta-password-1",
    "advisor@hengyuan.example": "advisor-password-1",
    "alliance@battery.example": "alliance-password-1",
}
USERS = {
    "admin@operator.example": ("operator", "admin", "运营管理员"),
    "exporter@acme.example": ("acme", "exporter", "王敏"),
    "exporter@beta.example": ("beta", "exporter", "Li Hua"),
    "advisor@hengyuan.example": ("hengyuan", "advisor", "恒远知识产权 张律师"),
    "alliance@battery.example": ("battery-alliance", "alliance", "电池产业联盟"),
}
ORGS = {
    "operator": ("operator", "运营方", "Operator", []),
    "acme": ("exporter", "无锡某电池有限公司", "Wuxi Example Battery", []),
    "beta": ("exporter", "苏州电芯科技", "Suzhou Cells", []),
    "hengyuan": ("advisory", "恒远知识产权", "Hengyuan IP", []),
    "battery-alliance": ("alliance", "新能源电池产业联盟", "Battery Alliance", ["A5", "F4"]),
}
ASSIGNMENTS = [
    ("acme", "wuxi-battery"),
    ("beta", "suzhou-cells"),
    ("hengyuan", "wuxi-battery"),
    ("hengyuan", "changzhou-storage"),
]

PROFILES = """
enterprises:
  - id: wuxi-battery
    name: {zh: 无锡某电池有限公司, en: "Wuxi Example Battery Co., Ltd."}
    aliases: [Jiangsu Example Battery, 江苏示例电池]
    location: {province: 江苏, city: 无锡}
    chains: [A5, F4]
    products:
      - {name: Lithium-ion battery cells, keywords: [lithium-ion battery, battery cell, 锂电池], hs: ["8507.60"]}
    destinations: [{country: US, export_share: 0.4}, {country: DE, export_share: 0.2}]
    ip_assets:
      - {type: patent, jurisdiction: CN, number: ZL202210000001.X, title: 一种锂离子电池极片, status: granted}
    competitors: [Example Energy Inc.]
    watch_terms: [battery cell]
  - id: suzhou-cells
    name: {zh: 苏州电芯科技有限公司, en: "Suzhou Cells Technology Co., Ltd."}
    location: {province: 江苏, city: 苏州}
    chains: [A5]
    products:
      - {name: Battery modules, keywords: [battery module, lithium-ion battery], hs: ["8507.60"]}
    destinations: [{country: US, export_share: 0.5}]
  - id: changzhou-storage
    name: {zh: 常州储能系统有限公司, en: "Changzhou Energy Storage Systems Co., Ltd."}
    location: {province: 江苏, city: 常州}
    chains: [A5, F4]
    products:
      - {name: Energy-storage packs, keywords: [energy storage system, battery pack], hs: ["8507.60"]}
    destinations: [{country: US, export_share: 0.3}, {country: DE, export_share: 0.3}]
"""


def items(today: date) -> list[ItemRecord]:
    """The items, dated relative to ``today``: a fresh 337 case, an older one (its response
    deadline has passed), a rule change and a UPC injunction."""

    def day(days_ago: int) -> datetime:
        return datetime.combine(today - timedelta(days=days_ago), time(9), tzinfo=UTC)

    respondent = Party(
        name="Jiangsu Example Battery Co., Ltd.",
        role="respondent",
        location="Wuxi, Jiangsu, China",
        chinese=True,
    )
    return [
        ItemRecord(
            id=stable_item_id("federal_register", "2026-01450"),
            source="federal_register",
            url="https://www.federalregister.gov/d/2026-01450",
            title="Certain Lithium-Ion Battery Cells, Modules and Packs; Institution of Investigation",
            summary=(
                "Notice is hereby given that the U.S. International Trade Commission has "
                "instituted Investigation No. 337-TA-1450 under section 337 of the Tariff Act "
                "of 1930 based on a complaint alleging infringement of patents by lithium-ion "
                "battery cells. The respondents named are Jiangsu Example Battery Co., Ltd. of "
                "Wuxi, Jiangsu, China."
            ),
            language="en",
            published_at=day(3),
            jurisdictions=["US"],
            kind="dispute",
            ip_types=["patent"],
            case_refs=["337-TA-1450"],
            parties=[respondent],
        ),
        ItemRecord(
            id=stable_item_id("federal_register", "2026-00390"),
            source="federal_register",
            url="https://www.federalregister.gov/d/2026-00390",
            title="Certain Battery Packs for Energy Storage Systems; Institution of Investigation",
            summary=(
                "The U.S. International Trade Commission has instituted Investigation No. "
                "337-TA-1390 concerning energy storage system battery packs and lithium-ion "
                "battery cells imported from China."
            ),
            language="en",
            published_at=day(75),
            jurisdictions=["US"],
            kind="dispute",
            ip_types=["patent"],
            case_refs=["337-TA-1390"],
        ),
        ItemRecord(
            id=stable_item_id("federal_register", "2026-02002"),
            source="federal_register",
            title="Changes to Patent Term Adjustment; Final Rule",
            summary=(
                "The United States Patent and Trademark Office amends the rules of practice "
                "in patent cases."
            ),
            language="en",
            published_at=day(20),
            jurisdictions=["US"],
            kind="rule_change",
            ip_types=["patent"],
        ),
        ItemRecord(
            id=stable_item_id("mofcom_ipr", "gbhj-2026-1"),
            source="mofcom_ipr",
            title="欧盟统一专利法院对锂电池电芯专利侵权案发布临时禁令",
            summary=(
                "统一专利法院慕尼黑地方分院就锂电池电芯专利纠纷作出临时禁令，涉及多家中国"
                "电池企业，涉案产品包括储能电池。"
            ),
            language="zh",
            published_at=day(40),
            jurisdictions=["UPC", "DE"],
            kind="dispute",
            ip_types=["patent"],
        ),
    ]


@cache
def password_hash(password: str) -> str:
    """A real Argon2 hash, computed once per run (hashing is slow on purpose)."""
    from api.auth import hash_password

    return hash_password(password)


@dataclass
class Site:
    """Ids the tests need."""

    today: date
    alert_ids: dict[str, list[int]] = field(default_factory=dict)
    named_alert_id: int = 0  # wuxi-battery named as a 337 respondent: the showcase alert
    briefing_id: int = 0
    health_check_id: int = 0


def _accounts() -> None:
    from api.auth import assign_enterprise, create_org
    from core.db import session_scope
    from core.models import User

    with session_scope() as session:
        for org, (kind, zh, en, chains) in ORGS.items():
            create_org(session, org, kind, name_zh=zh, name_en=en, chains=chains)
        for org, enterprise in ASSIGNMENTS:
            assign_enterprise(session, org, enterprise)
        for email, (org, role, name) in USERS.items():
            session.add(
                User(
                    org_id=org,
                    email=email,
                    display_name=name,
                    password_hash=password_hash(PASSWORDS[email]),
                    role=role,
                )
            )


def build_site(today: date | None = None) -> Site:
    """Fill the current (migrated, empty) database with the site described above."""
    from sqlalchemy import select

    from api.pipeline import process_items
    from core.db import session_scope
    from core.models import AlertRow
    from crawlers.store import store_items
    from reports.service import generate_briefing, run_stored_health_check
    from warning.profiles import parse_profiles
    from warning.store import save_profiles
    from warning.subscriptions import SubscriptionSpec, create_subscription

    today = today or datetime.now(UTC).date()
    site = Site(today=today)
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILES))
        ids: list[str] = []
        records = items(today)
        for source in sorted({i.source for i in records}):
            result = store_items(session, source, [i for i in records if i.source == source])
            ids += [item_id for item_id, _ in result.written]
        session.flush()
        process_items(session, ids, as_of=today)
    _accounts()
    with session_scope() as session:
        for enterprise_id, alert_id in session.execute(
            select(AlertRow.enterprise_id, AlertRow.id).order_by(AlertRow.id)
        ).tuples():
            site.alert_ids.setdefault(enterprise_id, []).append(alert_id)
        site.named_alert_id = session.scalars(
            select(AlertRow.id).where(AlertRow.rule_id == "named_party_337")
        ).one()
        briefing, _ = generate_briefing(session, "US", None, None, today, "zh")
        site.briefing_id = briefing.id
        check, _ = run_stored_health_check(session, "wuxi-battery", today)
        site.health_check_id = check.id
        spec = SubscriptionSpec(
            name="337 与诉讼日报",
            enterprise_id="wuxi-battery",
            min_severity="medium",
            frequency="daily",
            channels=["mailto://ops@acme.example"],
            owner_contact="mailto://ops@acme.example",
        )
        create_subscription(session, spec)
    return site
