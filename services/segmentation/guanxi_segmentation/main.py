"""The segmentation app factory (uvicorn --factory guanxi_segmentation.main:create_app)."""
from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from guanxi_shared.app import create_service_app

from .api import admin, loyalty, neglect, policy, privacy, reports, retention
from .events import HANDLERS
from .jobs import start_nightly_recompute
from .settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or Settings(),
        title="Guanxi segmentation",
        description="RFM, lifetime value, Pareto tiers, loyalty, churn and snapshots (客户价值).",
        routers=[reports.router, retention.router, neglect.router, policy.router,
                 privacy.router, admin.router, loyalty.router],
        migrations_dir=Path(__file__).parent / "migrations",
        event_handlers=HANDLERS,
        on_start=[start_nightly_recompute],
    )
