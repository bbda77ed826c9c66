"""The crawler exception hierarchy (one place, so callers catch by meaning).

::

    CrawlerError
    ├── SourceConfigError    a ``source.yml`` or its spider module is invalid
    ├── UnknownSourceError   no source has that id (also a ``LookupError``)
    ├── PayloadError         a response body is not what the source publishes
    ├── ReplayError          a replay path or saved response is unusable
    ├── CrawlProcessError    the crawl itself could not run (reactor, child process)
    └── SiteBusy             another crawl holds the site's lock: try again later

``PayloadError`` is raised inside spiders and recorded as a fatal problem of the run; during a
replay the runner turns that problem into a ``ReplayError``. Messages are one line, because
they end up in logs, run records and CLI output.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crawlers.outcome import CrawlOutcome
    from crawlers.site_lock import LockHolder


def one_line(text: str) -> str:
    """Collapse whitespace (newlines included) so a message fits on one line."""
    return " ".join(text.split())


class CrawlerError(Exception):
    """Base class of every error the crawlers raise on purpose."""


class SourceConfigError(CrawlerError):
    """A source definition is invalid: the message names the file and the field."""


class UnknownSourceError(CrawlerError, LookupError):
    """No source has the requested id; the message lists the known ids.

    Attributes:
        source_id: The id that was asked for.
        known: The ids that exist.
    """

    def __init__(self, source_id: str, known: list[str]) -> None:
        self.source_id = source_id
        self.known = sorted(known)
        listed = ", ".join(self.known) or "(none)"
        super().__init__(f"unknown source {source_id!r}; known sources: {listed}")


class PayloadError(CrawlerError):
    """A response body cannot be read as what the source publishes.

    Attributes:
        location: The URL, or the replay file path, of the response.
        reason: What was wrong, in a few words.
    """

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = one_line(reason)
        super().__init__(f"{location}: {self.reason}")


class ReplayError(CrawlerError):
    """A replay path or saved response is unusable.

    ``str(error)`` is one line naming the file and what was wrong with it.

    Attributes:
        location: The replay file or folder.
        reason: What was wrong with it.
        outcome: The outcome of the crawl that found the problem, when a crawl ran.
    """

    def __init__(self, location: str, reason: str, outcome: CrawlOutcome | None = None) -> None:
        self.location = location
        self.reason = one_line(reason)
        self.outcome = outcome
        super().__init__(f"{location}: {self.reason}")


class CrawlProcessError(CrawlerError):
    """The crawl could not run at all (a used reactor, a child process that died)."""


class SiteBusy(CrawlerError):
    """Another crawl holds the site's lock (``crawlers.site_lock``); nothing was crawled.

    Attributes:
        source_id: The source that was to be crawled.
        site: Its site (host and port).
        holder: The crawl holding the site, when its lock says.
    """

    def __init__(self, source_id: str, site: str, holder: LockHolder | None) -> None:
        self.source_id = source_id
        self.site = site
        self.holder = holder
        running = f"{holder.source} since {holder.since:%Y-%m-%d %H:%M:%S} UTC" if holder else "?"
        super().__init__(f"{site} is being crawled ({running}); {source_id} not crawled")
