"""Accounts from the command line, and the demo accounts ``iprwatch demo`` loads."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from api.auth._demo import load_demo_accounts
from api.runtime import DEMO_DIR
from core.db import session_scope
from core.models import ApiKey, AuditEntry, User
from tests.auth.conftest import make_app
from tests.cli.test_cli import iprwatch


def test_cli_creates_org_user_and_a_key_shown_once_then_revokes_it(tmp_path: Path) -> None:
    data = tmp_path / "var"
    made = iprwatch("orgs", "add", "acme", "--kind", "exporter", "--name", "Acme", data_dir=data)
    assert made.returncode == 0, made.stderr
    assigned = iprwatch("orgs", "assign", "acme", "ent-a", data_dir=data)
    assert assigned.returncode == 0, assigned.stderr
    user = iprwatch(
        "users", "add", "Ops@Acme.example", "--org", "acme", "--role", "exporter",
        data_dir=data, stdin="a-password-from-stdin\n",
    )  # fmt: skip
    assert user.returncode == 0, user.stderr
    assert json.loads(user.stdout)["email"] == "ops@acme.example"
    assert "a-password-from-stdin" not in user.stdout + user.stderr
    created = iprwatch(
        "keys", "create", "--org", "acme", "--name", "ERP", "--scope", "alerts:read",
        "--scope", "search:read", data_dir=data,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)
    assert key["key"].startswith(key["prefix"])
    assert "cannot be shown again" in created.stderr
    listed = iprwatch("keys", "list", data_dir=data)
    assert key["key"] not in listed.stdout
    assert json.loads(listed.stdout)["prefix"] == key["prefix"]
    revoked = iprwatch("keys", "revoke", str(key["id"]), data_dir=data)
    assert revoked.returncode == 0, revoked.stderr
    again = iprwatch("keys", "revoke", "999", data_dir=data)
    assert again.returncode != 0
    assert "no API key with id 999" in again.stderr


def test_cli_refuses_bad_input_with_a_reason(tmp_path: Path) -> None:
    data = tmp_path / "var"
    kind = iprwatch("orgs", "add", "acme", "--kind", "factory", "--name", "A", data_dir=data)
    assert kind.returncode == 2
    assert "valid: exporter, advisory, alliance, operator" in kind.stderr
    nobody = iprwatch(
        "users", "add", "a@b.example", "--org", "missing", "--role", "exporter",
        data_dir=data, stdin="long-enough-password\n",
    )  # fmt: skip
    assert nobody.returncode == 2
    assert "unknown organisation 'missing'" in nobody.stderr


def test_demo_accounts_sign_in_with_their_documented_passwords(db: str) -> None:
    path = DEMO_DIR / "accounts.yml"
    with session_scope() as session:
        created = load_demo_accounts(session, path)
    assert len(created) == 4
    with session_scope() as session:
        assert load_demo_accounts(session, path) == []  # idempotent
        roles = {u.email: u.role for u in session.scalars(select(User))}
        assert not session.scalars(select(ApiKey)).all()
        assert session.scalars(select(AuditEntry).where(AuditEntry.actor == "demo")).all()
    assert sorted(roles.values()) == ["admin", "advisor", "alliance", "exporter"]
    with TestClient(make_app()) as client:
        response = client.post(
            "/api/v1/auth/login",
            json={"email": "exporter@demo.iprwatch.local", "password": "demo-exporter-2026"},
        )
        assert response.status_code == 200
        assert response.json()["enterprise_ids"] == ["wuxi-netlink"]
