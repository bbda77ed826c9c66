"""The FastAPI app factory: JSON under ``/api/v1`` and the web UI."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import web
from api.errors import install_error_handlers
from api.routers import alerts, health, items, sources
from core.logging_ import configure_logging

STATIC = Path(__file__).resolve().parent / "static"


def create_app() -> FastAPI:
    """Build the application."""
    configure_logging()
    app = FastAPI(
        title="IPRWatch API",
        version="0.1.0",
        description="海外知识产权风险预警 · Overseas IP-risk early warning for exporters.",
        openapi_url="/openapi.json",
    )
    install_error_handlers(app)
    for router in (health.router, items.router, alerts.router, sources.router):
        app.include_router(router, prefix="/api/v1")
    app.include_router(web.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
