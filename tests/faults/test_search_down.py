"""The search engine down: ingestion and alerting go on in the database; when the engine
returns, it catches up from the outbox and search finds every item.

OpenSearch (``IPRWATCH_TEST_OPENSEARCH_URL``) is reached through a local TCP proxy that the
test closes and reopens; the shared engine itself is never stopped. A real Celery worker on
the serverless broker runs the pipeline: ``tagger.tag_items`` sends ``warning.evaluate_items``
and ``search.index_items``; the index task fails with ``SearchUnavailable`` while the proxy
is closed and retries with backoff until it is open again.
"""

from __future__ import annotations

import contextlib
import urllib.request
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from api.runtime import start_worker, stop_worker
from core.celery_app import create_celery
from core.settings import get_settings
from search.backend import get_backend
from search.errors import SearchUnavailable
from search.query import SearchQuery
from tests.conftest import require_service
from tests.faults._pipeline_kit import (
    ITC_RULE,
    TcpProxy,
    WebhookLog,
    alert_keys,
    battery_notices,
    save_test_profiles,
    state,
    store_batch,
    subscribe,
    wait_for,
)

BEFORE, DURING = 12, 40


@pytest.fixture
def engine_proxy(db: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TcpProxy]:
    """The search URL points at a proxy in front of OpenSearch, with an alias of its own."""
    base = require_service("IPRWATCH_TEST_OPENSEARCH_URL", "OpenSearch").rstrip("/")
    parts = urlsplit(base)
    proxy = TcpProxy((parts.hostname or "127.0.0.1", parts.port or 9200))
    proxy.start()
    alias = f"iprw-fault-{uuid.uuid4().hex[:10]}"
    url = f"opensearch+http://127.0.0.1:{proxy.port}/?alias={alias}&refresh=true"
    monkeypatch.setenv("IPRWATCH_SEARCH_URL", url)
    monkeypatch.setenv("IPRWATCH_WEBHOOK_ALLOW_LOOPBACK", "1")
    get_settings.cache_clear()
    yield proxy
    proxy.stop()
    request = urllib.request.Request(f"{base}/{alias}-*", method="DELETE")
    with contextlib.suppress(OSError):
        urllib.request.urlopen(request, timeout=10).close()


def _searchable_ids() -> set[str]:
    found: set[str] = set()
    for q in ("lithium-ion battery", "锂离子电池"):
        page = get_backend().search(SearchQuery(q=q, limit=100))
        found |= {hit.id for hit in page.hits}
        while page.next_cursor:
            page = get_backend().search(SearchQuery(q=q, limit=100, cursor=page.next_cursor))
            found |= {hit.id for hit in page.hits}
    return found


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_alerting_goes_on_while_the_engine_is_down_and_search_catches_up(
    engine_proxy: TcpProxy,
) -> None:
    save_test_profiles()
    webhook = WebhookLog()
    webhook.start()
    subscribe(webhook)
    sender = create_celery()
    worker = start_worker()

    def alive() -> None:
        assert worker.poll() is None, "the worker exited"

    try:
        before = store_batch(battery_notices(BEFORE, prefix="before"))
        sender.send_task("tagger.tag_items", args=[before])
        wait_for(lambda: state().settled, 180, "the first batch", alive)
        assert _searchable_ids() == set(before)

        engine_proxy.stop()
        with pytest.raises(SearchUnavailable):
            get_backend().search(SearchQuery(q="battery"))
        during = store_batch(battery_notices(DURING, prefix="during"))
        for start in range(0, DURING, 8):
            sender.send_task("tagger.tag_items", args=[during[start : start + 8]])

        def alerted_but_not_indexed() -> bool:
            s = state()
            return s.untagged == 0 and s.unevaluated == 0 and len(webhook.hook_posts()) >= DURING

        down_for = wait_for(alerted_but_not_indexed, 180, "alerts while the engine is down", alive)
        assert state().unindexed == DURING  # waiting in the outbox
        alerted = {item for item, _, rule in alert_keys() if rule == ITC_RULE}
        assert alerted == set(before) | set(during)

        engine_proxy.start()
        caught_up = wait_for(lambda: state().unindexed == 0, 180, "the outbox to drain", alive)
    finally:
        sender.close()
        stop_worker(worker)
        webhook.stop()
    assert _searchable_ids() == set(before) | set(during)
    assert get_backend().count() == BEFORE + DURING
    print(f"engine down {down_for:.1f} s while {DURING} items were alerted; "
          f"caught up {caught_up:.1f} s after it came back")  # fmt: skip
