"""Recording an API key's last use never holds up or fails the request that uses it."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi.testclient import TestClient

from tests.credentials import api_key_headers


def _last_used(headers: dict[str, str]) -> object:
    from sqlalchemy import select

    from api.auth._keys import key_digest
    from core.db import session_scope
    from core.models import ApiKey

    digest = key_digest(headers["Authorization"].removeprefix("Bearer "))
    with session_scope() as session:
        return session.scalars(select(ApiKey.last_used_at).where(ApiKey.key_hash == digest)).one()


def test_fifty_simultaneous_first_requests_with_a_key_all_succeed(db: str) -> None:
    from api.app import create_app

    headers = api_key_headers("acme", "exporter", ["alerts:read"])
    with TestClient(create_app(), headers=headers) as client:
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=50) as pool:
            codes = list(pool.map(lambda _: client.get("/api/v1/alerts").status_code, range(50)))
        elapsed = time.monotonic() - started
    assert codes == [200] * 50
    assert elapsed < 20, f"50 requests took {elapsed:.1f} s"
    assert _last_used(headers) is not None


def test_a_locked_database_skips_the_last_used_write_not_the_request(db: str) -> None:
    from api.app import create_app

    headers = api_key_headers("acme", "exporter", ["alerts:read"])
    blocker = sqlite3.connect(db.split("///", 1)[1], isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database lock
        with TestClient(create_app(), headers=headers) as client:
            started = time.monotonic()
            response = client.get("/api/v1/alerts")
            elapsed = time.monotonic() - started
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert response.status_code == 200
    assert elapsed < 5, f"the request waited {elapsed:.1f} s for the lock"
    assert _last_used(headers) is None
