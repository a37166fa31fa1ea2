"""APScheduler running jobs.py's jobs, persisted in the database, on one replica at a time.

On PostgreSQL a replica becomes the leader by holding `pg_try_advisory_lock` on a dedicated
connection; when it dies the connection closes, the lock is released and another replica's
next attempt takes over (within `leader_retry_seconds`, 5 s). The leader checks its lock's
connection on the same interval and steps down when it is lost (a database restart, a network
cut), so at most one replica runs the jobs. On SQLite the single process is the leader. Misfired daily runs are
coalesced into one catch-up run; the occurrence keys make even a double run harmless.
"""
from __future__ import annotations

import contextlib
import logging
import threading
from zoneinfo import ZoneInfo

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from fastapi import FastAPI
from sqlalchemy import Engine, text
from sqlalchemy.orm import sessionmaker

from . import jobs
from .channels import Channel
from .settings import Settings

log = logging.getLogger("guanxi.engagement.scheduler")
JOBS_TABLE = "apscheduler_jobs"


class Jobs:
    """What jobs.py's jobs run with. The job store pickles `daily_run` and `send_due` below by
    their name in this module: keep them here, so that stored jobs still load."""

    sessions: sessionmaker
    settings: Settings
    channels: dict[str, Channel]


def daily_run(trigger: str = "scheduler") -> int:
    return jobs.daily_run(sessions=Jobs.sessions, settings=Jobs.settings, trigger=trigger)


def send_due() -> dict[str, int]:
    return jobs.send_due(sessions=Jobs.sessions, settings=Jobs.settings, channels=Jobs.channels)


def start_jobs(engine: Engine, settings: Settings, *, paused: bool = False
               ) -> BackgroundScheduler:
    """Start a scheduler on the persisted jobs; the daily job keeps its stored next run time,
    so a run missed while the service was down fires once on start."""
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBS_TABLE)},
        job_defaults={"coalesce": True, "misfire_grace_time": None, "max_instances": 1},
        timezone=ZoneInfo(settings.timezone))
    scheduler.start(paused=True)
    if scheduler.get_job("daily_run") is None:
        scheduler.add_job(daily_run, "cron", hour=settings.daily_run_hour, id="daily_run")
    scheduler.add_job(send_due, "interval", seconds=settings.send_interval_seconds,
                      id="send_due", replace_existing=True)
    if not paused:
        scheduler.resume()
    return scheduler


class Leader(threading.Thread):
    """Holds the scheduler's advisory lock (PostgreSQL) and runs the scheduler while it does."""

    def __init__(self, *, engine: Engine, settings: Settings):
        super().__init__(name="engagement-leader", daemon=True)
        self.engine, self.settings = engine, settings
        self.stopping = threading.Event()
        self.stepping_down = threading.Lock()
        self.scheduler: BackgroundScheduler | None = None
        self.connection = None

    def try_lead(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True
        self.connection = self.engine.connect()
        held = self.connection.execute(text("SELECT pg_try_advisory_lock(:id)"),
                                       {"id": self.settings.scheduler_lock_id}).scalar()
        self.connection.commit()
        if not held:
            self.connection.close()
            self.connection = None
        return bool(held)

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                if self.try_lead():
                    self.scheduler = start_jobs(self.engine, self.settings)
                    log.info("scheduler leader", extra={"service": self.settings.service_name})
                    self.hold()
            except Exception:
                log.exception("scheduler leadership lost or election failed; standing again")
            self.step_down()
            self.stopping.wait(self.settings.leader_retry_seconds)

    def hold(self) -> None:
        """While leading, check every retry interval that the lock's connection still answers.
        A lost connection means PostgreSQL has released the lock (another replica may hold it
        by now): the check raises, and `run` stops the jobs and stands for election again."""
        while not self.stopping.wait(self.settings.leader_retry_seconds):
            if self.engine.dialect.name != "postgresql":
                continue
            if self.connection is None:
                raise RuntimeError("the scheduler lock's connection is gone")
            self.connection.execute(text("SELECT 1"))
            self.connection.commit()

    def step_down(self) -> None:
        with self.stepping_down:
            if self.scheduler is not None and self.scheduler.running:
                self.scheduler.shutdown(wait=False)
            self.scheduler = None
            self.release()

    def stop(self) -> None:
        self.stopping.set()
        self.step_down()
        self.join(timeout=5)

    def release(self) -> None:
        """Drop the dedicated connection (not back to the pool), which frees the lock."""
        connection, self.connection = self.connection, None
        if connection is None:
            return
        with contextlib.suppress(Exception):  # already broken: it is discarded either way
            connection.invalidate()
        with contextlib.suppress(Exception):
            connection.close()


def start_scheduler(app: FastAPI):
    """on_start hook: configure the jobs and elect a leader (off when background jobs are)."""
    settings: Settings = app.state.settings
    Jobs.sessions, Jobs.settings, Jobs.channels = (app.state.sessions, settings,
                                                   app.state.channels)
    if not settings.run_background_jobs:
        return None
    leader = Leader(engine=app.state.engine, settings=settings)
    leader.start()
    app.state.leader = leader
    return leader.stop
