"""Accounts, authentication and tenancy.

Routers enforce the tenant with one dependency and one filter::

    from api.auth import Principal, require_scope, restrict_to_visible, row_or_404

    @router.get("/alerts")
    def list_alerts(
        session: DbSession,
        principal: Annotated[Principal, Depends(require_scope("alerts:read"))],
    ) -> AlertPage:
        query = restrict_to_visible(select(AlertRow), AlertRow.enterprise_id, principal)
        ...

Another tenant's id gets the same 404 as an id that does not exist.

The package loads its modules lazily, so that the command line, which registers the
account commands at start-up, does not pay for FastAPI and Argon2 until it uses them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from api.auth._accounts import (
        assign_enterprise,
        authenticate,
        create_org,
        create_user,
        normalise_email,
        unassign_enterprise,
    )
    from api.auth._audit import audit, redact
    from api.auth._deps import (
        AdminPrincipal,
        CurrentPrincipal,
        OptionalPrincipal,
        WebPrincipal,
        authorise_read,
        client_ip,
        get_principal,
        rate_limiter,
        require_principal,
        require_role,
        require_scope,
        require_web_principal,
    )
    from api.auth._errors import (
        AuthError,
        Forbidden,
        LoginRequired,
        RateLimited,
        Unauthorized,
        install_auth_error_handlers,
    )
    from api.auth._keys import NewApiKey, create_api_key, find_api_key, key_digest, revoke_api_key
    from api.auth._passwords import hash_password, verify_password
    from api.auth._principal import (
        Principal,
        aggregates_only,
        can_see_enterprise,
        deidentify_counts,
        enterprise_or_404,
        filter_visible,
        principal_for_key,
        principal_for_user,
        restrict_to_visible,
        row_or_404,
        visible_enterprise_ids,
    )
    from api.auth._ratelimit import RateLimiter
    from api.auth._roles import ROLE_SCOPES, SCOPES, OrgKind, Role, parse_scopes
    from api.auth._secret import secret_key
    from api.auth._session import (
        CSRF_FIELD,
        CSRF_HEADER,
        SESSION_COOKIE,
        clear_session,
        issue_login_csrf,
        issue_session,
        login_csrf_valid,
        new_csrf_token,
        read_session,
        web_session_context,
    )

_EXPORTS: dict[str, str] = {
    "AdminPrincipal": "api.auth._deps",
    "AuthError": "api.auth._errors",
    "CSRF_FIELD": "api.auth._session",
    "CSRF_HEADER": "api.auth._session",
    "CurrentPrincipal": "api.auth._deps",
    "Forbidden": "api.auth._errors",
    "LoginRequired": "api.auth._errors",
    "NewApiKey": "api.auth._keys",
    "OptionalPrincipal": "api.auth._deps",
    "WebPrincipal": "api.auth._deps",
    "OrgKind": "api.auth._roles",
    "Principal": "api.auth._principal",
    "ROLE_SCOPES": "api.auth._roles",
    "RateLimited": "api.auth._errors",
    "RateLimiter": "api.auth._ratelimit",
    "Role": "api.auth._roles",
    "SCOPES": "api.auth._roles",
    "SESSION_COOKIE": "api.auth._session",
    "Unauthorized": "api.auth._errors",
    "aggregates_only": "api.auth._principal",
    "assign_enterprise": "api.auth._accounts",
    "audit": "api.auth._audit",
    "authorise_read": "api.auth._deps",
    "authenticate": "api.auth._accounts",
    "can_see_enterprise": "api.auth._principal",
    "clear_session": "api.auth._session",
    "client_ip": "api.auth._deps",
    "create_api_key": "api.auth._keys",
    "create_org": "api.auth._accounts",
    "create_user": "api.auth._accounts",
    "deidentify_counts": "api.auth._principal",
    "enterprise_or_404": "api.auth._principal",
    "filter_visible": "api.auth._principal",
    "find_api_key": "api.auth._keys",
    "get_principal": "api.auth._deps",
    "hash_password": "api.auth._passwords",
    "install_auth_error_handlers": "api.auth._errors",
    "issue_login_csrf": "api.auth._session",
    "issue_session": "api.auth._session",
    "key_digest": "api.auth._keys",
    "login_csrf_valid": "api.auth._session",
    "new_csrf_token": "api.auth._session",
    "normalise_email": "api.auth._accounts",
    "parse_scopes": "api.auth._roles",
    "principal_for_key": "api.auth._principal",
    "principal_for_user": "api.auth._principal",
    "rate_limiter": "api.auth._deps",
    "read_session": "api.auth._session",
    "redact": "api.auth._audit",
    "require_principal": "api.auth._deps",
    "require_role": "api.auth._deps",
    "require_scope": "api.auth._deps",
    "require_web_principal": "api.auth._deps",
    "restrict_to_visible": "api.auth._principal",
    "revoke_api_key": "api.auth._keys",
    "row_or_404": "api.auth._principal",
    "secret_key": "api.auth._secret",
    "unassign_enterprise": "api.auth._accounts",
    "verify_password": "api.auth._passwords",
    "visible_enterprise_ids": "api.auth._principal",
    "web_session_context": "api.auth._session",
}

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "ROLE_SCOPES",
    "SCOPES",
    "SESSION_COOKIE",
    "AdminPrincipal",
    "AuthError",
    "CurrentPrincipal",
    "Forbidden",
    "LoginRequired",
    "NewApiKey",
    "OptionalPrincipal",
    "OrgKind",
    "Principal",
    "RateLimited",
    "RateLimiter",
    "Role",
    "Unauthorized",
    "WebPrincipal",
    "aggregates_only",
    "assign_enterprise",
    "audit",
    "authenticate",
    "authorise_read",
    "can_see_enterprise",
    "clear_session",
    "client_ip",
    "create_api_key",
    "create_org",
    "create_user",
    "deidentify_counts",
    "enterprise_or_404",
    "filter_visible",
    "find_api_key",
    "get_principal",
    "hash_password",
    "install_auth_error_handlers",
    "issue_login_csrf",
    "issue_session",
    "key_digest",
    "login_csrf_valid",
    "new_csrf_token",
    "normalise_email",
    "parse_scopes",
    "principal_for_key",
    "principal_for_user",
    "rate_limiter",
    "read_session",
    "redact",
    "require_principal",
    "require_role",
    "require_scope",
    "require_web_principal",
    "restrict_to_visible",
    "revoke_api_key",
    "row_or_404",
    "secret_key",
    "unassign_enterprise",
    "verify_password",
    "visible_enterprise_ids",
    "web_session_context",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'api.auth' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
