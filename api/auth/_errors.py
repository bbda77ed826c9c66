"""Authentication errors, in the API's one error shape (see :mod:`api.errors`).

Exception hierarchy::

    ApiError
     └── AuthError
          ├── Unauthorized   401  unauthorized      (no or bad credentials)
          ├── Forbidden      403  forbidden         (role, scope or CSRF token)
          ├── RateLimited    429  rate_limited      (with Retry-After)
          └── LoginRequired  303  to /login?next=…  (web pages only)
"""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from api.errors import ApiError, error_body


class AuthError(ApiError):
    """An authentication or authorisation failure; may carry response headers."""

    headers: dict[str, str]

    def __init__(self, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.headers = headers or {}


class Unauthorized(AuthError):
    """No credentials, or credentials that do not hold (unknown, revoked, expired)."""

    status = 401
    code = "unauthorized"

    def __init__(self, message: str = "authentication required") -> None:
        super().__init__(message, {"WWW-Authenticate": 'Bearer realm="iprwatch"'})


class Forbidden(AuthError):
    """Authenticated, but not allowed (role, scope, or a missing CSRF token)."""

    status = 403
    code = "forbidden"


class RateLimited(AuthError):
    """Too many requests; ``Retry-After`` says in how many seconds to try again."""

    status = 429
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, {"Retry-After": str(max(1, retry_after))})
        self.retry_after = max(1, retry_after)


class LoginRequired(AuthError):
    """A web page needs a signed-in user: the browser is sent to the sign-in form."""

    status = 303
    code = "login_required"

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first", {"Location": "/login?" + urlencode({"next": next_path})})


async def _auth_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthError)
    if isinstance(exc, LoginRequired):
        return RedirectResponse(exc.headers["Location"], status_code=303)
    return JSONResponse(
        error_body(exc.code, exc.message, exc.fields), status_code=exc.status, headers=exc.headers
    )


def install_auth_error_handlers(app: FastAPI) -> None:
    """Render auth errors with their headers (``Retry-After``, ``WWW-Authenticate``)."""
    app.add_exception_handler(AuthError, _auth_error)
