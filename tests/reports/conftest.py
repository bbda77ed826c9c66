"""Report fixtures: a migrated database holding the fixed dataset."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from tests.reports import dataset


@pytest.fixture
def seeded(db: str) -> str:
    """The SQLite database with the dataset's items, sources and enterprise."""
    from core.db import session_scope

    with session_scope() as session:
        dataset.seed(session)
    return db


@pytest.fixture
def session(seeded: str) -> Iterator[Session]:
    """A session on the seeded database (rolled back afterwards)."""
    from core.db import session_factory

    db_session = session_factory()()
    try:
        yield db_session
    finally:
        db_session.rollback()
        db_session.close()
