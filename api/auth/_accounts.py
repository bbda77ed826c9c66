"""Organisations, users and enterprise assignments: the one place that creates them.

The admin API, the CLI and the demo loader all go through these functions, so validation
is the same everywhere. Each raises ``ValueError`` with a clear reason on bad input.
"""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.auth import _generation  # noqa: F401  (every change here moves the generation on)
from api.auth._passwords import (
    burn_password_check,
    check_password_strength,
    hash_password,
    verify_password,
)
from api.auth._roles import ROLES_FOR_ORG_KIND, OrgKind, Role
from core.models import Organisation, OrgEnterprise, User, utcnow

_ORG_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{1,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
RELATIONS = ("owner", "advised")


def normalise_email(email: str) -> str:
    """The canonical form of an e-mail address (trimmed, lower case)."""
    return email.strip().lower()


def create_org(
    session: Session,
    org_id: str,
    kind: str,
    name_zh: str = "",
    name_en: str = "",
    chains: list[str] | None = None,
) -> Organisation:
    """Create an organisation."""
    if not _ORG_ID.match(org_id):
        raise ValueError(f"organisation id {org_id!r}: use 2-64 of a-z, 0-9, '-', '_'")
    try:
        org_kind = OrgKind(kind)
    except ValueError:
        raise ValueError(
            f"unknown organisation kind {kind!r}; valid: {', '.join(OrgKind)}"
        ) from None
    if session.get(Organisation, org_id) is not None:
        raise ValueError(f"organisation {org_id!r} exists already")
    if not (name_zh.strip() or name_en.strip()):
        raise ValueError("an organisation needs a name (zh or en)")
    if chains and org_kind is not OrgKind.ALLIANCE:
        raise ValueError("only an alliance has chains")
    org = Organisation(
        id=org_id,
        kind=org_kind.value,
        name_zh=name_zh.strip(),
        name_en=name_en.strip(),
        chains=sorted(set(chains or [])),
        created_at=utcnow(),
    )
    session.add(org)
    session.flush()
    return org


def create_user(
    session: Session,
    email: str,
    password: str,
    org_id: str,
    role: str,
    display_name: str = "",
) -> User:
    """Create a user with an Argon2 password hash; the role must suit the organisation."""
    address = normalise_email(email)
    if not _EMAIL.match(address):
        raise ValueError(f"not an e-mail address: {email!r}")
    org = session.get(Organisation, org_id)
    if org is None:
        raise ValueError(f"unknown organisation {org_id!r}")
    try:
        user_role = Role(role)
    except ValueError:
        raise ValueError(f"unknown role {role!r}; valid: {', '.join(Role)}") from None
    allowed = ROLES_FOR_ORG_KIND[OrgKind(org.kind)]
    if user_role not in allowed:
        raise ValueError(
            f"a {org.kind} organisation cannot have a {role} user "
            f"(allowed: {', '.join(sorted(allowed))})"
        )
    if session.scalar(select(func.count()).where(User.email == address)):
        raise ValueError(f"a user with e-mail {address} exists already")
    check_password_strength(password)
    user = User(
        org_id=org_id,
        email=address,
        display_name=display_name.strip() or address,
        password_hash=hash_password(password),
        role=user_role.value,
        active=True,
        created_at=utcnow(),
    )
    session.add(user)
    session.flush()
    return user


def assign_enterprise(
    session: Session, org_id: str, enterprise_id: str, relation: str | None = None
) -> OrgEnterprise:
    """Let an organisation see an enterprise (an exporter owns it, an advisory firm advises).

    Idempotent: assigning again returns the existing row.
    """
    org = session.get(Organisation, org_id)
    if org is None:
        raise ValueError(f"unknown organisation {org_id!r}")
    if org.kind not in (OrgKind.EXPORTER, OrgKind.ADVISORY):
        raise ValueError(f"a {org.kind} organisation is not assigned enterprises")
    if not enterprise_id or len(enterprise_id) > 64:
        raise ValueError("an enterprise id has 1-64 characters")
    wanted = relation or ("owner" if org.kind == OrgKind.EXPORTER else "advised")
    if wanted not in RELATIONS:
        raise ValueError(f"unknown relation {wanted!r}; valid: {', '.join(RELATIONS)}")
    existing = session.get(OrgEnterprise, (org_id, enterprise_id))
    if existing is not None:
        return existing
    row = OrgEnterprise(
        org_id=org_id, enterprise_id=enterprise_id, relation=wanted, created_at=utcnow()
    )
    session.add(row)
    session.flush()
    return row


def unassign_enterprise(session: Session, org_id: str, enterprise_id: str) -> bool:
    """Withdraw an assignment; whether there was one."""
    row = session.get(OrgEnterprise, (org_id, enterprise_id))
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or ``None``.

    Unknown addresses cost as much time as wrong passwords. A hash made with older Argon2
    parameters is replaced on success; ``last_login_at`` is updated.
    """
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.active:
        burn_password_check(password)
        return None
    ok, new_hash = verify_password(user.password_hash, password)
    if not ok:
        return None
    if new_hash is not None:
        user.password_hash = new_hash
    user.last_login_at = utcnow()
    session.flush()
    return user
