"""Request and response models of the auth and admin API."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.auth._principal import Principal, aggregates_only
from api.schemas import UtcDateTime


class LoginIn(BaseModel):
    """E-mail and password."""

    email: str = Field(max_length=254)
    password: str = Field(max_length=1024, repr=False)


class MeOut(BaseModel):
    """The caller: who, which tenant, what it may see and do."""

    kind: str
    id: int
    role: str
    org_id: str
    display_name: str
    enterprise_ids: list[str] | None = Field(description="None: every enterprise (admin).")
    scopes: list[str]
    aggregates_only: bool
    csrf_token: str | None = Field(
        default=None, description="Echo in X-CSRF-Token on unsafe requests with the cookie."
    )

    @classmethod
    def of(cls, principal: Principal, csrf_token: str | None = None) -> MeOut:
        """The description of ``principal``."""
        return cls(
            kind=principal.kind,
            id=principal.id,
            role=principal.role.value,
            org_id=principal.org_id,
            display_name=principal.display_name,
            enterprise_ids=None if principal.is_admin else sorted(principal.enterprise_ids),
            scopes=sorted(principal.scopes),
            aggregates_only=aggregates_only(principal),
            csrf_token=csrf_token or principal.csrf_token,
        )


class OrgIn(BaseModel):
    """A new organisation."""

    id: str = Field(max_length=64, examples=["wuxi-netlink"])
    kind: str = Field(examples=["exporter"], description="exporter, advisory, alliance, operator")
    name_zh: str = Field(default="", max_length=300)
    name_en: str = Field(default="", max_length=300)
    chains: list[str] = Field(default_factory=list, description="Alliances only.")


class OrgOut(BaseModel):
    """An organisation."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: str
    name_zh: str
    name_en: str
    chains: list[str]
    created_at: UtcDateTime


class UserIn(BaseModel):
    """A new user; the password is hashed with Argon2 and never returned."""

    email: str = Field(max_length=254)
    password: str = Field(min_length=1, max_length=1024, repr=False)
    org_id: str = Field(max_length=64)
    role: str = Field(description="admin, advisor, exporter, alliance")
    display_name: str = Field(default="", max_length=200)


class UserPatch(BaseModel):
    """Changes to a user."""

    active: bool | None = None
    display_name: str | None = Field(default=None, max_length=200)


class UserOut(BaseModel):
    """A user (without the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: str
    email: str
    display_name: str
    role: str
    active: bool
    created_at: UtcDateTime
    last_login_at: UtcDateTime | None


class AssignmentOut(BaseModel):
    """An enterprise an organisation may see."""

    model_config = ConfigDict(from_attributes=True)

    org_id: str
    enterprise_id: str
    relation: str
    created_at: UtcDateTime


class ApiKeyIn(BaseModel):
    """A new API key."""

    org_id: str = Field(max_length=64)
    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(min_length=1, examples=[["alerts:read", "search:read"]])
    user_id: int | None = Field(default=None, ge=1, le=2_147_483_647)


class ApiKeyOut(BaseModel):
    """An API key as listed: never the key itself, only its prefix."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: str
    user_id: int | None
    name: str
    prefix: str
    scopes: list[str]
    created_at: UtcDateTime
    last_used_at: UtcDateTime | None
    revoked_at: UtcDateTime | None


class ApiKeyCreated(ApiKeyOut):
    """A key just created: ``key`` is shown this once and cannot be retrieved again."""

    key: str


class AuditOut(BaseModel):
    """One audit entry."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    at: UtcDateTime
    actor: str
    org_id: str | None
    action: str
    target_type: str | None
    target_id: str | None
    ip: str | None
    detail: dict[str, Any]


class AuditPage(BaseModel):
    """A page of the audit log, newest first."""

    entries: list[AuditOut]
    next_cursor: str | None = None
