"""One error shape for the whole API: ``{"error": {"code", "message", "fields"}}``.

Exception hierarchy::

    ApiError
     ├── NotFound        404  not_found
     ├── BadRequest      422  invalid_request
     └── Unavailable     503  unavailable
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
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
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code)


def install_error_handlers(app: FastAPI) -> None:
    """Map the exception hierarchy to HTTP responses."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
