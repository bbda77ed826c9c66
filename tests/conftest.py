"""Shared fixtures: an isolated data directory per test, real services when present.

Tests that need Redis, PostgreSQL or OpenSearch skip with the reason when the service is not
reachable; with ``IPRWATCH_REQUIRE_SERVICES=1`` (as CI sets it) the absence is a failure.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
REQUIRE_SERVICES = os.environ.get("IPRWATCH_REQUIRE_SERVICES") == "1"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden expected files from the current output.",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """Whether golden files should be rewritten."""
    return bool(request.config.getoption("--update-golden"))


def _reachable(url: str) -> bool:
    parsed = urlparse(url.replace("postgresql+psycopg", "postgresql"))
    host, port = parsed.hostname or "127.0.0.1", parsed.port
    if port is None:
        return False
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


def require_service(env_var: str, what: str) -> str:
    """The URL of a service from ``env_var``; skip (or fail under CI) when absent."""
    url = os.environ.get(env_var, "")
    if url and _reachable(url):
        return url
    reason = f"{what} not available: set {env_var} to a reachable URL"
    if REQUIRE_SERVICES:
        pytest.fail(f"IPRWATCH_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data directory with its own SQLite database, search index and broker."""
    from core.db import get_engine
    from core.settings import get_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("IPRWATCH_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("IPRWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'iprwatch.db'}")
    monkeypatch.delenv("IPRWATCH_SEARCH_URL", raising=False)
    monkeypatch.delenv("IPRWATCH_BROKER_URL", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()
    for engine in [get_engine]:
        engine.cache_clear()


@pytest.fixture
def db(data_dir: Path) -> Iterator[str]:
    """A migrated SQLite database; yields its URL."""
    from core.migrate import upgrade
    from core.settings import get_settings

    url = get_settings().database_url
    upgrade(url)
    yield url


@pytest.fixture
def postgres_url(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> Iterator[str]:
    """A migrated, empty PostgreSQL database (``IPRWATCH_TEST_DATABASE_URL``)."""
    from sqlalchemy import create_engine, text

    from core.db import get_engine
    from core.migrate import upgrade
    from core.settings import get_settings

    url = require_service("IPRWATCH_TEST_DATABASE_URL", "PostgreSQL")
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    monkeypatch.setenv("IPRWATCH_DATABASE_URL", url)
    get_settings.cache_clear()
    get_engine.cache_clear()
    upgrade(url)
    yield url
    get_engine.cache_clear()
