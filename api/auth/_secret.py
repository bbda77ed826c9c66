"""The signing secret for session cookies and CSRF tokens.

``IPRWATCH_SECRET_KEY`` when set; otherwise (embedded mode) a random secret generated once
into ``<data_dir>/secret_key`` with owner-only permissions. The secret is never logged.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from core.settings import get_settings

SECRET_FILE = "secret_key"


@lru_cache(maxsize=8)
def _read_or_create(path: Path) -> str:
    if path.exists():
        value = path.read_text(encoding="utf-8").strip()
        if value:
            return value
    value = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value


def secret_key() -> str:
    """The configured secret, or the one generated into the data directory on first run."""
    settings = get_settings()
    if settings.secret_key is not None and settings.secret_key.get_secret_value():
        return settings.secret_key.get_secret_value()
    path = settings.resolved_data_dir() / SECRET_FILE
    try:
        return _read_or_create(path)
    except FileExistsError:  # another process created it meanwhile
        return path.read_text(encoding="utf-8").strip()
