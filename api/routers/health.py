"""``GET /api/v1/health``: status and per-component checks."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from api.deps import DbSession
from api.errors import PUBLIC_ERROR_RESPONSES
from api.schemas import ComponentCheck, Health
from core.logging_ import redact
from core.settings import get_settings

router = APIRouter(tags=["health"], responses=PUBLIC_ERROR_RESPONSES)


def _check_search() -> ComponentCheck:
    from search.backend import get_backend

    try:
        info = get_backend().health()
    except Exception as exc:  # the check reports, it does not fail the endpoint
        return ComponentCheck(ok=False, detail=type(exc).__name__)
    return ComponentCheck(ok=bool(info.get("ok", True)), detail=str(info.get("backend", "")))


def _check_broker() -> ComponentCheck:
    settings = get_settings()
    url = settings.effective_broker_url()
    if url.startswith("redis"):
        import redis

        try:
            redis.Redis.from_url(url, socket_timeout=2).ping()
        except redis.RedisError as exc:
            return ComponentCheck(ok=False, detail=f"redis: {type(exc).__name__}")
        return ComponentCheck(ok=True, detail="redis")
    return ComponentCheck(ok=True, detail=redact(url.split(":", 1)[0]) + " (serverless)")


@router.get("/health", response_model=Health)
def health(session: DbSession) -> Health:
    """Whether the database, the search index and the broker answer."""
    components: dict[str, ComponentCheck] = {}
    try:
        session.execute(text("SELECT 1"))
        components["database"] = ComponentCheck(
            ok=True, detail=session.bind.dialect.name if session.bind else ""
        )
    except Exception as exc:
        components["database"] = ComponentCheck(ok=False, detail=type(exc).__name__)
    components["search"] = _check_search()
    components["broker"] = _check_broker()
    status = "ok" if all(c.ok for c in components.values()) else "degraded"
    return Health(status=status, components=components)
