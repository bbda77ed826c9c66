"""``iprwatch orgs|users|keys``: accounts from the command line (audited as actor ``cli``).

Passwords are read from a hidden prompt (or the first line of stdin when it is not a
terminal), never from an argument: arguments end up in shell history and ``ps``.
"""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

orgs_app = typer.Typer(help="Organisations (tenants).", no_args_is_help=True)
users_app = typer.Typer(help="Users who sign in to the web UI.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for machines.", no_args_is_help=True)
err = Console(stderr=True)
ACTOR = "cli"


def add_account_commands(app: typer.Typer) -> None:
    """Register ``orgs``, ``users`` and ``keys`` on the main command."""
    app.add_typer(orgs_app, name="orgs")
    app.add_typer(users_app, name="users")
    app.add_typer(keys_app, name="keys")


def _emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")


def _fail(message: str, code: int = 2) -> None:
    err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _read_password() -> str:
    if sys.stdin.isatty():
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    return sys.stdin.readline().rstrip("\r\n")


@orgs_app.command("add")
def orgs_add(
    org_id: Annotated[str, typer.Argument(metavar="ID", help="Short id, e.g. wuxi-netlink.")],
    kind: Annotated[str, typer.Option(help="exporter, advisory, alliance or operator.")],
    name: Annotated[str, typer.Option(help="Name in English.")] = "",
    name_zh: Annotated[str, typer.Option(help="Name in Chinese.")] = "",
    chain: Annotated[list[str] | None, typer.Option(help="Alliance chain (repeatable).")] = None,
) -> None:
    """Create an organisation."""
    from api.auth import audit, create_org
    from core.db import session_scope
    from core.migrate import upgrade

    upgrade()
    try:
        with session_scope() as session:
            org = create_org(session, org_id, kind, name_zh, name, chain or [])
            audit(
                session, ACTOR, "org.create", "organisation", org.id, {"kind": kind}, org_id=org.id
            )
    except ValueError as exc:
        _fail(str(exc))
    err.print(f"organisation {escape(org_id)} created")


@orgs_app.command("assign")
def orgs_assign(
    org_id: Annotated[str, typer.Argument(metavar="ORG")],
    enterprise_id: Annotated[str, typer.Argument(metavar="ENTERPRISE")],
) -> None:
    """Let an organisation see an enterprise (exporter: owns it; advisory: advises it)."""
    from api.auth import assign_enterprise, audit
    from core.db import session_scope
    from core.migrate import upgrade

    upgrade()
    try:
        with session_scope() as session:
            row = assign_enterprise(session, org_id, enterprise_id)
            audit(session, ACTOR, "org.assign", "enterprise", enterprise_id,
                  {"relation": row.relation}, org_id=org_id)  # fmt: skip
    except ValueError as exc:
        _fail(str(exc))
    err.print(f"{escape(org_id)} may now see {escape(enterprise_id)}")


@users_app.command("add")
def users_add(
    email: Annotated[str, typer.Argument(metavar="EMAIL")],
    org: Annotated[str, typer.Option(help="Organisation id.")],
    role: Annotated[str, typer.Option(help="admin, advisor, exporter or alliance.")],
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a user; the password is asked for (or read from stdin), never an argument."""
    from api.auth import audit, create_user
    from core.db import session_scope
    from core.migrate import upgrade

    password = _read_password()
    upgrade()
    try:
        with session_scope() as session:
            user = create_user(session, email, password, org, role, name)
            audit(session, ACTOR, "user.create", "user", user.id,
                  {"email": user.email, "role": user.role}, org_id=org)  # fmt: skip
            user_id = user.id
    except ValueError as exc:
        _fail(str(exc))
        return
    _emit({"id": user_id, "email": email.strip().lower(), "org_id": org, "role": role})


@keys_app.command("create")
def keys_create(
    org: Annotated[str, typer.Option(help="Organisation id.")],
    name: Annotated[str, typer.Option(help="What the key is for.")],
    scope: Annotated[list[str], typer.Option(help="Scope (repeatable), e.g. alerts:read.")],
    user_id: Annotated[int | None, typer.Option(help="Bind the key to this user.")] = None,
) -> None:
    """Create an API key and print it once: it cannot be shown again."""
    from api.auth import audit, create_api_key
    from core.db import session_scope
    from core.migrate import upgrade

    upgrade()
    try:
        with session_scope() as session:
            new = create_api_key(session, org, name, scope, user_id)
            audit(session, ACTOR, "api_key.create", "api_key", new.row.id,
                  {"name": name, "prefix": new.row.prefix, "scopes": new.row.scopes}, org_id=org)  # fmt: skip
            line = {"id": new.row.id, "prefix": new.row.prefix, "scopes": new.row.scopes}
    except ValueError as exc:
        _fail(str(exc))
        return
    _emit({**line, "key": new.plaintext})
    dropped = [s for s in dict.fromkeys(scope) if s not in new.row.scopes]
    if dropped:
        err.print(f"[yellow]warning:[/yellow] left out (the key's role never allows them): "
                  f"{', '.join(dropped)}", highlight=False, soft_wrap=True)  # fmt: skip
    err.print("store the key now: it is not kept and cannot be shown again")


@keys_app.command("revoke")
def keys_revoke(key_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Revoke an API key; it stops working at once."""
    from api.auth import audit, revoke_api_key
    from core.db import session_scope
    from core.migrate import upgrade

    upgrade()
    with session_scope() as session:
        row = revoke_api_key(session, key_id)
        if row is not None:
            audit(session, ACTOR, "api_key.revoke", "api_key", row.id, {"prefix": row.prefix},
                  org_id=row.org_id)  # fmt: skip
    if row is None:
        _fail(f"no API key with id {key_id}")
    err.print(f"API key {key_id} revoked")


@keys_app.command("list")
def keys_list(
    org: Annotated[str | None, typer.Option(help="Only this organisation.")] = None,
) -> None:
    """API keys as JSON lines (prefix and metadata; never the key)."""
    from sqlalchemy import select

    from core.db import session_scope
    from core.migrate import upgrade
    from core.models import ApiKey

    upgrade()
    with session_scope() as session:
        query = select(ApiKey).order_by(ApiKey.id)
        if org:
            query = query.where(ApiKey.org_id == org)
        for row in session.scalars(query):
            _emit({"id": row.id, "org_id": row.org_id, "name": row.name, "prefix": row.prefix,
                   "scopes": row.scopes, "revoked_at": row.revoked_at})  # fmt: skip
