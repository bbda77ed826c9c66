"""One crawl per site at a time, across threads, worker processes and (with Redis) machines.

Beat schedules each source on its own, so two sources of one site (``wipo_lex`` and
``wipo_news`` both start at www.wipo.int) can come due together and be crawled by two workers
at once, asking the site twice as often as the per-domain throttle allows. A crawl therefore
takes its site's lock first, without waiting (``site_lock``); the Celery task that finds the
site busy is retried later, so no worker sits blocked.

The lock lives where the workers meet: in Redis when the broker is Redis (a key with a lease,
deleted only by its holder), else in a file under the data directory (``flock``: embedded mode
runs its worker on one machine). A holder that dies frees its lock: the file lock goes with
the process, the Redis key when its lease (``LEASE_SECONDS``) runs out.
"""

from __future__ import annotations

import fcntl
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from core.logging_ import get_logger
from core.settings import get_settings
from crawlers.runner import SUBPROCESS_TIMEOUT

__all__ = ["LEASE_SECONDS", "site_lock", "site_of", "source_site"]

log = get_logger(__name__)

LEASE_SECONDS = int(SUBPROCESS_TIMEOUT) + 300
"""How long a Redis site lock outlives a holder that vanished: longer than any crawl runs."""
REDIS_KEY = "iprwatch:crawl-site:{site}"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def site_of(url: str) -> str:
    """The site a URL is on: host and port (the scheme's when none is given)."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or parts.scheme}"


def source_site(source_id: str) -> str:
    """The site a source starts at (its first start URL)."""
    from crawlers.registry import get_source

    return site_of(get_source(source_id).start_urls[0])


@contextmanager
def site_lock(site: str) -> Iterator[bool]:
    """Hold the site's lock for the block if it is free: yields ``True`` when held, ``False``
    when another crawl holds it (nothing is waited for)."""
    broker = get_settings().effective_broker_url()
    if broker.startswith(("redis://", "rediss://")):
        with _redis_lock(broker, site) as held:
            yield held
    else:
        with _file_lock(get_settings().resolved_data_dir() / "locks", site) as held:
            yield held


@contextmanager
def _redis_lock(url: str, site: str) -> Iterator[bool]:
    import redis

    client = redis.Redis.from_url(url)
    lock = client.lock(REDIS_KEY.format(site=site), timeout=LEASE_SECONDS, blocking=False)
    try:
        held = bool(lock.acquire())
        try:
            yield held
        finally:
            if held:
                _release_redis(lock, site)
    finally:
        client.close()


def _release_redis(lock: object, site: str) -> None:
    from redis.exceptions import LockError

    try:
        lock.release()  # type: ignore[attr-defined]
    except LockError:  # the lease ran out and another crawl may hold it now: leave it be
        log.warning("crawl site lock expired before release", site=site)


@contextmanager
def _file_lock(folder: Path, site: str) -> Iterator[bool]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"crawl-{_UNSAFE.sub('_', site)}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
