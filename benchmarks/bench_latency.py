"""End-to-end alert latency in Celery mode with Redis: from a feed being fetched to the
instant delivery reaching a webhook.

A local HTTP server serves an RSS feed (the shape of WIPO's press-room feed in
``tests/fixtures/wipo_news``) through a generic ``feed`` source written to a temporary
sources folder; each run adds one new Section 337 notice on lithium-ion batteries to it and
sends ``crawlers.crawl_source``. A real Celery worker (solo pool, every queue, Redis broker)
crawls (Scrapy in a child process), stores, tags, indexes, evaluates and delivers to a local
webhook receiver. Latency = the webhook's receipt of the new alert minus the moment the
server answered the feed request. The first run (worker cold: pipelines loading) is reported
apart; the figure is the median of the warm runs.

    python -m benchmarks.bench_latency [--runs 5] [--redis redis://127.0.0.1:6379/13]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import yaml

from benchmarks._bench_kit import PROFILES_YAML, WebhookClock, embedded_env, loadavg, median

TARGET_S = 10.0
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"


class FeedSite:
    """Serves ``/feed.xml`` (the current items) and records when it was last served."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str]] = []
        self.served_at: float | None = None
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/robots.txt":
                    body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
                else:
                    body, kind = site.feed(), "application/rss+xml; charset=utf-8"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                if self.path != "/robots.txt":
                    site.served_at = time.monotonic()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/feed.xml"

    def add_notice(self, n: int) -> None:
        inv = f"337-TA-{1700 + n}"
        title = (
            f"Certain Lithium-Ion Battery Cells and Products Containing the Same; Inv. No. {inv}"
        )
        text = (
            "Notice is hereby given that the U.S. International Trade Commission has voted to "
            f"institute an investigation under section 337 ({inv}) of certain lithium-ion "
            "battery cells, based on a complaint alleging patent infringement."
        )
        self.entries.append(
            (f"https://www.usitc.gov/press_room/news_release/{inv}.htm", title, text)
        )

    def feed(self) -> bytes:
        now = format_datetime(datetime.now(UTC))
        items = "".join(
            f"<item><title>{escape(t)}</title><link>{escape(u)}</link>"
            f'<guid isPermaLink="true">{escape(u)}</guid><pubDate>{now}</pubDate>'
            f"<description>{escape(d)}</description></item>"
            for u, t, d in self.entries
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            "<title>USITC news releases</title><link>https://www.usitc.gov/</link>"
            f"<description>Section 337</description>{items}</channel></rss>"
        ).encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _write_source(root: Path, url: str) -> None:
    data = {
        "id": "bench_feed",
        "title": {"zh": "基准测试来源", "en": "Benchmark feed"},
        "publisher": "IPRWatch benchmarks",
        "jurisdictions": ["US"],
        "language": "en",
        "start_urls": [url],
        "spider": "feed",
        "schedule": "daily",
        "kind": "dispute",
        "expected": {"min_items": 1, "max_items": 500},
    }
    (root / "bench_feed").mkdir(parents=True)
    (root / "bench_feed" / "source.yml").write_text(yaml.safe_dump(data), encoding="utf-8")


def _setup(webhook: WebhookClock) -> None:
    from core.db import session_scope
    from core.migrate import upgrade
    from warning.profiles import parse_profiles
    from warning.store import save_profiles
    from warning.subscriptions import SubscriptionSpec, create_subscription

    upgrade()
    with session_scope() as session:
        save_profiles(session, parse_profiles(PROFILES_YAML))
    spec = SubscriptionSpec(
        name="latency",
        enterprise_id="wuxi-battery",
        channels=[webhook.url()],
        owner_contact=webhook.url(),
        language="en",
    )
    with session_scope() as session:
        create_subscription(session, spec)


def _one_run(n: int, site: FeedSite, webhook: WebhookClock, sender: Any, worker: Any) -> float:
    seen = len(webhook.arrived)
    site.add_notice(n)
    sender.send_task("crawlers.crawl_source", args=["bench_feed"])
    deadline = time.monotonic() + 120
    while len(webhook.arrived) <= seen:
        if worker.poll() is not None:
            raise RuntimeError("the Celery worker exited")
        if time.monotonic() > deadline:
            raise TimeoutError("no alert reached the webhook in 120 s")
        time.sleep(0.01)
    arrived = max(webhook.arrived.values())
    assert site.served_at is not None
    return arrived - site.served_at


def run(runs: int = 5, redis_url: str | None = None) -> dict[str, Any]:
    """Measure; returns the cold latency and the median of the warm runs."""
    import redis

    from api.runtime import start_worker, stop_worker
    from core.celery_app import create_celery

    url = redis_url or os.environ.get("IPRWATCH_BENCH_REDIS_URL", DEFAULT_REDIS)
    redis.Redis.from_url(url).flushdb()
    load_before = loadavg()
    site, webhook = FeedSite(), WebhookClock()
    with tempfile.TemporaryDirectory(prefix="bench-latency-") as tmp:
        root = Path(tmp) / "sources"
        _write_source(root, site.url)
        env = {"broker_url": url, "sources_dir": str(root), "webhook_allow_loopback": "1"}
        with embedded_env(Path(tmp) / "var", **env):
            _setup(webhook)
            worker = start_worker()
            sender = create_celery()
            try:
                latencies = [_one_run(n, site, webhook, sender, worker) for n in range(runs + 1)]
            finally:
                sender.close()
                stop_worker(worker)
                site.close()
                webhook.close()
    for n, seconds in enumerate(latencies):
        print(f"latency run {n}: {seconds:.2f} s", file=sys.stderr)
    return {
        "runs": runs,
        "cold_s": round(latencies[0], 2),
        "median_s": round(median(latencies[1:]), 2),
        "runs_s": [round(x, 2) for x in latencies[1:]],
        "target_s": TARGET_S,
        "broker": "redis",
        "load_before": load_before,
        "load_after": loadavg(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--redis", default=None)
    args = parser.parse_args()
    print(json.dumps(run(args.runs, args.redis), indent=2))


if __name__ == "__main__":
    main()
