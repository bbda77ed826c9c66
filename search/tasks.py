"""Celery tasks of the search stage (thin shells over ``search.outbox``)."""

from __future__ import annotations

from sqlalchemy.exc import InterfaceError, OperationalError

from core.celery_app import app
from core.db import session_scope
from search.backend import get_backend
from search.errors import SearchUnavailable
from search.outbox import drain_outbox


@app.task(  # type: ignore[untyped-decorator]
    name="search.index_items",
    autoretry_for=(SearchUnavailable, OperationalError, InterfaceError),  # engine or database down
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=None,
)
def index_items(ids: list[str] | None = None) -> int:
    """Drain the outbox into the search index.

    Args:
        ids: The item ids that prompted the call. Unused: the outbox holds every pending
            version, so one drain covers these and any a previous failure left behind.

    Returns:
        How many outbox entries were indexed.
    """
    with session_scope() as session:
        return drain_outbox(session, get_backend())
