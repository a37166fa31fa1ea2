"""The segmentation app factory (uvicorn --factory guanxi_segmentation.main:create_app)."""
from __future__ import annotations

import logging
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from fastapi import FastAPI

from guanxi_shared.app import create_service_app
from guanxi_shared.db import local_today

from .api import admin, loyalty, neglect, reports, retention
from .events import HANDLERS
from .settings import Settings
from .store.scoring import full_recompute

log = logging.getLogger("guanxi.segmentation")


def nightly_recompute(app: FastAPI):
    """Rescore everyone at night (company timezone) and keep the day's snapshot."""
    settings = app.state.settings
    if not settings.run_background_jobs:
        return None
    scheduler = BackgroundScheduler(timezone=settings.timezone)

    def run() -> None:
        with app.state.sessions() as session:
            full_recompute(session=session, as_of=local_today(session), snapshot=True)

    scheduler.add_job(run, "cron", hour=settings.nightly_recompute_hour, id="nightly",
                      coalesce=True, misfire_grace_time=6 * 3600, max_instances=1)
    scheduler.start()
    return lambda: scheduler.shutdown(wait=False)


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service_app(
        settings=settings or Settings(),
        title="Guanxi segmentation",
        description="RFM, lifetime value, Pareto tiers, loyalty, churn and snapshots (客户价值).",
        routers=[reports.router, retention.router, neglect.router, admin.router,
                 loyalty.router],
        migrations_dir=Path(__file__).parent / "migrations",
        event_handlers=HANDLERS,
        on_start=[nightly_recompute],
    )
