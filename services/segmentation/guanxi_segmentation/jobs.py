"""Scheduled work: every customer rescored at night (company timezone), with the day's
snapshot."""
from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from fastapi import FastAPI

from guanxi_shared.db import local_today

from .store.scoring import full_recompute


def start_nightly_recompute(app: FastAPI):
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
