"""The tenant matrix: every route of the OpenAPI schema × every role.

Each route has one or more cases: a request on tenant A's resource (``ent-a``: its alert,
subscription, saved search, health check…) or on a shared one. Every role makes every
case's request against a fresh copy of the world (``tests/api/world.py``), and the answer
must be what the role may have:

* anonymous: 401 (except the public routes and the token feeds);
* a role lacking the scope or role the action needs: 403, decided from the credentials
  alone (the same for every id);
* tenant B's side (``exporter-2``, ``advisor-2``), the alliances, and everyone on ids that
  do not exist: the same 404 ``not_found``;
* tenant A (``exporter``, ``advisor``) and the admins: success.

A refused request changes nothing stored. Lists show tenant A's rows to A's side and
tenant B's rows to B's side only. A route added to the app without a case here fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.auth import ROLE_SCOPES, Role
from tests.api.world import AS_OF, LOGIN, ROLES, World, build_world, install_world

SEES_A = frozenset({"admin", "admin-2", "exporter", "advisor"})
SEES_B = frozenset({"admin", "admin-2", "exporter-2", "advisor-2"})
BOTH = ("ent-a", "ent-b")
MISSING = {"int": 987654, "str": "no-such-id"}
UNCHANGED_TABLES_SKIPPED = {"api_keys", "audit_log", "alembic_version"}

PROFILE_A = {
    "id": "ent-a",
    "name": {"zh": "无锡甲电池有限公司", "en": "Wuxi Alpha Battery Co."},
    "chains": ["A5", "L1"],
    "destinations": [{"country": "US", "export_share": 0.5}],
}
PROFILE_NEW = {**PROFILE_A, "id": "ent-new", "name": {"zh": "新公司", "en": "New Co."}}
CHANNEL = "mailtos://bob:hunter2@smtp.example.com?to=owner@example.com"


def base_role(role: str) -> Role | None:
    """The role behind a matrix role (``exporter-2`` is an exporter); None when anonymous."""
    return None if role == "anonymous" else Role(role.removesuffix("-2"))


def has_scope(role: str, scope: str) -> bool:
    base = base_role(role)
    return base is not None and scope in ROLE_SCOPES[base]


# What each role gets: a status, or 0 for "any 2xx".
Expect = Callable[[str], int]


def public(role: str) -> int:
    return 0


def signed_in(role: str) -> int:
    return 401 if role == "anonymous" else 0


def admin_only(role: str) -> int:
    if role == "anonymous":
        return 401
    return 0 if base_role(role) is Role.ADMIN else 403


def scoped(scope: str) -> Expect:
    """Any caller holding ``scope``."""

    def expect(role: str) -> int:
        if role == "anonymous":
            return 401
        return 0 if has_scope(role, scope) else 403

    return expect


def tenant(scope: str, ok: int = 0, roles: tuple[Role, ...] = ()) -> Expect:
    """Tenant A's resource: A's side and admins succeed (with ``ok``), the rest get 404."""

    def expect(role: str) -> int:
        if role == "anonymous":
            return 401
        base = base_role(role)
        if not has_scope(role, scope) or (roles and base not in roles):
            return 403
        return ok if role in SEES_A else 404

    return expect


def shared_write(scope: str) -> Expect:
    """A shared row: readable by all with the scope, changed by admins only (others: 404)."""

    def expect(role: str) -> int:
        if role == "anonymous":
            return 401
        if not has_scope(role, scope):
            return 403
        return 0 if base_role(role) is Role.ADMIN else 404

    return expect


def shared_create(scope: str) -> Expect:
    """Making a shared row (no enterprise): admins only; others hear the field is required."""

    def expect(role: str) -> int:
        if role == "anonymous":
            return 401
        if not has_scope(role, scope):
            return 403
        return 0 if base_role(role) is Role.ADMIN else 422

    return expect


def cross_tenant(scope: str) -> Expect:
    """A request joining tenant A's and tenant B's rows: only admins may."""

    def expect(role: str) -> int:
        if role == "anonymous":
            return 401
        if not has_scope(role, scope):
            return 403
        return 0 if base_role(role) is Role.ADMIN else 404

    return expect


@dataclass(frozen=True)
class Case:
    """One request: path (formatted with the world's ids), body, expectations."""

    path: str
    expect: Expect
    body: Any = None
    missing: str | None = None
    """The same path with an id that does not exist (guessed ids must get 404)."""
    lists: tuple[str, ...] = ()
    """A list: shows ``ent-a`` to A's side only and ``ent-b`` to B's side only."""
    headers: dict[str, str] | None = None


def _alert_action(action: str, body: Any = None) -> list[Case]:
    return [
        Case(
            f"/api/v1/alerts/{{alert_a}}/{action}",
            tenant("alerts:write", 201 if action == "notes" else 200),
            body,
            missing=f"/api/v1/alerts/{MISSING['int']}/{action}",
        )
    ]


def _subscription_body(**extra: Any) -> dict[str, Any]:
    return {"name": "matrix", "enterprise_id": "ent-a", "owner_contact": CHANNEL, **extra}


CASES: dict[tuple[str, str], list[Case]] = {
    # Public: sign-in, health, sources; the feeds open with their token alone.
    ("POST", "/api/v1/auth/login"): [
        Case("/api/v1/auth/login", public, {"email": LOGIN[0], "password": LOGIN[1]})
    ],
    ("POST", "/api/v1/auth/logout"): [Case("/api/v1/auth/logout", signed_in)],
    ("GET", "/api/v1/auth/me"): [Case("/api/v1/auth/me", signed_in)],
    ("GET", "/api/v1/health"): [Case("/api/v1/health", public)],
    ("GET", "/api/v1/sources"): [Case("/api/v1/sources", public)],
    ("GET", "/api/v1/feeds/{subscription_id}.atom"): [
        Case("/api/v1/feeds/{sub_a}.atom?token={token_a}", public),
        Case(
            "/api/v1/feeds/{sub_a}.atom?token={token_b}",
            lambda role: 404,
            missing=f"/api/v1/feeds/{MISSING['int']}.atom?token={{token_a}}",
        ),
    ],
    ("GET", "/api/v1/feeds/{subscription_id}.rss"): [
        Case("/api/v1/feeds/{sub_a}.rss?token={token_a}", public),
        Case("/api/v1/feeds/{sub_b}.rss?token={token_a}", lambda role: 404),
    ],
    # Admin.
    ("GET", "/api/v1/admin/orgs"): [Case("/api/v1/admin/orgs", admin_only)],
    ("POST", "/api/v1/admin/orgs"): [
        Case(
            "/api/v1/admin/orgs",
            admin_only,
            {"id": "new-org", "kind": "exporter", "name_en": "New"},
        )
    ],
    ("GET", "/api/v1/admin/users"): [Case("/api/v1/admin/users", admin_only)],
    ("POST", "/api/v1/admin/users"): [
        Case(
            "/api/v1/admin/users",
            admin_only,
            {
                "email": "x@example.com",
                "password": "pw-1234567890",
                "org_id": "beta",
                "role": "exporter",
            },
        )
    ],
    ("PATCH", "/api/v1/admin/users/{user_id}"): [
        Case("/api/v1/admin/users/{user}", admin_only, {"active": False})
    ],
    ("GET", "/api/v1/admin/orgs/{org_id}/enterprises"): [
        Case("/api/v1/admin/orgs/acme/enterprises", admin_only)
    ],
    ("PUT", "/api/v1/admin/orgs/{org_id}/enterprises/{enterprise_id}"): [
        Case("/api/v1/admin/orgs/beta/enterprises/ent-a", admin_only)
    ],
    ("DELETE", "/api/v1/admin/orgs/{org_id}/enterprises/{enterprise_id}"): [
        Case("/api/v1/admin/orgs/acme/enterprises/ent-a", admin_only)
    ],
    ("GET", "/api/v1/admin/keys"): [Case("/api/v1/admin/keys", admin_only)],
    ("POST", "/api/v1/admin/keys"): [
        Case(
            "/api/v1/admin/keys",
            admin_only,
            {"org_id": "beta", "name": "new", "scopes": ["alerts:read"]},
        )
    ],
    ("DELETE", "/api/v1/admin/keys/{key_id}"): [
        Case("/api/v1/admin/keys/{victim_key}", admin_only)
    ],
    ("GET", "/api/v1/admin/audit"): [Case("/api/v1/admin/audit", admin_only)],
    # Items and search: anyone with search:read.
    ("GET", "/api/v1/items"): [Case("/api/v1/items?q=lithium", scoped("search:read"))],
    ("GET", "/api/v1/items/export"): [
        Case("/api/v1/items/export?format=csv", scoped("search:read"))
    ],
    ("GET", "/api/v1/items/{item_id}"): [Case("/api/v1/items/{item}", scoped("search:read"))],
    # Alerts.
    ("GET", "/api/v1/alerts"): [
        Case("/api/v1/alerts", scoped("alerts:read"), lists=BOTH),
        Case("/api/v1/alerts?enterprise=ent-a", scoped("alerts:read"), lists=("ent-a",)),
    ],
    ("GET", "/api/v1/alerts/{alert_id}"): [
        Case(
            "/api/v1/alerts/{alert_a}",
            tenant("alerts:read"),
            missing=f"/api/v1/alerts/{MISSING['int']}",
        )
    ],
    ("POST", "/api/v1/alerts/{alert_id}/acknowledge"): _alert_action("acknowledge"),
    ("POST", "/api/v1/alerts/{alert_id}/dismiss"): _alert_action("dismiss", {"reason": "not_us"}),
    ("POST", "/api/v1/alerts/{alert_id}/resolve"): _alert_action("resolve"),
    ("POST", "/api/v1/alerts/{alert_id}/notes"): _alert_action("notes", {"text": "mine now"}),
    # Saved searches: the enterprise's own, and shared ones (read by all, written by admins).
    ("GET", "/api/v1/searches"): [Case("/api/v1/searches", scoped("search:read"), lists=BOTH)],
    ("POST", "/api/v1/searches"): [
        Case(
            "/api/v1/searches",
            tenant("searches:write", 201),
            {"name": "mine", "enterprise_id": "ent-a", "query": {"q": "battery"}},
        ),
        Case("/api/v1/searches", shared_create("searches:write"), {"name": "x", "query": {}}),
    ],
    ("GET", "/api/v1/searches/{saved_id}"): [
        Case(
            "/api/v1/searches/{search_a}",
            tenant("search:read"),
            missing=f"/api/v1/searches/{MISSING['int']}",
        ),
        Case("/api/v1/searches/{search_shared}", scoped("search:read")),
    ],
    ("PATCH", "/api/v1/searches/{saved_id}"): [
        Case("/api/v1/searches/{search_a}", tenant("searches:write"), {"name": "renamed"}),
        Case("/api/v1/searches/{search_shared}", shared_write("searches:write"), {"name": "r"}),
    ],
    ("DELETE", "/api/v1/searches/{saved_id}"): [
        Case(
            "/api/v1/searches/{search_a}",
            tenant("searches:write", 204),
            missing=f"/api/v1/searches/{MISSING['int']}",
        ),
        Case("/api/v1/searches/{search_shared}", shared_write("searches:write")),
    ],
    ("GET", "/api/v1/searches/{saved_id}/run"): [
        Case("/api/v1/searches/{search_a}/run", tenant("search:read")),
        Case("/api/v1/searches/{search_shared}/run", scoped("search:read")),
    ],
    # Subscriptions.
    ("GET", "/api/v1/subscriptions"): [
        Case("/api/v1/subscriptions", scoped("subscriptions:read"), lists=BOTH)
    ],
    ("POST", "/api/v1/subscriptions"): [
        Case("/api/v1/subscriptions", tenant("subscriptions:write", 201), _subscription_body()),
        Case(
            "/api/v1/subscriptions",
            cross_tenant("subscriptions:write"),
            _subscription_body(saved_search_id="{search_b}"),
        ),
        Case(
            "/api/v1/subscriptions",
            shared_create("subscriptions:write"),
            _subscription_body(enterprise_id=None, saved_search_id="{search_shared}"),
        ),
    ],
    ("POST", "/api/v1/subscriptions/estimate"): [
        Case("/api/v1/subscriptions/estimate", tenant("subscriptions:write"), _subscription_body())
    ],
    ("GET", "/api/v1/subscriptions/{subscription_id}"): [
        Case(
            "/api/v1/subscriptions/{sub_a}",
            tenant("subscriptions:read"),
            missing=f"/api/v1/subscriptions/{MISSING['int']}",
        ),
        Case("/api/v1/subscriptions/{sub_shared}", cross_tenant("subscriptions:read")),
    ],
    ("PATCH", "/api/v1/subscriptions/{subscription_id}"): [
        Case("/api/v1/subscriptions/{sub_a}", tenant("subscriptions:write"), {"active": False}),
        Case(
            "/api/v1/subscriptions/{sub_shared}",
            cross_tenant("subscriptions:write"),
            {"active": False},
        ),
    ],
    ("DELETE", "/api/v1/subscriptions/{subscription_id}"): [
        Case(
            "/api/v1/subscriptions/{sub_a}",
            tenant("subscriptions:write", 204),
            missing=f"/api/v1/subscriptions/{MISSING['int']}",
        )
    ],
    ("GET", "/api/v1/subscriptions/{subscription_id}/deliveries"): [
        Case("/api/v1/subscriptions/{sub_a}/deliveries", tenant("subscriptions:read"))
    ],
    # Enterprises.
    ("GET", "/api/v1/enterprises"): [
        Case("/api/v1/enterprises", scoped("enterprises:read"), lists=BOTH)
    ],
    ("POST", "/api/v1/enterprises"): [
        Case("/api/v1/enterprises", scoped("enterprises:write"), PROFILE_NEW),
        # Tenant A's id: A's side hears it exists (422); everyone else, not found.
        Case("/api/v1/enterprises", tenant("enterprises:write", 422), PROFILE_A),
    ],
    ("GET", "/api/v1/enterprises/{enterprise_id}"): [
        Case(
            "/api/v1/enterprises/ent-a",
            tenant("enterprises:read"),
            missing=f"/api/v1/enterprises/{MISSING['str']}",
        )
    ],
    ("PUT", "/api/v1/enterprises/{enterprise_id}"): [
        Case("/api/v1/enterprises/ent-a", tenant("enterprises:write"), PROFILE_A)
    ],
    ("DELETE", "/api/v1/enterprises/{enterprise_id}"): [
        Case(
            "/api/v1/enterprises/ent-a",
            tenant("enterprises:write", 204),
            missing=f"/api/v1/enterprises/{MISSING['str']}",
        )
    ],
    ("POST", "/api/v1/enterprises/import"): [
        Case("/api/v1/enterprises/import", tenant("enterprises:write", 201), [PROFILE_A]),
        Case("/api/v1/enterprises/import", scoped("enterprises:write"), [PROFILE_NEW]),
    ],
    # Briefings: read by all with briefings:read, generated by admins.
    ("GET", "/api/v1/briefings"): [Case("/api/v1/briefings", scoped("briefings:read"))],
    ("POST", "/api/v1/briefings"): [
        Case("/api/v1/briefings", admin_only, {"country": "US", "as_of": AS_OF.isoformat()})
    ],
    ("GET", "/api/v1/briefings/{briefing_id}"): [
        Case("/api/v1/briefings/{briefing}", scoped("briefings:read"))
    ],
    ("GET", "/api/v1/briefings/{briefing_id}/html"): [
        Case("/api/v1/briefings/{briefing}/html?lang=en", scoped("briefings:read"))
    ],
    ("GET", "/api/v1/briefings/{briefing_id}/pdf"): [
        Case("/api/v1/briefings/{briefing}/pdf?lang=en", scoped("briefings:read"))
    ],
    # Health checks and advisors' notes.
    ("GET", "/api/v1/health-checks"): [
        Case("/api/v1/health-checks", scoped("health_checks:read"), lists=BOTH)
    ],
    ("POST", "/api/v1/health-checks"): [
        Case(
            "/api/v1/health-checks",
            tenant("health_checks:write", 201),
            {"enterprise_id": "ent-a", "as_of": AS_OF.isoformat()},
        )
    ],
    ("GET", "/api/v1/health-checks/{check_id}"): [
        Case(
            "/api/v1/health-checks/{check_a}",
            tenant("health_checks:read"),
            missing=f"/api/v1/health-checks/{MISSING['int']}",
        )
    ],
    ("GET", "/api/v1/health-checks/{check_id}/html"): [
        Case("/api/v1/health-checks/{check_a}/html?lang=en", tenant("health_checks:read"))
    ],
    ("GET", "/api/v1/health-checks/{check_id}/pdf"): [
        Case("/api/v1/health-checks/{check_a}/pdf?lang=en", tenant("health_checks:read"))
    ],
    ("POST", "/api/v1/health-checks/{check_id}/notes"): [
        Case(
            "/api/v1/health-checks/{check_a}/notes",
            tenant("health_checks:write", 201, (Role.ADMIN, Role.ADVISOR)),
            {"text": "my advice"},
            missing=f"/api/v1/health-checks/{MISSING['int']}/notes",
        )
    ],
    # Chain statistics: alliances (their own chains) and admins.
    ("GET", "/api/v1/stats/chains"): [
        Case("/api/v1/stats/chains", scoped("stats:read")),
        Case(
            "/api/v1/stats/chains?chain=L1",
            lambda role: {"alliance-2": 404}.get(role, scoped("stats:read")(role)),
        ),
    ],
}


def schema_routes() -> list[tuple[str, str]]:
    """Every (method, path) of the app's OpenAPI schema."""
    from api.app import create_app

    paths = create_app().openapi()["paths"]
    return sorted((m.upper(), p) for p, ops in paths.items() for m in ops)


ROUTES = schema_routes()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return build_world(tmp_path_factory.mktemp("world") / "var")


def stored_state() -> list[str]:
    """Every stored row but the bookkeeping ones (key last-use times, the audit log)."""
    from core.db import session_scope
    from core.models import Base

    rows: list[str] = []
    with session_scope() as session:
        for table in Base.metadata.sorted_tables:
            if table.name not in UNCHANGED_TABLES_SKIPPED:
                rows.extend(f"{table.name}:{tuple(r)}" for r in session.execute(select(table)))
    return rows


def _fill(value: Any, ids: dict[str, object]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        key = value[1:-1]
        return ids.get(key, value)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def test_every_route_has_a_case() -> None:
    assert sorted(CASES) == ROUTES, (
        "routes without a tenant-matrix case: "
        f"{sorted(set(ROUTES) - set(CASES))}; cases without a route: "
        f"{sorted(set(CASES) - set(ROUTES))}"
    )


def _request(client: TestClient, method: str, path: str, role: str, world: World, body: Any) -> Any:
    headers = world.headers(role)
    if body is None:
        return client.request(method, path, headers=headers)
    return client.request(method, path, headers=headers, json=_fill(body, world.ids))


def _check(case: Case, method: str, role: str, world: World, client: TestClient) -> None:
    path = case.path.format(**world.ids)
    expected = case.expect(role)
    before = stored_state() if expected >= 300 else None
    response = _request(client, method, path, role, world, case.body)
    where = f"{method} {path} as {role}: {response.status_code} {response.text[:300]}"
    if expected == 0:
        assert 200 <= response.status_code < 300, where
    else:
        assert response.status_code == expected, where
    if response.status_code >= 400:
        assert response.json()["error"]["code"], where
    if before is not None and response.status_code >= 400:
        assert stored_state() == before, f"{where}: a refused request changed stored data"
    if response.status_code == 200:
        for marker in case.lists:
            sees = SEES_A if marker == "ent-a" else SEES_B
            assert (marker in response.text) == (role in sees), f"{where}: {marker}"
    if case.missing and expected in (0, 200, 201, 204, 404):
        _check_guessed_id(case, method, role, world, client, response)


def _check_guessed_id(
    case: Case, method: str, role: str, world: World, client: TestClient, seen: Any
) -> None:
    assert case.missing is not None
    missing = _request(client, method, case.missing.format(**world.ids), role, world, case.body)
    assert missing.status_code == 404, f"{case.missing} as {role}: {missing.text}"
    if seen.status_code == 404:  # another tenant's id looks exactly like a missing one
        assert seen.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
        assert set(seen.json()["error"]) == set(missing.json()["error"])


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "route"), ROUTES, ids=[f"{m} {p}" for m, p in ROUTES])
def test_tenant_matrix(method: str, route: str, role: str, world: World, tmp_path: Path) -> None:
    from api.app import create_app

    cases = CASES.get((method, route))
    assert cases, f"{method} {route} has no tenant-matrix case: add one to CASES"
    for number, case in enumerate(cases):
        with pytest.MonkeyPatch.context() as patch:
            install_world(world, tmp_path / f"case{number}", patch)
            with TestClient(create_app()) as client:
                _check(case, method, role, world, client)
