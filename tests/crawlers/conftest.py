"""Fixtures for crawler tests: an isolated data directory and a fresh SQLite schema.

``--update-golden`` and the ``update_golden`` fixture come from ``tests/conftest.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from core.db import make_engine
from core.models import Base

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CAFC_FEED = FIXTURES / "cafc_opinions" / "cafc_opinion_order_rss_2022-01-21.xml"
FR_SEARCH = FIXTURES / "federal_register" / "fr_api_documents_search_newest_2024_page1.json"
FR_DOCUMENT = FIXTURES / "federal_register" / "fr_api_document_2024-31396.json"


@pytest.fixture
def database_url(data_dir: Path) -> str:
    """A temporary SQLite file with the schema created from the ORM models."""
    url = f"sqlite:///{data_dir / 'crawlers-test.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


@pytest.fixture
def engine(database_url: str) -> Engine:
    """An engine on the temporary database."""
    return make_engine(database_url)
