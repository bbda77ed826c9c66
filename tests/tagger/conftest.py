"""Shared fixtures for the tagger tests: one real tagger per test session."""

from __future__ import annotations

import contextlib
import os

import pytest

from tagger import Tagger, get_tagger


def pytest_addoption(parser: pytest.Parser) -> None:
    with contextlib.suppress(ValueError):  # another conftest may have registered it first
        parser.addoption(
            "--update-golden",
            action="store_true",
            default=False,
            help="rewrite golden expected files from the current output",
        )


@pytest.fixture(scope="session")
def tagger() -> Tagger:
    """The process-wide tagger (real spaCy pipelines, built once)."""
    return get_tagger()


@pytest.fixture(scope="session")
def update_golden(pytestconfig: pytest.Config) -> bool:
    """Whether golden files are to be rewritten (--update-golden or IPRWATCH_UPDATE_GOLDEN=1)."""
    try:
        option = bool(pytestconfig.getoption("--update-golden"))
    except ValueError:
        option = False
    return option or os.environ.get("IPRWATCH_UPDATE_GOLDEN") == "1"
