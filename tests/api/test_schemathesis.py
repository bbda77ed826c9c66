"""schemathesis over the whole API, as an admin and as an exporter (issue #9, abuse).

Every operation of the OpenAPI schema gets generated requests (valid and invalid bodies,
parameters and ids) against a copy of the tenant world (``tests/api/world.py``). Each
answer must not be a 5xx, must use a status code the schema documents, and must match the
documented content type and response schema. Generation is derandomized and bounded, so
a run is the same every time and takes about a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from tests.api.world import World, build_world, install_world

APP = create_app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
ROLES = ("admin", "exporter")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One copy of the world for the whole run (generated requests may change it)."""
    built = build_world(tmp_path_factory.mktemp("st-world") / "var")
    with pytest.MonkeyPatch.context() as patch:
        install_world(built, tmp_path_factory.mktemp("st-run"), patch)
        yield built


@pytest.mark.parametrize("role", ROLES)
@schema.parametrize()
@settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, role: str, world: World) -> None:
    case.call_and_validate(headers=world.headers(role), checks=CHECKS)


def test_schema_documents_every_error_status(tmp_path: Path) -> None:
    """Every /api/v1 operation documents the one error shape for 404 and 422."""
    paths = APP.openapi()["paths"]
    for path, operations in paths.items():
        for method, operation in operations.items():
            for status in ("404", "422"):
                ref = operation["responses"][status]["content"]["application/json"]["schema"]
                assert ref == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
