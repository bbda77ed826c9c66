"""Credentials for tests that call the API as a given role (the API refuses anonymous calls).

``admin_headers()`` makes an operator organisation and an admin API key in the current
database (call it after the database fixture) and returns the request headers::

    with TestClient(create_app(), headers=admin_headers()) as client: ...
"""

from __future__ import annotations

from api.auth import SCOPES, create_api_key, create_org
from core.db import session_scope
from core.models import Organisation

TEST_OPERATOR = "test-operator"


def api_key_headers(org_id: str, kind: str, scopes: list[str] | None = None) -> dict[str, str]:
    """Headers carrying a new API key of ``org_id`` (made, of ``kind``, if missing)."""
    with session_scope() as session:
        if session.get(Organisation, org_id) is None:
            create_org(session, org_id, kind, name_en=org_id)
        key = create_api_key(session, org_id, f"{kind} test key", scopes or list(SCOPES))
    return {"Authorization": f"Bearer {key.plaintext}"}


def admin_headers() -> dict[str, str]:
    """Headers carrying an admin API key with every scope."""
    return api_key_headers(TEST_OPERATOR, "operator")
