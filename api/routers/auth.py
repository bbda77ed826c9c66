"""Sign in and out: ``/api/v1/auth/*`` (JSON) and the web ``/login`` page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session

from api.auth import (
    CurrentPrincipal,
    OptionalPrincipal,
    RateLimited,
    Unauthorized,
    audit,
    authenticate,
    clear_session,
    client_ip,
    issue_login_csrf,
    issue_session,
    login_csrf_valid,
    new_csrf_token,
    principal_for_user,
    rate_limiter,
)
from api.auth._schemas import LoginIn, MeOut
from api.deps import DbSession
from api.errors import ERROR_RESPONSES
from api.web import Lang, _lang, _render
from core.models import User

router = APIRouter(prefix="/auth", tags=["auth"], responses=ERROR_RESPONSES)
web_router = APIRouter(include_in_schema=False)

BAD_CREDENTIALS = "wrong e-mail or password"


def login_user(session: Session, request: Request, email: str, password: str) -> User:
    """Check a login attempt: rate limit, password, audit. Failures are committed at once.

    Raises:
        RateLimited: too many attempts from this IP or against this account.
        Unauthorized: unknown e-mail, wrong password or inactive user (one message for all).
    """
    ip = client_ip(request)
    limiter = rate_limiter(request)
    try:
        limiter.hit_login(ip, email)
    except RateLimited:
        audit(session, None, "login.rate_limited", "user", None, {"email": email}, ip=ip)
        session.commit()
        raise
    user = authenticate(session, email, password)
    if user is None:
        limiter.login_failed(email)
        audit(session, None, "login.failure", "user", None, {"email": email}, ip=ip)
        session.commit()
        raise Unauthorized(BAD_CREDENTIALS)
    audit(session, f"user:{user.id}", "login.success", "user", user.id, org_id=user.org_id, ip=ip)
    return user


@router.post("/login", response_model=MeOut)
def login(body: LoginIn, request: Request, response: Response, session: DbSession) -> MeOut:
    """Sign in with e-mail and password; sets the session cookie and returns the CSRF token."""
    user = login_user(session, request, body.email, body.password)
    data = issue_session(response, user)
    return MeOut.of(principal_for_user(session, user), csrf_token=data.csrf_token)


@router.post("/logout", status_code=204)
def logout(principal: CurrentPrincipal, request: Request, session: DbSession) -> Response:
    """End the web session (needs the CSRF token, like every cookie-authenticated POST)."""
    audit(session, principal, "logout", principal.kind, principal.id, ip=client_ip(request))
    response = Response(status_code=204)
    clear_session(response)
    return response


@router.get("/me", response_model=MeOut)
def me(principal: CurrentPrincipal) -> MeOut:
    """The caller: role, organisation, visible enterprises and scopes."""
    return MeOut.of(principal)


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect would help phishing."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"  # each role's start page (api.web.home)


def _login_page(
    request: Request, lang: str, target: str, status: int = 200, error: str | None = None
) -> Response:
    token = new_csrf_token()
    response = _render(
        request, lang, "login.html", status=status, next=target, login_csrf=token, error=error
    )
    issue_login_csrf(response, token)
    return response


@web_router.get("/login")
def login_page(
    request: Request,
    lang: Lang = None,
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The sign-in form."""
    return _login_page(request, _lang(request, lang), _safe_next(next))


@web_router.post("/login")
def login_form(
    request: Request,
    session: DbSession,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    """Sign in from the form; on success, go where the user was heading."""
    lang = _lang(request, None)
    target = _safe_next(next)
    if not login_csrf_valid(request, csrf_token):
        return _login_page(request, lang, target, status=400, error="login_error_expired")
    try:
        user = login_user(session, request, email, password)
    except RateLimited as exc:
        page = _login_page(request, lang, target, status=429, error="login_error_rate")
        page.headers["Retry-After"] = str(exc.retry_after)
        return page
    except Unauthorized:
        return _login_page(request, lang, target, status=401, error="login_error_bad")
    response = RedirectResponse(target, status_code=303)
    issue_session(response, user)
    return response


@web_router.post("/logout")
def logout_form(principal: OptionalPrincipal, request: Request, session: DbSession) -> Response:
    """Sign out from the header's button (the form carries the CSRF token)."""
    if principal is not None:
        audit(session, principal, "logout", principal.kind, principal.id, ip=client_ip(request))
    response = RedirectResponse("/login", status_code=303)
    clear_session(response)
    return response
