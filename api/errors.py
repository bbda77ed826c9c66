"""One error shape for the whole API: ``{"error": {"code", "message", "fields"}}``.

Exception hierarchy::

    ApiError
     ├── NotFound        404  not_found
     ├── BadRequest      422  invalid_request
     ├── Unavailable     503  unavailable
     └── AuthError       (api.auth: 401 unauthorized, 403 forbidden, 429 rate_limited)

Framework errors get the same shape: 404 ``not_found`` (no such route), 405
``method_not_allowed``, 413 ``payload_too_large`` (:mod:`api.body_limit`), 422
``invalid_request`` (a parameter or body field, named in ``fields``).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    """An error with a stable code and an HTTP status."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, fields: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or []


class NotFound(ApiError):
    """The resource does not exist (or is not the caller's)."""

    status = 404
    code = "not_found"


class BadRequest(ApiError):
    """The request cannot be served as given."""

    status = 422
    code = "invalid_request"


class Unavailable(ApiError):
    """A component the request needs is down; try again later."""

    status = 503
    code = "unavailable"


def error_body(
    code: str, message: str, fields: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The JSON body of an error response."""
    return {"error": {"code": code, "message": message, "fields": fields or []}}


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return JSONResponse(error_body(exc.code, exc.message, exc.fields), status_code=exc.status)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {
            "field": ".".join(str(p) for p in err["loc"][1:] if not isinstance(p, int))
            or str(err["loc"][0]),
            "message": err["msg"],
        }
        for err in exc.errors()
    ]
    names = ", ".join(f["field"] for f in fields)
    return JSONResponse(
        error_body("invalid_request", f"invalid parameter(s): {names}", fields), status_code=422
    )


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 400:  # FastAPI's "error parsing the body" (not UTF-8, not JSON…)
        message = f"request body: {exc.detail}"
        fields = [{"field": "body", "message": str(exc.detail)}]
        return JSONResponse(error_body("invalid_request", message, fields), status_code=422)
    code = ERROR_CODES.get(exc.status_code, "http_error")
    return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)


ERROR_CODES: dict[int, str] = {
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    422: "invalid_request",
    429: "rate_limited",
    503: "unavailable",
}
"""Every status the API answers with an error, and its stable code."""


class ErrorDetail(BaseModel):
    """What went wrong."""

    code: str = Field(examples=["invalid_request"], description="Stable; see ERROR_CODES.")
    message: str = Field(examples=["invalid parameter(s): since"])
    fields: list[dict[str, Any]] = Field(
        default_factory=list, examples=[[{"field": "since", "message": "invalid date"}]]
    )


class ErrorOut(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


def _documented(status: int, what: str) -> dict[str, Any]:
    code = ERROR_CODES[status]
    example = {"error": {"code": code, "message": what, "fields": []}}
    return {
        "model": ErrorOut,
        "description": f"{what} (`{code}`)",
        "content": {
            "application/json": {
                "schema": {"$ref": "#/components/schemas/ErrorOut"},
                "example": example,
            }
        },
    }


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: _documented(401, "authentication required"),
    403: _documented(403, "this needs the scope 'alerts:write'"),
    404: _documented(404, "alert 42 not found"),
    413: _documented(413, "request body too large"),
    422: _documented(422, "invalid parameter(s): since"),
    429: _documented(429, "too many requests; try again in 30 seconds"),
}
"""The error answers every ``/api/v1`` route may give, for the OpenAPI schema."""

PUBLIC_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    k: v for k, v in ERROR_RESPONSES.items() if k in (404, 413, 422)
}
"""The error answers of routes that need no credentials."""


def install_error_handlers(app: FastAPI) -> None:
    """Map the exception hierarchy to HTTP responses."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
