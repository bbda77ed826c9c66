"""Demo organisations and users (``api/demo/accounts.yml``), for ``iprwatch demo`` only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.auth._accounts import assign_enterprise, create_org, create_user
from api.auth._audit import audit
from core.models import Organisation, User


def load_demo_accounts(session: Session, path: Path) -> list[str]:
    """Create the demo accounts that do not exist yet; the e-mails of those created.

    Idempotent, so running the demo twice keeps the same accounts (and their passwords).
    """
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    for org in data["organisations"]:
        if session.get(Organisation, org["id"]) is None:
            create_org(session, org["id"], org["kind"], org.get("name_zh", ""),
                       org.get("name_en", ""), org.get("chains"))  # fmt: skip
    for org_id, enterprise_ids in data.get("assignments", {}).items():
        for enterprise_id in enterprise_ids:
            assign_enterprise(session, org_id, enterprise_id)
    created = []
    for user in data["users"]:
        if session.scalar(select(User.id).where(User.email == user["email"])) is None:
            row = create_user(session, user["email"], user["password"], user["org"],
                              user["role"], user.get("name", ""))  # fmt: skip
            audit(session, "demo", "user.create", "user", row.id,
                  {"email": row.email, "role": row.role}, org_id=row.org_id)  # fmt: skip
            created.append(row.email)
    return created
