"""The needs app factory (uvicorn --factory guanxi_needs.main:create_app)."""
from pathlib import Path

from fastapi import FastAPI

from guanxi_shared.app import create_service_app

from .api import (
    admin,
    balance,
    commitments,
    complaints,
    expectations,
    experience,
    needs,
    opportunities,
    privacy,
    products,
)
from .events import HANDLERS
from .jobs import start_housekeeping
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or Settings(),
        title="Guanxi needs",
        description="Needs library, opportunities with MAN qualification, pipeline, "
                    "expectations and complaints (客户需求).",
        routers=[needs.router, needs.categories, opportunities.router,
                 opportunities.pipeline_router, expectations.router, complaints.router,
                 privacy.router, admin.router, products.router, products.launches,
                 products.customers, balance.router, commitments.router,
                 experience.router],
        migrations_dir=Path(__file__).parent / "migrations",
        event_handlers=HANDLERS,
        on_start=[start_housekeeping],
    )
