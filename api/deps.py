"""FastAPI dependencies, as ``Annotated`` aliases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio
from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from core.db import session_factory


def _commit_and_close(session: Session) -> None:
    try:
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def _roll_back_and_close(session: Session) -> None:
    try:
        session.rollback()
    finally:
        session.close()


async def _session() -> AsyncIterator[Session]:
    """A session per request: committed when the route succeeds, rolled back when it fails.

    An async generator, so that opening the session (which touches no database) and closing
    one whose transaction the route has already ended cost no trip to a worker thread; the
    commit or rollback of an open transaction does run in one, since it may wait on the
    database.
    """
    session = session_factory()()
    try:
        yield session
    except BaseException:
        with anyio.CancelScope(shield=True):  # a cancelled request still frees its connection
            await run_in_threadpool(_roll_back_and_close, session)
        raise
    if session.in_transaction():
        await run_in_threadpool(_commit_and_close, session)
    else:
        session.close()


DbSession = Annotated[Session, Depends(_session)]
