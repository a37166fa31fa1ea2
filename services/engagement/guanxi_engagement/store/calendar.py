"""The working-day calendar as this company knows it: loaded official schedules first."""
from __future__ import annotations

import logging
from datetime import date

from sqlmodel import Session, select

from ..domain.calendar import OfficialDay, WorkCalendar
from .tables import OfficialSchedule

log = logging.getLogger("guanxi.engagement.calendar")


def loaded_days(row: OfficialSchedule) -> list[OfficialDay]:
    return [OfficialDay(date.fromisoformat(d["on"]), d.get("name") or "", bool(d["work"]))
            for d in row.days]


def work_calendar(session: Session) -> WorkCalendar:
    """The calendar with every loaded year read once (a few rows: one per year loaded)."""
    loaded = {row.year: loaded_days(row) for row in session.scalars(select(OfficialSchedule))}
    return WorkCalendar(loaded.get)


def schedule_warnings(calendar: WorkCalendar, day: date) -> list[str]:
    """What the daily run on `day` reports while this or next year's schedule is missing."""
    return [f"The official holiday schedule for {year} is not known: only weekends and the "
            f"statutory days off are rest days, and no 调休 working days. Load it "
            f"(PUT /v1/calendar/official/{year}) or update the calendar library."
            for year in (day.year, day.year + 1) if not calendar.known(year)]


def log_warnings(warnings: list[str], day: date) -> None:
    for warning in warnings:
        log.warning(warning, extra={"run_on": day.isoformat()})
