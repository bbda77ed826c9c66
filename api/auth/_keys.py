"""API keys: created with the plaintext shown once, verified in constant time, revocable.

A key is ``iprw_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is
stored. A fast hash is right here, unlike for passwords: a 256-bit random key cannot be
guessed or brute-forced from its hash, so a slow hash (Argon2, ~50 ms of CPU) would add no
protection and would turn every API request into a denial-of-service lever. The first
characters (``prefix``) are stored in clear so that people can tell their keys apart.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth import _generation  # noqa: F401  (every change here moves the generation on)
from api.auth._roles import ROLE_FOR_ORG_KIND, ROLE_SCOPES, OrgKind, Role, parse_scopes
from core.models import ApiKey, Organisation, User, utcnow

KEY_MARKER = "iprw_"
PREFIX_LENGTH = 12


@dataclass(frozen=True)
class NewApiKey:
    """A freshly created key: ``plaintext`` exists only here, to be shown once."""

    row: ApiKey
    plaintext: str


def key_digest(plaintext: str) -> str:
    """The stored form of a key (hex SHA-256)."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def looks_like_api_key(value: str) -> bool:
    """Whether ``value`` has the shape of one of our keys (cheap pre-check)."""
    return value.startswith(KEY_MARKER) and 30 <= len(value) <= 100


def create_api_key(
    session: Session,
    org_id: str,
    name: str,
    scopes: list[str],
    user_id: int | None = None,
) -> NewApiKey:
    """Create a key for an organisation (optionally bound to one of its users).

    Raises:
        ValueError: unknown organisation, user of another organisation, unknown scope,
            no scope the key's role allows (scopes beyond it are dropped), or an empty name.
    """
    if not name.strip():
        raise ValueError("a key needs a name")
    org = session.get(Organisation, org_id)
    if org is None:
        raise ValueError(f"unknown organisation {org_id!r}")
    role = ROLE_FOR_ORG_KIND[OrgKind(org.kind)]
    if user_id is not None:
        user = session.get(User, user_id)
        if user is None or user.org_id != org_id:
            raise ValueError(f"user {user_id} is not in organisation {org_id!r}")
        role = Role(user.role)
    plaintext = KEY_MARKER + secrets.token_urlsafe(32)
    row = ApiKey(
        org_id=org_id,
        user_id=user_id,
        name=name.strip(),
        prefix=plaintext[:PREFIX_LENGTH],
        key_hash=key_digest(plaintext),
        scopes=allowed_scopes(scopes, role),
        created_at=utcnow(),
    )
    session.add(row)
    session.flush()
    return NewApiKey(row=row, plaintext=plaintext)


def allowed_scopes(scopes: list[str], role: Role) -> list[str]:
    """The requested scopes the role allows: a key is shown and stored with what it can do.

    Raises:
        ValueError: an unknown scope, or none the role allows (naming those it does).
    """
    wanted = parse_scopes(scopes)
    allowed = [s for s in wanted if s in ROLE_SCOPES[role]]
    if wanted and not allowed:
        valid = parse_scopes(list(ROLE_SCOPES[role]))
        raise ValueError(
            f"a key of the {role.value} role cannot have {', '.join(wanted)}; "
            f"it may have: {', '.join(valid)}"
        )
    return allowed


def find_api_key(session: Session, plaintext: str) -> ApiKey | None:
    """The live (not revoked) key matching ``plaintext``, compared in constant time."""
    if not looks_like_api_key(plaintext):
        return None
    digest = key_digest(plaintext)
    candidates = session.scalars(
        select(ApiKey).where(ApiKey.prefix == plaintext[:PREFIX_LENGTH])
    ).all()
    match = None
    for row in candidates:
        if hmac.compare_digest(row.key_hash, digest):
            match = row
    if match is None or match.revoked_at is not None:
        return None
    return match


def revoke_api_key(session: Session, key_id: int) -> ApiKey | None:
    """Revoke a key (idempotent); ``None`` when there is no such key."""
    row = session.get(ApiKey, key_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.flush()
    return row
