"""A service's periodic work: one job on a scheduler in its own process, stopped with the app.

Engagement's jobs run on every replica's leader instead (its `scheduler.py`)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from fastapi import FastAPI
from sqlmodel import Session


def start_periodic(app: FastAPI, job: Callable[[Session], object], *, job_id: str,
                   trigger: str, **when: Any) -> Callable[[], None] | None:
    """Run `job` in a session of its own on APScheduler's `trigger` ("interval", "cron") with
    `when` (its arguments), in the company's timezone; a start hook for `create_service_app`.
    Nothing runs where the settings turn background jobs off."""
    settings = app.state.settings
    if not settings.run_background_jobs:
        return None
    scheduler = BackgroundScheduler(timezone=settings.timezone)

    def run() -> None:
        with app.state.sessions() as session:
            job(session)

    scheduler.add_job(run, trigger, id=job_id, coalesce=True, max_instances=1, **when)
    scheduler.start()
    return lambda: scheduler.shutdown(wait=False)
