"""The same Alembic migrations build the same schema on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import create_engine, inspect

from core.migrate import alembic_config, upgrade
from core.models import Base


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    fixture = "db" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


def test_migrations_create_every_table_the_models_declare(database: str) -> None:
    engine = create_engine(database)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert set(Base.metadata.tables) <= tables


def test_migrations_go_down_and_up_again(database: str) -> None:
    command.downgrade(alembic_config(database), "base")
    engine = create_engine(database)
    assert "items" not in inspect(engine).get_table_names()
    engine.dispose()
    upgrade(database)
    engine = create_engine(database)
    assert "items" in inspect(engine).get_table_names()
    engine.dispose()


def test_models_match_the_migrations(database: str) -> None:
    """Autogenerate finds nothing to add: models and migrations agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    engine = create_engine(database)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert diff == []
