"""The Celery app. Tasks live beside the code they wrap and are found by module name.

Embedded mode uses kombu's SQLAlchemy transport on a SQLite file (no server); at scale the
broker is Redis. Tasks chain by name (``send_task``) so packages never import one another.
"""

from __future__ import annotations

from celery import Celery, Task
from sqlalchemy.exc import InterfaceError, OperationalError

from core.settings import get_settings

TASK_MODULES = [
    "core.housekeeping",
    "crawlers.tasks",
    "tagger.tasks",
    "search.tasks",
    "warning.tasks",
    "warning.delivery_tasks",
    "reports.tasks",
]

QUEUES = {
    "crawlers.": "crawl",
    "tagger.": "nlp",
    "search.": "index",
    "warning.deliver": "deliver",
    "warning.": "warn",
    "core.": "celery",
}


def _route(name: str, *_: object, **__: object) -> dict[str, str]:
    for prefix, queue in QUEUES.items():
        if name.startswith(prefix):
            return {"queue": queue}
    return {"queue": "celery"}


class PipelineTask(Task):  # type: ignore[misc]
    """Every task retries, with backoff, when the database is unreachable (a restart, a
    failover, a locked SQLite file): the stages are idempotent, so running again is safe, and
    a task that gave up would leave its items stalled until the next catch-up. A task's own
    ``autoretry_for`` replaces this one."""

    autoretry_for = (OperationalError, InterfaceError)
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    max_retries = 30


def create_celery() -> Celery:
    """Build the Celery app from settings."""
    settings = get_settings()
    app = Celery(
        "iprwatch",
        broker=settings.effective_broker_url(),
        include=TASK_MODULES,
        task_cls=PipelineTask,
    )
    app.conf.update(
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_routes=(_route,),
        task_ignore_result=True,
        worker_redirect_stdouts=False,
        worker_hijack_root_logger=False,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        beat_schedule_filename=str(settings.resolved_data_dir() / "celerybeat-schedule"),
    )
    return app


app = create_celery()
