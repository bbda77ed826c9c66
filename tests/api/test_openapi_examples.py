"""The OpenAPI schema documents every request body and every JSON answer (success and error)
with an example that is valid against its schema."""

from __future__ import annotations

from typing import Any

import jsonschema_rs
import pytest

from api.app import create_app
from api.errors import ERROR_CODES
from api.openapi_examples import REQUEST_EXAMPLES, response_examples

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


ANSWERS = sorted(
    (method, path, status)
    for path, operations in OPENAPI["paths"].items()
    for method, operation in operations.items()
    for status, response in operation.get("responses", {}).items()
    if "application/json" in response.get("content", {})
)
SUCCESSES = [(m, p, s) for m, p, s in ANSWERS if s.startswith("2")]


def _answer(method: str, path: str, status: str) -> dict[str, Any]:
    responses: dict[str, Any] = OPENAPI["paths"][path][method]["responses"]
    return dict(responses[status]["content"]["application/json"])


def test_every_json_answer_has_an_example() -> None:
    missing = [f"{m.upper()} {p} {s}" for m, p, s in ANSWERS if "example" not in _answer(m, p, s)]
    assert not missing, f"answers without an example: {missing}"
    assert len(SUCCESSES) >= 40, "the walk found too few operations: is the schema whole?"
    stale = sorted(set(response_examples()) - {f"{m} {p}" for m, p, _ in SUCCESSES})
    assert not stale, f"answer examples for operations without a JSON answer: {stale}"


def test_error_answers_show_the_one_error_shape() -> None:
    errors = [(m, p, s) for m, p, s in ANSWERS if not s.startswith("2")]
    assert errors
    for method, path, status in errors:
        example = _answer(method, path, status).get("example", {})
        assert set(example) == {"error"}, f"{method.upper()} {path} {status}: {example}"
        assert example["error"]["code"] == ERROR_CODES[int(status)]


@pytest.mark.parametrize(
    ("method", "path", "status"), ANSWERS, ids=[f"{m} {p} {s}" for m, p, s in ANSWERS]
)
def test_each_answer_example_matches_its_schema(method: str, path: str, status: str) -> None:
    answer = _answer(method, path, status)
    schema = {**answer["schema"], "components": OPENAPI["components"]}
    errors = [e.message for e in jsonschema_rs.validator_for(schema).iter_errors(answer["example"])]
    assert errors == [], f"{method.upper()} {path} {status}: {errors}"


def test_answer_examples_speak_chinese_and_english() -> None:
    alert = _answer("get", "/api/v1/alerts", "200")["example"]["alerts"][0]
    assert alert["title"]["zh"] and alert["title"]["en"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in alert["explanation"]["zh"])
