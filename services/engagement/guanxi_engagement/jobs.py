"""What engagement's scheduled jobs do: the daily run of every rule, and sending the messages
that are due. scheduler.py runs them on one replica at a time."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import sessionmaker

from guanxi_shared.models import utcnow

from .channels import Channel
from .settings import Settings
from .store.delivery import deliver_due
from .store.runs import record_run


def daily_run(*, sessions: sessionmaker, settings: Settings, trigger: str = "scheduler") -> int:
    """Today's run (company-local date), recorded; returns the occurrences created."""
    today = datetime.now(ZoneInfo(settings.timezone)).date()
    with sessions() as session:
        created, _ = record_run(session=session, day=today, trigger=trigger,
                                timezone=settings.timezone,
                                greeting_hour=settings.greeting_hour)
    return created


def send_due(*, sessions: sessionmaker, settings: Settings,
             channels: dict[str, Channel]) -> dict[str, int]:
    return deliver_due(sessions=sessions, channels=channels, now=utcnow(),
                       timezone=settings.timezone)
