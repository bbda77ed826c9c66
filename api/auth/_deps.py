"""FastAPI dependencies: who is calling, and may they?

* ``get_principal`` (alias ``OptionalPrincipal``): the caller or ``None``. An API key comes
  as ``Authorization: Bearer iprw_…`` or ``X-API-Key``; a bad or revoked key is a 401, never
  silently anonymous. Otherwise the session cookie is read; cookie-authenticated unsafe
  requests (POST, PUT, PATCH, DELETE) must echo the session's CSRF token in the
  ``X-CSRF-Token`` header or a ``csrf_token`` form field, or get 403. API-key requests are
  exempt: browsers do not attach them by themselves.
* ``require_principal`` (alias ``CurrentPrincipal``): 401 without credentials.
* ``require_role(*roles)`` and ``require_scope(scope)``: 403 when the caller lacks them.
  They, like ``require_principal``, are ``async``: they touch no database, so they need no
  worker thread.
* ``authorise_read(request, session, scope)``: the same checks, called from inside a
  read-only route's one worker-thread call (the alert list: the API's busiest route).
* ``require_web_principal`` (alias ``WebPrincipal``): for HTML pages; an anonymous browser
  is redirected to ``/login?next=<page>`` instead of getting a JSON 401.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated

import structlog
from fastapi import Depends, Request
from sqlalchemy import Engine, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from api.auth._cache import PrincipalCache
from api.auth._errors import Forbidden, LoginRequired, Unauthorized
from api.auth._generation import current_generation
from api.auth._keys import find_api_key, key_digest, looks_like_api_key
from api.auth._principal import Principal, principal_for_key, principal_for_user
from api.auth._ratelimit import RateLimiter
from api.auth._roles import SCOPES, Role
from api.auth._session import (
    CSRF_FIELD,
    CSRF_HEADER,
    password_fingerprint,
    read_session,
    tokens_match,
)
from api.deps import DbSession
from core.db import SQLITE_BUSY_TIMEOUT_MS
from core.models import ApiKey, User, utcnow

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
LAST_USED_RESOLUTION = timedelta(minutes=1)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_LAST_USED_WAIT_MS = 200
_LAST_USED_CLAIMS: dict[str, float] = {}  # key digest -> monotonic time of the last claim
_LAST_USED_LOCK = threading.Lock()
_log = structlog.get_logger(__name__)


def client_ip(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy, run uvicorn with
    ``--proxy-headers`` so that this is the real client)."""
    return request.client.host if request.client else "unknown"


def rate_limiter(request: Request) -> RateLimiter:
    """The app's rate limiter, made on first use (one per app: tests stay independent)."""
    limiter = getattr(request.app.state, "rate_limiter", None)
    if limiter is None:
        limiter = RateLimiter.from_settings()
        request.app.state.rate_limiter = limiter
    return limiter


def principal_cache(request: Request) -> PrincipalCache:
    """The app's cache of API-key principals, made on first use (one per app)."""
    cache = getattr(request.app.state, "principal_cache", None)
    if cache is None:
        cache = PrincipalCache()
        request.app.state.principal_cache = cache
    return cache


def _presented_key(request: Request) -> str | None:
    authorization = request.headers.get("authorization", "")
    if authorization[:7].lower() == "bearer ":
        return authorization[7:].strip()
    return request.headers.get("x-api-key")


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)  # SQLite returns naive datetimes
    return moment


def _claim_last_used(key_hash: str) -> bool:
    """Whether this request records the key's use: at most one per key, process and minute.

    Fifty requests arriving together with a key unused for a minute would otherwise all try
    to write the same row (on SQLite they queue on the database lock, then fail).
    """
    now = time.monotonic()
    with _LAST_USED_LOCK:
        claimed = _LAST_USED_CLAIMS.get(key_hash)
        if claimed is not None and now - claimed < LAST_USED_RESOLUTION.total_seconds():
            return False
        _LAST_USED_CLAIMS[key_hash] = now
        return True


def record_key_use(engine: Engine, key_id: int, moment: datetime) -> bool:
    """Best effort: write ``last_used_at`` in its own short transaction; False if skipped.

    It never holds up or fails the request: a busy database (SQLite lock, PostgreSQL lock
    timeout) skips the write, and the next request a minute later tries again.
    """
    sqlite = engine.dialect.name == "sqlite"
    try:
        with engine.connect() as connection:
            if sqlite:
                connection.exec_driver_sql(f"PRAGMA busy_timeout={_LAST_USED_WAIT_MS}")
            else:
                connection.exec_driver_sql(f"SET LOCAL lock_timeout = {_LAST_USED_WAIT_MS}")
            try:
                connection.execute(
                    update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=moment)
                )
                connection.commit()
            finally:
                if sqlite:
                    connection.rollback()
                    connection.exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    except OperationalError as error:
        _log.warning("api_key.last_used_skipped", key_id=key_id, error=type(error).__name__)
        return False
    return True


def _load_key_principal(session: Session, plaintext: str) -> Principal:
    """The key's principal from the database (three queries); records the key's use."""
    row = find_api_key(session, plaintext)
    principal = principal_for_key(session, row) if row is not None else None
    if row is None or principal is None:
        raise Unauthorized("invalid or revoked API key")
    now = utcnow()
    last = _aware(row.last_used_at)
    if (last is None or now - last > LAST_USED_RESOLUTION) and _claim_last_used(row.key_hash):
        record_key_use(session.get_bind().engine, row.id, now)
    return principal


def _authenticate_key(
    session: Session, plaintext: str, cache: PrincipalCache, limiter: RateLimiter
) -> Principal:
    """The key's principal (cached for the current authorisation generation), counted
    against the key's rate limit. One worker-thread call does all of it."""
    if not looks_like_api_key(plaintext):
        raise Unauthorized("invalid or revoked API key")
    digest = key_digest(plaintext)
    generation = current_generation(session)  # read first: a later change moves it on
    principal = cache.get(digest, generation) if generation is not None else None
    if principal is None:
        principal = _load_key_principal(session, plaintext)
        if generation is not None:
            cache.put(digest, generation, principal)
    elif _claim_last_used(digest):
        record_key_use(session.get_bind().engine, principal.id, utcnow())
    limiter.hit_api_key(principal.id)
    return principal


def _authenticate_session(session: Session, request: Request) -> Principal | None:
    data = read_session(request)
    if data is None:
        return None
    user = session.get(User, data.user_id)
    if user is None or not user.active:
        return None
    if password_fingerprint(user.password_hash) != data.fingerprint:
        return None
    return principal_for_user(session, user, csrf_token=data.csrf_token)


def authorise_read(request: Request, session: Session, scope: str) -> Principal:
    """The caller of a read-only (GET) route holding ``scope``, for a route that does all of
    its database work in one worker-thread call: call it on that thread.

    It answers as ``Depends(require_scope(scope))`` does (401 without or with bad
    credentials, 403 without the scope, 429 past the key's rate limit) and saves the route a
    second trip to a worker thread, which under load costs as much as the checks themselves.
    """
    key = _presented_key(request)
    principal: Principal | None
    if key is not None:
        principal = _authenticate_key(session, key, principal_cache(request), rate_limiter(request))
    else:
        principal = _authenticate_session(session, request)
    if principal is None:
        raise Unauthorized()
    _check_scope(principal, scope)
    return principal


def _check_scope(principal: Principal, scope: str) -> None:
    if scope not in principal.scopes:
        raise Forbidden(f"this needs the scope {scope!r}")


async def submitted_csrf_token(request: Request) -> str | None:
    """The CSRF token a request carries (header first, then a form field)."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith(_FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def get_principal(request: Request, session: DbSession) -> Principal | None:
    """The authenticated caller, or ``None`` for an anonymous request."""
    key = _presented_key(request)
    if key is not None:
        cache, limiter = principal_cache(request), rate_limiter(request)
        return await run_in_threadpool(_authenticate_key, session, key, cache, limiter)
    user = await run_in_threadpool(_authenticate_session, session, request)
    if user is not None and request.method not in SAFE_METHODS:
        submitted = await submitted_csrf_token(request)
        if not tokens_match(user.csrf_token, submitted):
            raise Forbidden(f"missing or wrong CSRF token (send the {CSRF_HEADER} header)")
    return user


OptionalPrincipal = Annotated[Principal | None, Depends(get_principal)]


async def require_principal(principal: OptionalPrincipal) -> Principal:
    """The caller; 401 when anonymous."""
    if principal is None:
        raise Unauthorized()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(require_principal)]


async def require_web_principal(request: Request, principal: OptionalPrincipal) -> Principal:
    """The signed-in user of a web page; anonymous browsers go to the sign-in form."""
    if principal is None:
        query = f"?{request.url.query}" if request.url.query else ""
        raise LoginRequired(request.url.path + query)
    return principal


WebPrincipal = Annotated[Principal, Depends(require_web_principal)]


def require_role(*roles: Role | str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting only callers with one of ``roles`` (403 otherwise)."""
    wanted = frozenset(Role(r) for r in roles)
    names = ", ".join(sorted(wanted))

    async def role_dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in wanted:
            raise Forbidden(f"this needs the role: {names}")
        return principal

    return role_dependency


def require_scope(scope: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting only callers holding ``scope`` (403 otherwise)."""
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; valid: {', '.join(SCOPES)}")

    async def scope_dependency(principal: CurrentPrincipal) -> Principal:
        _check_scope(principal, scope)
        return principal

    return scope_dependency


AdminPrincipal = Annotated[Principal, Depends(require_role(Role.ADMIN))]
