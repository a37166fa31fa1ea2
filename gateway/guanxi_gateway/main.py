"""The gateway app factory (uvicorn --factory guanxi_gateway.main:create_app)."""
from __future__ import annotations

from pathlib import Path

import httpcore
import httpx
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from guanxi_shared.app import create_service_app
from guanxi_shared.docs import add_offline_docs

from . import limits
from .api import (
    agenda,
    api_keys,
    audit,
    auth,
    console,
    customer360,
    docs,
    integrations,
    privacy,
    proxy,
    users,
)
from .api import webhooks as webhooks_api
from .audit_writer import AuditWriter
from .identity import Authenticator
from .protection import ProtectionMiddleware
from .settings import Settings
from .store.users import bootstrap_admin
from .webhooks import WebhookSender, event_handlers

# The proxy for the known services comes first (most requests are proxied; it cannot shadow a
# gateway route) and its catch-all for other names last.
ROUTERS = [proxy.router, docs.router, auth.router, users.router, api_keys.router, audit.router,
           customer360.router, agenda.router, privacy.router, integrations.router, webhooks_api.router,
           console.router, proxy.unknown_router]


def create_app(settings: Settings | None = None,
               transport: httpx.AsyncBaseTransport | None = None,
               proxy_pool: httpcore.AsyncConnectionPool | None = None) -> FastAPI:
    """`transport` (the gateway's own calls: customer 360, privacy, docs) and `proxy_pool`
    (everything proxied) let tests stand in for the services."""
    settings = settings or Settings()
    authenticator = Authenticator(settings)
    audit_writer = AuditWriter(interval=settings.audit_flush_seconds)
    sender = WebhookSender(settings)
    request_limits, login_throttle = limits.build(settings)
    timeout, connect = settings.upstream_timeout_seconds, settings.upstream_connect_timeout_seconds

    def start_upstream(app: FastAPI):
        limits = {"max_connections": 200, "max_keepalive_connections": 100}
        app.state.proxy_pool = proxy_pool or httpcore.AsyncConnectionPool(**limits)
        # a retry after a pooled connection turned out closed goes on a new connection
        app.state.proxy_fresh_pool = proxy_pool or httpcore.AsyncConnectionPool(
            max_connections=limits["max_connections"], max_keepalive_connections=0)
        app.state.upstream = httpx.AsyncClient(
            transport=transport or httpx.AsyncHTTPTransport(limits=httpx.Limits(**limits)),
            timeout=httpx.Timeout(timeout, connect=connect))

        async def stop() -> None:  # closing a client or a pool closes its connections
            await app.state.upstream.aclose()
            await app.state.proxy_pool.aclose()
            await app.state.proxy_fresh_pool.aclose()
        return stop

    def start_identity(app: FastAPI):
        with app.state.sessions() as session:
            bootstrap_admin(session=session, password=settings.admin_password)
        return authenticator.start(app.state.sessions)

    def start_background(app: FastAPI):
        stop_audit = audit_writer.start(app.state.sessions)
        stop_sender = sender.start(app.state.sessions, run=settings.run_background_jobs)

        def stop() -> None:
            stop_sender()
            stop_audit()
        return stop

    def stop_limits(app: FastAPI):
        async def stop() -> None:
            await request_limits.aclose()
            if isinstance(login_throttle, limits.SharedLoginThrottle):
                login_throttle.close()
        return stop

    app = create_service_app(
        settings=settings,
        title="Guanxi gateway",
        description="One base URL for the suite.",
        routers=ROUTERS,
        migrations_dir=Path(__file__).parent / "migrations",
        event_handlers=event_handlers(),
        on_start=[start_upstream, start_identity, start_background, stop_limits],
        idempotency_exclude=("/api/v1/registry/", "/api/v1/segmentation/",
                             "/api/v1/engagement/", "/api/v1/needs/", "/api/v1/auth/"),
        openapi_url=None,
    )
    if settings.cors_origin_list():  # no list, no cross-origin access at all
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origin_list(),
                           allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                           allow_headers=["Authorization", "Content-Type", "Idempotency-Key",
                                          "If-Match", "X-Request-Id"],
                           expose_headers=["ETag", "Retry-After", "X-Request-Id"], max_age=600)
    add_offline_docs(app, openapi_url="/openapi.json", title="Guanxi API")
    app.add_middleware(ProtectionMiddleware, settings=settings, limits=request_limits)
    app.state.authenticator = authenticator
    app.state.audit = audit_writer
    app.state.webhooks = sender
    app.state.login_throttle = login_throttle
    app.state.merged_openapi = None
    app.state.service_origins = {name: proxy.Origin.parse(url)
                                 for name, url in settings.service_urls().items()}
    app.state.proxy_timeouts = {"connect": connect, "read": timeout, "write": timeout,
                                "pool": timeout}
    return app
