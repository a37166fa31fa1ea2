"""The working-day calendar as this company knows it (loaded official schedules first), and
the company's own dates."""
from __future__ import annotations

import logging
from calendar import monthrange
from datetime import date

from sqlmodel import Session, select

from guanxi_shared.errors import Invalid

from ..domain.calendar import OfficialDay, WorkCalendar
from ..schemas.calendar import CompanyDateCreate, OfficialScheduleLoad
from .records import add, change
from .tables import CompanyDate, OfficialSchedule

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


def company_dates(session: Session) -> list[CompanyDate]:
    return list(session.scalars(select(CompanyDate)))


def add_company_date(*, session: Session, date_in: CompanyDateCreate) -> CompanyDate:
    if date_in.day > monthrange(2024, date_in.month)[1]:
        raise Invalid(f"{date_in.month}/{date_in.day} is not a date")
    return add(session, CompanyDate.model_validate(date_in.model_dump()))


def loaded_schedule(session: Session, year: int) -> OfficialSchedule | None:
    return session.get(OfficialSchedule, str(year))


def _checked(year: int, schedule_in: OfficialScheduleLoad) -> list[dict]:
    """The schedule's days as stored, each of the year, once, and a make-up working day on a
    weekend; otherwise 422 naming each wrong day."""
    errors = []
    seen: dict = {}
    for field, days, work in (("days_off", schedule_in.days_off, False),
                              ("workdays", schedule_in.workdays, True)):
        for i, day in enumerate(days):
            problem = None
            if day.on.year != year:
                problem = f"{day.on} is not in {year}"
            elif day.on in seen:
                problem = (f"{day.on} is listed twice" if seen[day.on] == work
                           else f"{day.on} cannot be both a day off and a working day")
            elif work and day.on.weekday() < 5:
                problem = f"{day.on} is a weekday: a make-up working day (调休) is a weekend day"
            if problem:
                errors.append({"loc": ["body", field, str(i), "on"], "field": f"{field}.{i}.on",
                               "type": "value_error", "msg": problem})
            seen.setdefault(day.on, work)
    if errors:
        raise Invalid("; ".join(e["msg"] for e in errors), errors=errors)
    return [{"on": d.on.isoformat(), "name": d.name, "work": work}
            for days, work in ((schedule_in.days_off, False), (schedule_in.workdays, True))
            for d in sorted(days, key=lambda d: d.on)]


def load_schedule(*, session: Session, year: int, schedule_in: OfficialScheduleLoad,
                  loaded_by: str) -> OfficialSchedule:
    """Load or replace a year's official schedule."""
    days = _checked(year, schedule_in)
    row = loaded_schedule(session, year)
    if row is None:
        return add(session, OfficialSchedule(id=str(year), year=year, days=days,
                                             loaded_by=loaded_by))
    return change(session, row, {"days": days, "loaded_by": loaded_by})


def unload_schedule(*, session: Session, row: OfficialSchedule) -> None:
    session.delete(row)
    session.commit()
