"""The engagement app factory (uvicorn --factory guanxi_engagement.main:create_app)."""
from pathlib import Path

import httpx
from fastapi import FastAPI

from guanxi_shared.app import create_service_app
from guanxi_shared.client import ServiceClient

from .api import (
    calendar,
    context,
    contracts,
    gifts,
    messages,
    occasions,
    privacy,
    rules,
    runs,
    tasks,
    visits,
)
from .api import customer_events as customer_events_api
from .api import flows as flow_api
from .api import renewals as renewals_api
from .channels import build_channels
from .events import HANDLERS
from .scheduler import start_scheduler
from .settings import Settings
from .store import flows
from .store.visits import seed_checklist


def install_clients(app: FastAPI):
    """Delivery channels and the registry client; tests put httpx transports on app.state."""
    settings: Settings = app.state.settings
    provider: httpx.BaseTransport | None = getattr(app.state, "provider_transport", None)
    registry: httpx.BaseTransport | None = getattr(app.state, "registry_transport", None)
    app.state.channels = build_channels(settings, transport=provider)
    app.state.registry_client = ServiceClient(
        base_url=settings.registry_url, caller=settings.service_name,
        secret=settings.internal_secret, timeout=settings.http_timeout_seconds,
        transport=registry)
    return app.state.registry_client.close


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or Settings(),
        title="Guanxi engagement",
        description="Calendar, greetings, revisits, visits, gifts, renewals and messages.",
        routers=[calendar.router, rules.router, runs.router, privacy.router, tasks.router,
                 visits.router, gifts.router, contracts.router, messages.router, context.router,
                 occasions.router, flow_api.router, renewals_api.router,
                 customer_events_api.router],
        migrations_dir=Path(__file__).parent / "migrations",
        event_handlers=HANDLERS,
        on_start=[install_clients, flows.install, seed_checklist, start_scheduler],
    )
