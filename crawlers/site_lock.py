"""One crawl per site at a time, across threads, worker processes and (with Redis) machines.

Beat schedules each source on its own, so two sources of one site (``wipo_lex`` and
``wipo_news`` both start at www.wipo.int) can come due together and be crawled by two workers
at once, asking the site twice as often as the per-domain throttle allows; a crawl started by
hand (``iprwatch crawl``) could likewise overlap a scheduled one. Every live crawl therefore
takes its site's lock first, without waiting (``site_lock``): the Celery task that finds the
site busy is retried later, so no worker sits blocked; the command says who holds the site
and exits.

The lock lives where the workers meet: in Redis when the broker is Redis (redis-py's ``Lock``:
a key with a lease, refreshed while the crawl runs and deleted only by its holder, so workers
on several hosts exclude each other), else in a file under the data directory (``flock``:
embedded mode runs its worker on one machine). Either way the lock records its holder
(``LockHolder``: which source, how started, where, since when), so that a crawl refused can
say what runs. A crawl cycle (``crawlers.cycle``) takes each source's lock the same way and
reports a source whose site is busy as such, uncrawled. A holder that dies frees its lock: the file lock goes with the process, the
Redis key when its lease (``LEASE_SECONDS``) runs out unrefreshed.
"""

from __future__ import annotations

import fcntl
import os
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal, cast
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from core.logging_ import get_logger
from core.settings import get_settings
from crawlers.errors import SiteBusy

if TYPE_CHECKING:
    from redis.lock import Lock

__all__ = [
    "LEASE_SECONDS", "LockHolder", "SiteLock", "StartedBy", "holding_site", "site_lock",
    "site_of", "source_site",
]  # fmt: skip

log = get_logger(__name__)

LEASE_SECONDS = 60.0
"""How long a Redis site lock outlives a holder that vanished; a live holder renews it every
third of that (``_Renewer``), however long its crawl runs."""
REDIS_KEY = "iprwatch:crawl-site:{site}"
StartedBy = Literal["schedule", "hand", "cycle"]
"""How a crawl was started: by a Celery task, by ``iprwatch crawl``, or by a crawl cycle."""
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def site_of(url: str) -> str:
    """The site a URL is on: host and port (the scheme's when none is given)."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}:{parts.port or parts.scheme}"


def source_site(source_id: str) -> str:
    """The site a source starts at (its first start URL).

    Raises:
        UnknownSourceError: When no source has this id.
    """
    from crawlers.registry import get_source

    return site_of(get_source(source_id).start_urls[0])


class LockHolder(BaseModel):
    """Who holds a site's lock, as the lock records it.

    Attributes:
        source: The source being crawled.
        started_by: ``schedule`` (a Celery task, from beat or sent), ``hand``
            (``iprwatch crawl``) or ``cycle`` (``crawlers.cycle.crawl_cycle``).
        host: The machine the crawl runs on.
        pid: Its process there.
        since: When the lock was taken (UTC).
    """

    source: str
    started_by: StartedBy
    host: str
    pid: int
    since: datetime

    @classmethod
    def here(cls, source: str, started_by: StartedBy) -> LockHolder:
        """This process, about to crawl ``source``, from now."""
        return cls(
            source=source, started_by=started_by, host=socket.gethostname(), pid=os.getpid(),
            since=datetime.now(UTC),
        )  # fmt: skip

    @classmethod
    def read(cls, text: str | bytes | None) -> LockHolder | None:
        """The holder a lock recorded; ``None`` when it recorded none readable (a lock taken
        by an earlier version, or caught while being written)."""
        if not text:
            return None
        try:
            return cls.model_validate_json(text)
        except ValidationError:
            return None


@dataclass(frozen=True)
class SiteLock:
    """The outcome of asking for a site's lock.

    Attributes:
        held: Whether this crawl holds it now.
        holder: When it does not, who does (``None`` if the lock does not say).
    """

    held: bool
    holder: LockHolder | None = None


@contextmanager
def site_lock(site: str, holder: LockHolder) -> Iterator[SiteLock]:
    """Hold the site's lock for the block if it is free, recorded as ``holder``; when another
    crawl holds it, the block gets that crawl's record instead (nothing is waited for)."""
    broker = get_settings().effective_broker_url()
    if broker.startswith(("redis://", "rediss://")):
        with _redis_lock(broker, site, holder) as lock:
            yield lock
    else:
        with _file_lock(get_settings().resolved_data_dir() / "locks", site, holder) as lock:
            yield lock


@contextmanager
def holding_site(source_id: str, started_by: StartedBy) -> Iterator[None]:
    """Hold the lock of ``source_id``'s site for the block.

    Raises:
        UnknownSourceError: When no source has this id.
        SiteBusy: When another crawl holds the site (the block does not run).
    """
    site = source_site(source_id)
    with site_lock(site, LockHolder.here(source_id, started_by)) as lock:
        if not lock.held:
            raise SiteBusy(source_id, site, lock.holder)
        yield


@contextmanager
def _redis_lock(url: str, site: str, holder: LockHolder) -> Iterator[SiteLock]:
    import redis

    client = redis.Redis.from_url(url)
    key = REDIS_KEY.format(site=site)
    # Not thread-local: the renewing thread extends the lease with the holder's token.
    lock = client.lock(key, timeout=LEASE_SECONDS, blocking=False, thread_local=False)
    try:
        if not lock.acquire(token=holder.model_dump_json()):
            recorded = cast("bytes | None", client.get(key))  # a sync client's answer
            yield SiteLock(held=False, holder=LockHolder.read(recorded))
            return
        renewer = _Renewer(lock, site)
        renewer.start()
        try:
            yield SiteLock(held=True)
        finally:
            renewer.stop()
            _release_redis(lock, site)
    finally:
        client.close()


class _Renewer(threading.Thread):
    """Extends a held Redis lock's lease every third of ``LEASE_SECONDS`` until stopped, so a
    crawl may run longer than the lease while a dead holder's lock still runs out soon."""

    def __init__(self, lock: Lock, site: str) -> None:
        super().__init__(name=f"site-lock {site}", daemon=True)
        self.lock = lock
        self.site = site
        self._stopped = threading.Event()

    def run(self) -> None:
        from redis.exceptions import LockError, RedisError

        while not self._stopped.wait(LEASE_SECONDS / 3):
            try:
                self.lock.reacquire()
            except LockError:  # the lease ran out (a stalled process): another may hold it
                log.warning("crawl site lock lost before the crawl ended", site=self.site)
                return
            except RedisError as exc:  # try again at the next turn, within the lease
                log.warning("crawl site lock not renewed", site=self.site, error=str(exc))

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=10)


def _release_redis(lock: Lock, site: str) -> None:
    from redis.exceptions import LockError

    try:
        lock.release()
    except LockError:  # the lease ran out and another crawl may hold it now: leave it be
        log.warning("crawl site lock expired before release", site=site)


@contextmanager
def _file_lock(folder: Path, site: str, holder: LockHolder) -> Iterator[SiteLock]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"crawl-{_UNSAFE.sub('_', site)}.lock").open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            yield SiteLock(held=False, holder=LockHolder.read(handle.read()))
            return
        try:
            _rewrite(handle, holder.model_dump_json())
            yield SiteLock(held=True)
        finally:
            _rewrite(handle, "")
            fcntl.flock(handle, fcntl.LOCK_UN)


def _rewrite(handle: IO[str], text: str) -> None:
    """Replace the lock file's record (its holder) with ``text``."""
    handle.seek(0)
    handle.truncate()
    handle.write(text)
    handle.flush()
