"""Periodic housekeeping: idle opportunities return to the pool, overdue complaints escalate,
overdue promises are flagged and withdraw from the relationship balance."""
from __future__ import annotations

import logging

from fastapi import FastAPI
from sqlmodel import Session

from guanxi_shared.db import local_today
from guanxi_shared.jobs import start_periodic
from guanxi_shared.models import utcnow

from .store.commitments import flag_overdue
from .store.complaints import escalate_overdue
from .store.opportunities import release_expired

log = logging.getLogger("guanxi.needs")


def housekeeping(session: Session) -> dict[str, int]:
    now = utcnow()
    return {"returned_to_pool": release_expired(session=session, now=now),
            "escalated": escalate_overdue(session=session, now=now),
            "promises_broken": flag_overdue(session=session, now=now,
                                            today=local_today(session))}


def logged_housekeeping(session: Session) -> None:
    done = housekeeping(session)
    if any(done.values()):
        log.info("housekeeping", extra=done)


def start_housekeeping(app: FastAPI):
    """Run `housekeeping` every few minutes (reads already show the same state meanwhile)."""
    return start_periodic(app, logged_housekeeping, job_id="housekeeping", trigger="interval",
                          minutes=app.state.settings.housekeeping_minutes)
