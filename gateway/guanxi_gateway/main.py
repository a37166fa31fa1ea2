"""The gateway app factory (uvicorn --factory guanxi_gateway.main:create_app)."""
from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI

from guanxi_shared.app import create_service_app

from .api import docs, proxy
from .identity import Authenticator
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    def start_upstream(app: FastAPI):
        app.state.upstream = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.upstream_timeout_seconds,
                                  connect=settings.upstream_connect_timeout_seconds),
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=100))
        return None

    app = create_service_app(
        settings=settings,
        title="Guanxi gateway",
        description="One base URL for the suite.",
        routers=[docs.router, proxy.router],
        migrations_dir=Path(__file__).parent / "migrations",
        on_start=[start_upstream],
        idempotency_exclude=("/api/v1/registry/", "/api/v1/segmentation/",
                             "/api/v1/engagement/", "/api/v1/needs/"),
        openapi_url=None,
    )
    app.state.authenticator = Authenticator(settings)
    app.state.merged_openapi = None
    return app
