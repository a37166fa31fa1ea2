"""Scheduled work: every customer rescored at night (company timezone), with the day's
snapshot."""
from __future__ import annotations

from fastapi import FastAPI
from sqlmodel import Session

from guanxi_shared.db import local_today
from guanxi_shared.jobs import start_periodic

from .store.scoring import full_recompute


def nightly_recompute(session: Session) -> None:
    full_recompute(session=session, as_of=local_today(session), snapshot=True)


def start_nightly_recompute(app: FastAPI):
    return start_periodic(app, nightly_recompute, job_id="nightly", trigger="cron",
                          hour=app.state.settings.nightly_recompute_hour,
                          misfire_grace_time=6 * 3600)
