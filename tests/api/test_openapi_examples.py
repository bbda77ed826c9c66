"""The OpenAPI schema documents every request body with an example the API accepts."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from api.app import create_app
from api.openapi_examples import REQUEST_EXAMPLES

OPENAPI = create_app().openapi()
BODIES = sorted(
    (method, path)
    for path, operations in OPENAPI["paths"].items()
    for method, operation in operations.items()
    if "application/json" in operation.get("requestBody", {}).get("content", {})
)


def _body(method: str, path: str) -> dict[str, Any]:
    content: dict[str, Any] = OPENAPI["paths"][path][method]["requestBody"]["content"]
    return dict(content["application/json"])


def test_every_json_body_has_an_example() -> None:
    missing = [f"{m.upper()} {p}" for m, p in BODIES if "example" not in _body(m, p)]
    assert not missing, f"request bodies without an example: {missing}"
    stale = sorted(set(REQUEST_EXAMPLES) - set(BODIES))
    assert not stale, f"examples for operations without a JSON body: {stale}"


@pytest.mark.parametrize(("method", "path"), BODIES, ids=[f"{m} {p}" for m, p in BODIES])
def test_each_example_matches_its_schema(method: str, path: str) -> None:
    body = _body(method, path)
    schema = {**body["schema"], "components": OPENAPI["components"]}
    errors = [e.message for e in jsonschema_rs.validator_for(schema).iter_errors(body["example"])]
    assert errors == [], f"{method.upper()} {path}: {errors}"
