"""The whole loop through a real Celery worker: replayed real responses become alerts.

Embedded mode uses the serverless SQLite broker; the same test runs on Redis when present.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from api.runtime import load_demo_data
from core.db import session_scope
from core.models import AlertRow, CrawlRun, Item, OutboxEntry
from core.settings import get_settings
from tests.conftest import require_service


def _assert_loop_completed() -> None:
    with session_scope() as session:
        runs = list(session.scalars(select(CrawlRun)))
        assert runs and all(r.status == "ok" for r in runs), [(r.source_id, r.reason) for r in runs]
        items = session.scalar(select(func.count()).select_from(Item))
        assert items and items > 50
        assert session.scalar(select(func.count()).where(Item.tags.is_(None))) == 0
        assert session.scalar(select(func.count()).where(OutboxEntry.indexed_at.is_(None))) == 0
        alerts = list(session.scalars(select(AlertRow)))
    rules = {(a.enterprise_id, a.rule_id) for a in alerts}
    assert ("wuxi-netlink", "itc337_in_market_chain") in rules, rules
    assert ("wuxi-xineng", "itc337_in_market_chain") in rules, rules
    with session_scope() as session:
        sources = {row.source_id for row in session.scalars(select(CrawlRun))}
    assert len(sources) >= 15


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_demo_data_flows_through_celery_on_the_serverless_broker(data_dir: Path) -> None:
    load_demo_data()
    _assert_loop_completed()
    assert (data_dir / "celery-broker.db").exists()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_demo_data_flows_through_celery_on_redis(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import redis

    url = require_service("IPRWATCH_TEST_REDIS_URL", "Redis")
    redis.Redis.from_url(url).flushdb()
    monkeypatch.setenv("IPRWATCH_BROKER_URL", url)
    get_settings.cache_clear()
    load_demo_data()
    _assert_loop_completed()
    assert not (data_dir / "celery-broker.db").exists()


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_loading_twice_adds_no_duplicates(data_dir: Path) -> None:
    load_demo_data()
    with session_scope() as session:
        before = (
            session.scalar(select(func.count()).select_from(Item)),
            session.scalar(select(func.count()).select_from(AlertRow)),
        )
    load_demo_data()
    with session_scope() as session:
        after = (
            session.scalar(select(func.count()).select_from(Item)),
            session.scalar(select(func.count()).select_from(AlertRow)),
        )
    assert after == before
