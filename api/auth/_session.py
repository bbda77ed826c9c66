"""Web sessions: a signed, timestamped cookie, and CSRF tokens (synchroniser pattern).

The cookie holds the user id, the display name (for the page header), the session's CSRF
token and a fingerprint of the password hash, signed with the secret key
(itsdangerous). Changing the password ends every session; deactivating the user ends it at
the next request, because each authenticated request loads the user.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from api.auth._secret import secret_key
from core.models import User
from core.settings import get_settings

SESSION_COOKIE = "iprw_session"
LOGIN_CSRF_COOKIE = "iprw_login_csrf"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SESSION_MAX_AGE = 12 * 3600
LOGIN_FORM_MAX_AGE = 3600


@dataclass(frozen=True)
class SessionData:
    """What a valid session cookie says."""

    user_id: int
    name: str
    csrf_token: str
    fingerprint: str


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key(), salt=f"iprwatch.{purpose}")


def password_fingerprint(password_hash: str) -> str:
    """A short digest of the stored password hash: a new password ends old sessions."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:16]


def _cookie_options() -> dict[str, Any]:
    secure = get_settings().site_url.startswith("https://")
    return {"httponly": True, "samesite": "lax", "secure": secure, "path": "/"}


def issue_session(response: Response, user: User) -> SessionData:
    """Set the session cookie for ``user`` on ``response``; a fresh CSRF token each time."""
    data = SessionData(
        user_id=user.id,
        name=user.display_name or user.email,
        csrf_token=new_csrf_token(),
        fingerprint=password_fingerprint(user.password_hash),
    )
    token = _serializer("session").dumps(
        {"u": data.user_id, "n": data.name, "c": data.csrf_token, "f": data.fingerprint}
    )
    response.set_cookie(SESSION_COOKIE, token, max_age=SESSION_MAX_AGE, **_cookie_options())
    return data


def read_session(request: Request) -> SessionData | None:
    """The session the request's cookie carries, if it is genuine and not expired."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        raw = _serializer("session").loads(token, max_age=SESSION_MAX_AGE)
        return SessionData(
            user_id=int(raw["u"]),
            name=str(raw["n"]),
            csrf_token=str(raw["c"]),
            fingerprint=str(raw["f"]),
        )
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


def clear_session(response: Response) -> None:
    """Remove the session cookie."""
    response.delete_cookie(SESSION_COOKIE, **_cookie_options())


def tokens_match(expected: str | None, submitted: str | None) -> bool:
    """Constant-time comparison of a CSRF token with the one submitted."""
    if not expected or not submitted:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), submitted.encode("utf-8"))


def new_csrf_token() -> str:
    """A fresh random CSRF token."""
    return secrets.token_urlsafe(32)


def issue_login_csrf(response: Response, token: str) -> str:
    """Set the login form's CSRF cookie (double submit: the cookie and the form field)."""
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        _serializer("login-csrf").dumps(token),
        max_age=LOGIN_FORM_MAX_AGE,
        **_cookie_options(),
    )
    return token


def login_csrf_valid(request: Request, submitted: str | None) -> bool:
    """Whether the login form echoes the token its cookie carries."""
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
    if not cookie:
        return False
    try:
        expected = _serializer("login-csrf").loads(cookie, max_age=LOGIN_FORM_MAX_AGE)
    except BadSignature:
        return False
    return tokens_match(str(expected), submitted)


def web_session_context(request: Request) -> dict[str, str | None]:
    """Template values for the page header: the signed-in user's name and the CSRF token."""
    data = read_session(request)
    return {
        "current_user": data.name if data else None,
        "csrf_token": data.csrf_token if data else None,
    }
