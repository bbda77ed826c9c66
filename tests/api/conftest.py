"""An API client over a database holding a few realistic items, a profile and its alerts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from core.types import ItemRecord, Party, stable_item_id
from tests.credentials import admin_headers

ITEMS = [
    ItemRecord(
        id=stable_item_id("federal_register", "2025-01001"),
        source="federal_register",
        url="https://www.federalregister.gov/d/2025-01001",
        title="Certain Lithium-Ion Battery Cells, Modules and Packs; Institution of Investigation",
        summary=(
            "Notice is hereby given that the U.S. International Trade Commission has instituted "
            "Investigation No. 337-TA-1450 under section 337 of the Tariff Act of 1930 based on a "
            "complaint alleging infringement of patents by lithium-ion battery cells. The "
            "respondents named are Jiangsu Example Battery Co., Ltd. of Wuxi, Jiangsu, China."
        ),
        language="en",
        published_at=datetime(2025, 3, 3, tzinfo=UTC),
        jurisdictions=["US"],
        kind="dispute",
        ip_types=["patent"],
        case_refs=["337-TA-1450"],
        parties=[
            Party(
                name="Jiangsu Example Battery Co., Ltd.",
                role="respondent",
                location="Wuxi, Jiangsu, China",
                chinese=True,
            )
        ],
    ),
    ItemRecord(
        id=stable_item_id("federal_register", "2025-02002"),
        source="federal_register",
        title="Changes to Patent Term Adjustment; Final Rule",
        summary="The United States Patent and Trademark Office amends the rules of practice in patent cases.",
        language="en",
        published_at=datetime(2025, 5, 1, tzinfo=UTC),
        jurisdictions=["US"],
        kind="rule_change",
        ip_types=["patent"],
    ),
    ItemRecord(
        id=stable_item_id("mofcom_ipr", "gbhj-1"),
        source="mofcom_ipr",
        title="欧盟统一专利法院对光伏组件专利侵权案发布临时禁令",
        summary="统一专利法院慕尼黑地方分院就TOPCon太阳能电池专利纠纷作出临时禁令，涉及多家中国光伏企业。",
        language="zh",
        published_at=datetime(2025, 6, 10, tzinfo=UTC),
        jurisdictions=["UPC"],
        kind="dispute",
        ip_types=["patent"],
    ),
]

PROFILE = """
id: wuxi-battery
name: {zh: 无锡某电池有限公司, en: Wuxi Example Battery Co.}
chains: [A5, F4]
destinations: [{country: US, export_share: 0.4}, {country: DE, export_share: 0.2}]
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    """The records database: SQLite always, PostgreSQL when it is available."""
    fixture = "db" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def client(database: str, data_dir: Path) -> Iterator[TestClient]:
    from api.app import create_app
    from api.pipeline import process_items
    from core.db import session_scope
    from crawlers.store import store_items
    from warning.profiles import parse_profiles
    from warning.store import save_profiles

    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILE))
        ids: list[str] = []
        for source in sorted({i.source for i in ITEMS}):
            result = store_items(session, source, [i for i in ITEMS if i.source == source])
            ids += [item_id for item_id, _ in result.written]
        session.flush()
        process_items(session, ids)
    with TestClient(create_app(), headers=admin_headers()) as test_client:
        yield test_client
