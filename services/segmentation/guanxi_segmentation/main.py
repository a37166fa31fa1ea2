"""The segmentation app factory (uvicorn --factory guanxi_segmentation.main:create_app)."""
from pathlib import Path

from fastapi import FastAPI

from guanxi_shared.app import create_service_app

from .api import value
from .events import HANDLERS
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or Settings(),
        title="Guanxi segmentation",
        description="RFM, lifetime value, Pareto tiers, loyalty, churn and snapshots.",
        routers=[value.router],
        migrations_dir=Path(__file__).parent / "migrations",
        event_handlers=HANDLERS,
    )
