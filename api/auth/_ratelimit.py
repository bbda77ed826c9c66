"""Rate limits per API key and per client IP on login (the ``limits`` library).

Counters live in memory in embedded mode and in Redis when the broker is Redis, so that
every API process shares them at scale. API keys are counted with a sliding window counter
(two counters per key: constant cost per request, however high the limit; in memory, the
lighter :class:`~api.auth._window.LocalSlidingWindow`); logins with a moving window (exact,
and rare enough that keeping every attempt's time costs nothing).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, Storage, storage_from_string
from limits.strategies import (
    MovingWindowRateLimiter,
    SlidingWindowCounterRateLimiter,
)
from limits.strategies import (
    RateLimiter as Strategy,
)

from api.auth._errors import RateLimited
from api.auth._window import LocalSlidingWindow
from core.settings import get_settings

LOGIN_ACCOUNT_FAILURES = "30/hour"
"""Failed logins per e-mail address, whatever the IP (slows distributed guessing)."""


def storage_url() -> str:
    """Redis when the broker is Redis (shared by all processes), else process memory."""
    broker = get_settings().broker_url
    if broker.startswith(("redis://", "rediss://")):
        return broker
    return "memory://"


@dataclass
class RateLimiter:
    """The limits the API enforces, over one storage."""

    storage: Storage
    api_key: RateLimitItem
    login_ip: RateLimitItem
    login_account: RateLimitItem
    _keys: Strategy = field(init=False, repr=False)
    _logins: Strategy = field(init=False, repr=False)
    _local_keys: LocalSlidingWindow | None = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._keys = SlidingWindowCounterRateLimiter(self.storage)
        self._logins = MovingWindowRateLimiter(self.storage)
        local = isinstance(self.storage, MemoryStorage)
        self._local_keys = LocalSlidingWindow() if local else None

    @classmethod
    def from_settings(cls, url: str | None = None) -> RateLimiter:
        """Limits from ``IPRWATCH_RATE_LIMIT_*`` over the storage for this deployment."""
        settings = get_settings()
        storage = storage_from_string(url or storage_url())
        if not isinstance(storage, Storage):
            raise ValueError(
                "the rate-limit storage must be a synchronous one (memory://, redis://)"
            )
        return cls(
            storage=storage,
            api_key=parse(settings.rate_limit_api_key),
            login_ip=parse(settings.rate_limit_login),
            login_account=parse(LOGIN_ACCOUNT_FAILURES),
        )

    @staticmethod
    def _retry_after(strategy: Strategy, item: RateLimitItem, *identifiers: str) -> int:
        reset = strategy.get_window_stats(item, *identifiers).reset_time
        return max(1, math.ceil(reset - time.time()))

    def hit_api_key(self, key_id: int) -> None:
        """Count one request by a key; raise :class:`RateLimited` past its limit."""
        if self._local_keys is not None:
            if not self._local_keys.hit(self.api_key, str(key_id)):
                retry_after = self._local_keys.retry_after(self.api_key, str(key_id))
                raise RateLimited(self._key_message(), retry_after)
            return
        if not self._keys.hit(self.api_key, "api_key", str(key_id)):
            retry_after = self._retry_after(self._keys, self.api_key, "api_key", str(key_id))
            raise RateLimited(self._key_message(), retry_after)

    def _key_message(self) -> str:
        return f"too many requests for this API key (limit {self.api_key})"

    def hit_login(self, ip: str, email: str) -> None:
        """Count one login attempt from ``ip``; refuse when the IP or the account is over."""
        account = email.strip().lower()
        if not self._logins.test(self.login_account, "login_account", account):
            raise RateLimited(
                "too many failed logins for this account; try again later",
                self._retry_after(self._logins, self.login_account, "login_account", account),
            )
        if not self._logins.hit(self.login_ip, "login_ip", ip):
            raise RateLimited(
                "too many login attempts; try again later",
                self._retry_after(self._logins, self.login_ip, "login_ip", ip),
            )

    def login_failed(self, email: str) -> None:
        """Count a failed login against the account."""
        self._logins.hit(self.login_account, "login_account", email.strip().lower())
