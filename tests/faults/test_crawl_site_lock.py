"""Two sources of one site coming due at once are never crawled together (``crawl_source``).

Beat schedules each source on its own: two sources starting at one site (as ``wipo_lex`` and
``wipo_news`` share www.wipo.int) could be crawled by two workers at once. Here the task runs
on two threads at once, as two workers would run it, against a local site that answers
slowly; with a Redis broker (``IPRWATCH_TEST_REDIS_URL``) the lock is in Redis, in embedded
mode in a file under the data directory.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from celery.exceptions import Retry

import crawlers.tasks
from core.celery_app import create_celery
from core.settings import get_settings
from crawlers.tasks import crawl_source
from tests.conftest import require_service
from tests.faults.conftest import Reply, Site, write_source
from tests.faults.test_crawl_cycle import RSS, WIPO, feed_slice


@pytest.fixture(params=["embedded", "redis"])
def broker(
    request: pytest.FixtureRequest, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The broker setting the workers share: none (embedded) or the test Redis."""
    url = ""
    if request.param == "redis":
        url = require_service("IPRWATCH_TEST_REDIS_URL", "Redis")
        monkeypatch.setenv("IPRWATCH_BROKER_URL", url)
    get_settings.cache_clear()
    app = create_celery()  # where the crawl sends its new items on to tagging
    monkeypatch.setattr(crawlers.tasks, "app", app)
    yield request.param
    if url:
        import redis

        client = redis.Redis.from_url(url)
        client.delete("nlp", *client.keys("iprwatch:crawl-site:*"))
        client.close()


def _run_together(source_ids: list[str]) -> dict[str, Any]:
    """``crawl_source`` for each source on its own thread, all started at once."""
    results: dict[str, Any] = {}
    start = threading.Barrier(len(source_ids))

    def run(source_id: str) -> None:
        start.wait()
        try:
            results[source_id] = crawl_source(source_id)
        except Exception as exc:
            results[source_id] = exc

    threads = [threading.Thread(target=run, args=(sid,)) for sid in source_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def test_two_sources_of_one_site_due_at_once_are_never_crawled_together(
    broker: str, db: str, sources_dir: Path, new_site: Callable[[], Site]
) -> None:
    shared, other = new_site(), new_site()
    for source_id, site in (("wipo_a", shared), ("wipo_b", shared), ("elsewhere", other)):
        url = site.serve(
            f"/{source_id}/feed.xml", Reply(feed_slice(WIPO, 0, 3), content_type=RSS, delay=1.0)
        )
        write_source(sources_dir, source_id, "feed", [url])

    results = _run_together(["wipo_a", "wipo_b", "elsewhere"])

    assert isinstance(results.pop("elsewhere"), dict), "another site's crawl did not wait"
    crawled = [sid for sid, result in results.items() if isinstance(result, dict)]
    put_off = [sid for sid, result in results.items() if isinstance(result, Retry)]
    assert len(crawled) == 1 and len(put_off) == 1, results
    assert results[crawled[0]]["items_seen"] == 3
    assert [path for path, _, _ in shared.served] == [f"/{crawled[0]}/feed.xml"]

    retried = crawl_source(put_off[0])  # as the retry, once the site is free again
    assert retried["items_seen"] == 3
    (_, _, first_end), (_, second_start, _) = shared.served
    assert second_start >= first_end, "the two crawls of the site overlapped"
