"""Who may call each router, as ``Annotated`` aliases, and the tenant checks they share.

The rules every ``/api/v1`` router follows:

* no credentials: 401 ``unauthorized`` (except ``/health``, ``/sources`` and the token feeds);
* credentials whose role or scopes do not allow this kind of action at all: 403
  ``forbidden``. The answer depends on the credentials only, never on an id, so it tells
  nothing about what exists;
* an id the caller may not see (another tenant's) and an id that does not exist: the same
  404 ``not_found``.

Shared rows (a subscription or saved search with no enterprise) are readable by every
caller with the scope; only admins create, change or delete them.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import Depends, Path

from api.auth import Principal, can_see_enterprise, require_role, require_scope
from api.auth._principal import not_found
from api.errors import BadRequest

__all__ = [
    "MAX_ID",
    "AdminOnly",
    "AdvisorOrAdmin",
    "AlertsRead",
    "AlertsWrite",
    "BriefingsRead",
    "EnterprisesRead",
    "EnterprisesWrite",
    "HealthChecksRead",
    "HealthChecksWrite",
    "RowId",
    "SearchRead",
    "SearchesWrite",
    "StatsRead",
    "SubscriptionsRead",
    "SubscriptionsWrite",
    "check_owner",
    "owned_or_404",
    "signed_author",
]

AUTHOR_FIELD_DESCRIPTION = (
    "Optional and only checked: history is recorded under the caller's own name (the "
    "signed-in user's display name or the API key's name); any other value is refused (422)."
)

MAX_ID = 2_147_483_647
"""The largest row id (a 32-bit INTEGER in PostgreSQL); a bigger one cannot exist."""

RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="A row id.", examples=[1])]
"""An integer id in a URL: out of range is a 422, never a database error."""

SearchRead = Annotated[Principal, Depends(require_scope("search:read"))]
SearchesWrite = Annotated[Principal, Depends(require_scope("searches:write"))]
BriefingsRead = Annotated[Principal, Depends(require_scope("briefings:read"))]
StatsRead = Annotated[Principal, Depends(require_scope("stats:read"))]
EnterprisesRead = Annotated[Principal, Depends(require_scope("enterprises:read"))]
EnterprisesWrite = Annotated[Principal, Depends(require_scope("enterprises:write"))]
AlertsRead = Annotated[Principal, Depends(require_scope("alerts:read"))]
AlertsWrite = Annotated[Principal, Depends(require_scope("alerts:write"))]
SubscriptionsRead = Annotated[Principal, Depends(require_scope("subscriptions:read"))]
SubscriptionsWrite = Annotated[Principal, Depends(require_scope("subscriptions:write"))]
HealthChecksRead = Annotated[Principal, Depends(require_scope("health_checks:read"))]
HealthChecksWrite = Annotated[Principal, Depends(require_scope("health_checks:write"))]
AdminOnly = Annotated[Principal, Depends(require_role("admin"))]
AdvisorOrAdmin = Annotated[Principal, Depends(require_role("admin", "advisor"))]


T = TypeVar("T")


def owned_or_404(
    principal: Principal, row: T | None, owner: str | None, kind: str, ident: object
) -> T:
    """``row`` if the caller may see it: its enterprise is visible, or it is shared (no
    owner). Missing and invisible rows get the same 404."""
    if row is None or (owner is not None and not can_see_enterprise(principal, owner)):
        raise not_found(kind, ident)
    return row


def check_owner(principal: Principal, owner: str | None, field: str = "enterprise_id") -> None:
    """May the caller make a row owned by ``owner``, or change one? Shared rows (``None``)
    are for admins; another tenant's enterprise is a 404, as if it did not exist."""
    if owner is None:
        if not principal.is_admin:
            message = "required: only admins make shared (enterprise-less) rows"
            raise BadRequest(f"{field}: {message}", [{"field": field, "message": message}])
        return
    if not can_see_enterprise(principal, owner):
        raise not_found("enterprise", owner)


def signed_author(principal: Principal, given: str | None) -> str | None:
    """The name a note or status change is recorded under: always the caller's (alerts'
    history, advisors' notes on health checks).

    A body ``author`` naming someone else is refused rather than ignored, so a client that
    meant to sign as another person learns it cannot, and nothing is stored under a borrowed
    name.
    """
    own = principal.display_name or None
    if given is not None and given.strip() != (own or ""):
        message = f"must be your own name ({own!r}) or left out" if own else "must be left out"
        raise BadRequest(f"author: {message}", [{"field": "author", "message": message}])
    return own
