"""The audit log: who did what, to what, from where. Secrets never reach it."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from api.auth._principal import Principal
from core.models import AuditEntry, utcnow

_SECRET_NAME = re.compile(r"pass(word)?|secret|token|hash|api_?key|plaintext|cookie|csrf", re.I)
REDACTED = "[redacted]"


def redact(value: Any) -> Any:
    """``value`` with every field whose name suggests a secret replaced by ``[redacted]``."""
    if isinstance(value, dict):
        return {
            str(k): REDACTED if _SECRET_NAME.search(str(k)) else redact(v) for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [redact(v) for v in value]
    return value


def audit(
    session: Session,
    principal: Principal | str | None,
    action: str,
    target_type: str | None = None,
    target_id: object = None,
    detail: dict[str, Any] | None = None,
    ip: str | None = None,
    org_id: str | None = None,
) -> AuditEntry:
    """Record an action in the caller's transaction.

    Args:
        principal: the caller; a string names a non-HTTP actor (``cli``, ``demo``), ``None``
            an anonymous one (a failed login).
        action: dotted verb, e.g. ``login.failure``, ``api_key.create``.
        org_id: the tenant concerned; defaults to the principal's organisation.
    """
    if isinstance(principal, Principal):
        actor, org = principal.actor, principal.org_id
    else:
        actor, org = principal or "anonymous", None
    entry = AuditEntry(
        at=utcnow(),
        actor=actor[:64],
        org_id=org_id or org,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id)[:128],
        ip=ip,
        detail=redact(detail or {}),
    )
    session.add(entry)
    session.flush()
    return entry
