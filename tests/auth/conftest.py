"""Two exporter tenants, an advisory firm, an alliance and an admin, over the real app.

``acme`` (exporter) owns ``ent-a``; ``beta`` (exporter) owns ``ent-b``; ``hengyuan``
(advisory) advises ``ent-a`` and ``ent-c``; ``iot`` (alliance) covers chains L1 and L4.
A small router of tenant-checked routes is added to the real app, as the next routers
will use the dependencies.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.auth import (
    CurrentPrincipal,
    Principal,
    WebPrincipal,
    assign_enterprise,
    create_api_key,
    create_org,
    enterprise_or_404,
    hash_password,
    install_auth_error_handlers,
    require_scope,
    restrict_to_visible,
)
from api.deps import DbSession
from core.db import session_scope
from core.models import Base, Enterprise, User

PASSWORDS = {
    "admin@example.com": "admin-password-1",
    "acme@example.com": "acme-password-1",
    "beta@example.com": "beta-password-1",
    "advisor@example.com": "advisor-password-1",
    "alliance@example.com": "alliance-password-1",
}

tenant_router = APIRouter(prefix="/t")


@cache
def argon2_hash(password: str) -> str:
    """A real Argon2 hash, computed once per test run (hashing is slow on purpose)."""
    return hash_password(password)


@tenant_router.get("/enterprises")
def list_enterprises(session: DbSession, principal: CurrentPrincipal) -> list[str]:
    query = restrict_to_visible(select(Enterprise.id), Enterprise.id, principal)
    return sorted(session.scalars(query))


@tenant_router.get("/enterprises/{enterprise_id}")
def get_enterprise(
    enterprise_id: str, session: DbSession, principal: CurrentPrincipal
) -> dict[str, str]:
    return {"id": enterprise_or_404(session, principal, enterprise_id).id}


@tenant_router.get("/alerts")
def read_alerts(
    principal: Annotated[Principal, Depends(require_scope("alerts:read"))],
) -> dict[str, str]:
    return {"actor": principal.actor}


@tenant_router.get("/page")
def web_page(principal: WebPrincipal) -> dict[str, str]:
    return {"page_for": principal.actor}


@tenant_router.post("/notes")
def write_note(principal: CurrentPrincipal) -> dict[str, str]:
    return {"written_by": principal.actor}


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest) -> str:
    """SQLite always; PostgreSQL when it is available."""
    fixture = "db" if request.param == "sqlite" else "postgres_url"
    return str(request.getfixturevalue(fixture))


@dataclass
class Tenants:
    """Ids made by the ``tenants`` fixture."""

    user_ids: dict[str, int]


@pytest.fixture
def tenants(database: str) -> Tenants:
    """The organisations, users, enterprises and assignments described above."""
    with session_scope() as session:
        for ent in ("ent-a", "ent-b", "ent-c"):
            session.add(Enterprise(id=ent, name_en=ent.upper(), profile={}))
        create_org(session, "operator", "operator", name_en="Operator")
        create_org(session, "acme", "exporter", name_en="Acme")
        create_org(session, "beta", "exporter", name_zh="贝塔")
        create_org(session, "hengyuan", "advisory", name_en="Hengyuan IP")
        create_org(session, "iot", "alliance", name_en="IoT Alliance", chains=["L1", "L4"])
        assign_enterprise(session, "acme", "ent-a")
        assign_enterprise(session, "beta", "ent-b")
        assign_enterprise(session, "hengyuan", "ent-a")
        assign_enterprise(session, "hengyuan", "ent-c")
        orgs = {
            "admin@example.com": ("operator", "admin"),
            "acme@example.com": ("acme", "exporter"),
            "beta@example.com": ("beta", "exporter"),
            "advisor@example.com": ("hengyuan", "advisor"),
            "alliance@example.com": ("iot", "alliance"),
        }
        ids = {}
        for email, (org, role) in orgs.items():
            user = User(
                org_id=org,
                email=email,
                display_name=email.split("@")[0],
                password_hash=argon2_hash(PASSWORDS[email]),
                role=role,
            )
            session.add(user)
            session.flush()
            ids[email] = user.id
    return Tenants(user_ids=ids)


def make_app() -> FastAPI:
    """The auth, admin and web routers with the test routes, wired as ``create_app`` does.

    A small app keeps these tests independent of the other routers; one test checks the
    real ``create_app`` as well (``test_real_app_serves_login_and_anonymous_pages``).
    """
    from api import web
    from api.errors import install_error_handlers
    from api.routers import admin, auth, sources

    app = FastAPI()
    install_error_handlers(app)
    install_auth_error_handlers(app)
    for router in (auth.router, admin.router, sources.router):
        app.include_router(router, prefix="/api/v1")
    app.include_router(auth.web_router)
    app.include_router(web.router)
    app.include_router(tenant_router)
    return app


@pytest.fixture
def app(tenants: Tenants) -> FastAPI:
    return make_app()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def login(client: TestClient, email: str) -> str:
    """Sign ``client`` in as ``email``; the session's CSRF token."""
    response = client.post(
        "/api/v1/auth/login", json={"email": email, "password": PASSWORDS[email]}
    )
    assert response.status_code == 200, response.text
    return str(response.json()["csrf_token"])


def new_key(org: str, scopes: list[str], name: str = "test key") -> str:
    """A fresh API key's plaintext."""
    with session_scope() as session:
        return create_api_key(session, org, name, scopes).plaintext


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def database_dump() -> str:
    """Every value in every table, as text (to prove what is and is not stored)."""
    parts: list[Any] = []
    with session_scope() as session:
        for table in Base.metadata.sorted_tables:
            parts.extend(str(tuple(row)) for row in session.execute(select(table)))
    return "\n".join(parts)
