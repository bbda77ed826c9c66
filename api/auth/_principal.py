"""Who is calling: a ``Principal`` (a signed-in user or an API key) and what it may see.

Tenancy rules:

* an admin sees every enterprise (``visible_enterprise_ids`` is ``None``: no filter);
* an advisor or exporter sees the enterprises assigned to its organisation
  (``org_enterprises``) and nothing else;
* an alliance sees no enterprise row at all, only aggregated, de-identified statistics over
  its chains (``aggregates_only``).

Another tenant's id and a non-existent id both give the same 404.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.auth._roles import ROLE_FOR_ORG_KIND, ROLE_SCOPES, OrgKind, Role
from api.errors import NotFound
from core.models import ApiKey, Enterprise, Organisation, OrgEnterprise, User

T = TypeVar("T")
S = TypeVar("S", bound=Select[Any])

MIN_AGGREGATE_GROUP = 3
"""Aggregates over fewer enterprises than this are suppressed (they would identify them)."""


@dataclass(frozen=True)
class Principal:
    """An authenticated caller.

    Attributes:
        kind: ``user`` (web session) or ``key`` (API key).
        id: the user's or the key's id.
        role: what the caller is (see :class:`Role`).
        org_id: the caller's organisation (its tenant).
        enterprise_ids: the enterprises the organisation may see (ignored for admins).
        scopes: what the caller may do; a key's are its own cut down to its role's.
        chains: for an alliance, the industry chains its aggregates cover.
        csrf_token: for a web session, the token unsafe requests must echo.
    """

    kind: Literal["user", "key"]
    id: int
    role: Role
    org_id: str
    display_name: str = ""
    enterprise_ids: frozenset[str] = frozenset()
    scopes: frozenset[str] = frozenset()
    chains: tuple[str, ...] = ()
    csrf_token: str | None = field(default=None, repr=False)

    @property
    def actor(self) -> str:
        """How the audit log names the caller (``user:3``, ``key:7``)."""
        return f"{self.kind}:{self.id}"

    @property
    def is_admin(self) -> bool:
        """Whether the caller sees every tenant."""
        return self.role is Role.ADMIN


def _org_enterprise_ids(session: Session, org_id: str) -> frozenset[str]:
    rows = session.scalars(
        select(OrgEnterprise.enterprise_id).where(OrgEnterprise.org_id == org_id)
    )
    return frozenset(rows)


def principal_for_user(session: Session, user: User, csrf_token: str | None = None) -> Principal:
    """The principal of a signed-in user."""
    org = session.get(Organisation, user.org_id)
    role = Role(user.role)
    return Principal(
        kind="user",
        id=user.id,
        role=role,
        org_id=user.org_id,
        display_name=user.display_name or user.email,
        enterprise_ids=_org_enterprise_ids(session, user.org_id),
        scopes=ROLE_SCOPES[role],
        chains=tuple(org.chains if org else ()),
        csrf_token=csrf_token,
    )


def principal_for_key(session: Session, key: ApiKey) -> Principal | None:
    """The principal of an API key; ``None`` when its user or organisation is gone/inactive."""
    org = session.get(Organisation, key.org_id)
    if org is None:
        return None
    if key.user_id is not None:
        user = session.get(User, key.user_id)
        if user is None or not user.active:
            return None
        role = Role(user.role)
    else:
        role = ROLE_FOR_ORG_KIND[OrgKind(org.kind)]
    return Principal(
        kind="key",
        id=key.id,
        role=role,
        org_id=key.org_id,
        display_name=key.name,
        enterprise_ids=_org_enterprise_ids(session, key.org_id),
        scopes=frozenset(key.scopes) & ROLE_SCOPES[role],
        chains=tuple(org.chains),
    )


def aggregates_only(principal: Principal) -> bool:
    """Whether the caller may see only aggregated, de-identified statistics (alliances).

    Routers that return enterprise rows (alerts, enterprises, subscriptions, health checks)
    show such a caller nothing; statistics endpoints use :func:`deidentify_counts`.
    """
    return principal.role is Role.ALLIANCE


def deidentify_counts(counts: dict[str, int], minimum: int = MIN_AGGREGATE_GROUP) -> dict[str, int]:
    """Counts per group with groups under ``minimum`` enterprises suppressed.

    ``counts`` maps a group (a chain, a country, a severity…) to the number of distinct
    enterprises in it; a small group would point at the enterprise behind it.
    """
    return {group: n for group, n in counts.items() if n >= minimum}


def visible_enterprise_ids(principal: Principal) -> frozenset[str] | None:
    """The enterprise ids the caller may see row by row; ``None`` means all (admin)."""
    if principal.is_admin:
        return None
    if aggregates_only(principal):
        return frozenset()
    return principal.enterprise_ids


def can_see_enterprise(principal: Principal, enterprise_id: str) -> bool:
    """Whether the caller may see this enterprise's rows."""
    visible = visible_enterprise_ids(principal)
    return visible is None or enterprise_id in visible


def restrict_to_visible(
    query: S,
    column: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    principal: Principal,
) -> S:
    """``query`` filtered to the enterprises the caller may see (unchanged for admins).

    Example: ``restrict_to_visible(select(AlertRow), AlertRow.enterprise_id, principal)``.
    """
    visible = visible_enterprise_ids(principal)
    if visible is None:
        return query
    return query.where(column.in_(sorted(visible)))


def not_found(kind: str, ident: object) -> NotFound:
    """The one 404 for "missing" and "another tenant's" alike."""
    return NotFound(f"{kind} {ident!r} not found")


def enterprise_or_404(session: Session, principal: Principal, enterprise_id: str) -> Enterprise:
    """The enterprise, if it exists and the caller may see it; otherwise 404 (never 403)."""
    if not can_see_enterprise(principal, enterprise_id):
        raise not_found("enterprise", enterprise_id)
    row = session.get(Enterprise, enterprise_id)
    if row is None:
        raise not_found("enterprise", enterprise_id)
    return row


def row_or_404(
    principal: Principal,
    row: T | None,
    kind: str,
    ident: object,
    enterprise_attr: str = "enterprise_id",
) -> T:
    """``row`` if it exists and belongs to an enterprise the caller may see; otherwise 404.

    Example: ``alert = row_or_404(principal, session.get(AlertRow, alert_id), "alert", alert_id)``.
    """
    if row is None or not can_see_enterprise(principal, str(getattr(row, enterprise_attr))):
        raise not_found(kind, ident)
    return row


def filter_visible(principal: Principal, enterprise_ids: Iterable[str]) -> list[str]:
    """The given enterprise ids the caller may see, in their order."""
    return [e for e in enterprise_ids if can_see_enterprise(principal, e)]
