"""The FastAPI app factory: JSON under ``/api/v1`` and the web UI."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import web, web_forms, web_reports, web_ui
from api.auth import install_auth_error_handlers
from api.body_limit import BodyLimitMiddleware
from api.errors import install_error_handlers
from api.openapi_examples import install_openapi_examples
from api.routers import admin, alerts, auth, health, items, sources, stats
from api.routers import briefings as briefing_routes
from api.routers import enterprises as enterprise_routes
from api.routers import feeds as feed_routes
from api.routers import health_checks as health_check_routes
from api.routers import searches as saved_searches
from api.routers import subscriptions as subscription_routes
from core.logging_ import configure_logging, redact_access_log

STATIC = Path(__file__).resolve().parent / "static"


def create_app() -> FastAPI:
    """Build the application."""
    configure_logging()
    redact_access_log()  # feed URLs carry their token
    app = FastAPI(
        title="IPRWatch API",
        version="0.1.0",
        description="海外知识产权风险预警 · Overseas IP-risk early warning for exporters.",
        openapi_url="/openapi.json",
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimitMiddleware)
    install_openapi_examples(app)
    install_auth_error_handlers(app)
    web.install_web_error_pages(app)  # HTML 403 for web forms (after the auth handlers)
    app.include_router(auth.router, prefix="/api/v1")
    app.include_router(admin.router, prefix="/api/v1")
    app.include_router(auth.web_router)
    for router in (health.router, items.router, alerts.router, sources.router):
        app.include_router(router, prefix="/api/v1")
    app.include_router(saved_searches.router, prefix="/api/v1")
    app.include_router(subscription_routes.router, prefix="/api/v1")
    app.include_router(feed_routes.router, prefix="/api/v1")
    app.include_router(enterprise_routes.router, prefix="/api/v1")
    app.include_router(briefing_routes.router, prefix="/api/v1")
    app.include_router(health_check_routes.router, prefix="/api/v1")
    app.include_router(stats.router, prefix="/api/v1")
    app.include_router(web_reports.router)
    app.include_router(web.router)
    app.include_router(web_ui.router)
    app.include_router(web_forms.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
