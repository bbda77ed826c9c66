"""Roles, organisation kinds and API scopes: what each kind of caller may do at most."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's role. Admins see everything; the others see their tenant only."""

    ADMIN = "admin"
    ADVISOR = "advisor"
    EXPORTER = "exporter"
    ALLIANCE = "alliance"


class OrgKind(StrEnum):
    """What an organisation is."""

    EXPORTER = "exporter"
    ADVISORY = "advisory"
    ALLIANCE = "alliance"
    OPERATOR = "operator"


SCOPES: tuple[str, ...] = (
    "search:read",
    "searches:write",
    "briefings:read",
    "stats:read",
    "enterprises:read",
    "enterprises:write",
    "alerts:read",
    "alerts:write",
    "subscriptions:read",
    "subscriptions:write",
    "health_checks:read",
    "health_checks:write",
    "admin",
)
"""Every scope an API key can carry (``resource:read|write``, plus ``admin``)."""

_TENANT_SCOPES = frozenset(s for s in SCOPES if s not in ("admin", "stats:read"))

ROLE_SCOPES: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset(SCOPES),
    Role.ADVISOR: _TENANT_SCOPES,
    Role.EXPORTER: _TENANT_SCOPES,
    Role.ALLIANCE: frozenset({"search:read", "briefings:read", "stats:read"}),
}
"""The most a role may do; a key's scopes are cut down to its role's."""

ROLE_FOR_ORG_KIND: dict[OrgKind, Role] = {
    OrgKind.OPERATOR: Role.ADMIN,
    OrgKind.ADVISORY: Role.ADVISOR,
    OrgKind.EXPORTER: Role.EXPORTER,
    OrgKind.ALLIANCE: Role.ALLIANCE,
}
"""The role of an organisation-wide API key (one not bound to a user)."""

ROLES_FOR_ORG_KIND: dict[OrgKind, frozenset[Role]] = {
    OrgKind.OPERATOR: frozenset({Role.ADMIN}),
    OrgKind.ADVISORY: frozenset({Role.ADVISOR}),
    OrgKind.EXPORTER: frozenset({Role.EXPORTER}),
    OrgKind.ALLIANCE: frozenset({Role.ALLIANCE}),
}
"""Which user roles an organisation of each kind may hold."""


def parse_scopes(scopes: list[str] | tuple[str, ...]) -> list[str]:
    """Validated, de-duplicated scopes in canonical order.

    Raises:
        ValueError: naming the unknown scopes and listing the valid ones.
    """
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scope(s) {', '.join(unknown)}; valid: {', '.join(SCOPES)}")
    return [s for s in SCOPES if s in set(scopes)]
