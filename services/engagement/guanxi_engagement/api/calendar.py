"""/v1/calendar: festivals, official holidays and adjusted working days, company dates, and
the official schedules an admin loads for the years the calendar library does not know."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Principal, Role, Writer, require_roles
from guanxi_shared.db import local_today
from guanxi_shared.errors import Invalid
from guanxi_shared.http_cache import check_if_match

from ..domain.calendar import WorkCalendar, date_in, festivals, official_days
from ..domain.occasions import occurrence_in
from ..schemas.calendar import (
    CalendarEntry,
    CalendarRead,
    CompanyDateCreate,
    OfficialDayRead,
    OfficialScheduleLoad,
    OfficialScheduleRead,
    ScheduleStatus,
)
from ..store import calendar as store
from ..store.calendar import work_calendar
from ..store.occasions import of_customer
from ..store.tables import CompanyDate
from .deps import tagged, visible_customer

Admin = Annotated[Principal, Depends(require_roles(Role.admin))]
Year = Annotated[int, Path(ge=1901, le=2099)]

router = APIRouter(prefix="/v1/calendar", tags=["calendar"])


@router.get("", response_model=CalendarRead)
def get_calendar(session: DbSession, principal: CurrentPrincipal,
                 year: Annotated[int, Query(ge=1901, le=2099)],
                 customer_id: Annotated[str | None, Query(
                     max_length=32, description="Add this customer's anniversary and "
                                                "occasions (weddings, moves, achievements)")] = None,
                 ) -> CalendarRead:
    work = work_calendar(session)
    days = [CalendarEntry(on=d.on, occasion=d.occasion, name=d.name, kind=d.kind)
            for d in [*festivals(year), *official_days(year, work)]]
    days += [CalendarEntry(on=date_in(year, c.month, c.day), occasion=c.id, name=c.name,
                           kind="company") for c in store.company_dates(session)]
    if customer_id:
        customer = visible_customer(session, principal, customer_id)
        if customer.founded_on and customer.founded_on.year < year:
            founded = customer.founded_on
            days.append(CalendarEntry(
                on=date_in(year, founded.month, founded.day), occasion="anniversary",
                kind="anniversary",
                name=f"{customer.name} {year - customer.founded_on.year} 周年"))
        for occasion in of_customer(session=session, customer_id=customer.id):
            on = occurrence_in(year, occurs_on=occasion.occurs_on,
                               recurs_yearly=occasion.recurs_yearly)
            if on is not None:
                days.append(CalendarEntry(on=on, occasion=occasion.kind, kind="life_event",
                                          name=occasion.note or occasion.kind))
    return CalendarRead(year=year, schedule_known=work.known(year),
                        schedule_source=work.source(year),
                        days=sorted(days, key=lambda d: (d.on, d.occasion)))


@router.post("/company-dates", status_code=201)
def add_company_date(body: CompanyDateCreate, session: DbSession, _: Writer,
                     response: Response) -> dict:
    entity: CompanyDate = store.add_company_date(session=session, date_in=body)
    return entity.model_dump(mode="json")


def schedule_of(work: WorkCalendar, year: int) -> OfficialScheduleRead:
    days = work.official(year)
    return OfficialScheduleRead(
        year=year, known=work.known(year), source=work.source(year),
        days_off=[OfficialDayRead(on=d.on, name=d.name) for d in days if not d.work],
        workdays=[OfficialDayRead(on=d.on, name=d.name) for d in days if d.work])


@router.get("/official", response_model=list[ScheduleStatus])
def schedule_status(session: DbSession, _: CurrentPrincipal,
                    from_year: Annotated[int | None, Query(
                        ge=1901, le=2099, description="Defaults to last year")] = None,
                    to_year: Annotated[int | None, Query(
                        ge=1901, le=2099, description="Defaults to next year")] = None,
                    ) -> list[ScheduleStatus]:
    """Per year: is the official holiday schedule known, and where from."""
    this_year = local_today(session).year
    first = from_year if from_year is not None else max(1901, this_year - 1)
    last = to_year if to_year is not None else min(2099, first + 50,
                                                   max(first, this_year + 1))
    if last < first or last - first > 50:
        raise Invalid("to_year must be from from_year to 50 years after it")
    work = work_calendar(session)
    return [ScheduleStatus(year=y, known=work.known(y), source=work.source(y))
            for y in range(first, last + 1)]


@router.get("/official/{year}", response_model=OfficialScheduleRead)
def get_schedule(year: Year, session: DbSession, _: CurrentPrincipal,
                 response: Response) -> OfficialScheduleRead:
    """The year's days off and make-up working days, as loaded, from the library, or (not
    known) the statutory days off only."""
    row = store.loaded_schedule(session, year)
    if row is not None:
        tagged(response, row)
    return schedule_of(work_calendar(session), year)


@router.put("/official/{year}", response_model=OfficialScheduleRead)
def load_schedule(year: Year, body: OfficialScheduleLoad, session: DbSession,
                  principal: Admin, request: Request, response: Response
                  ) -> OfficialScheduleRead:
    """Load (or replace) a year's official schedule: it takes precedence over the calendar
    library's for that year. Admin only; send If-Match to replace one you read."""
    row = store.loaded_schedule(session, year)
    if row is not None:
        check_if_match(request, row.id, row.version)
    tagged(response, store.load_schedule(session=session, year=year, schedule_in=body,
                                         loaded_by=principal.sub))
    return schedule_of(work_calendar(session), year)


@router.delete("/official/{year}", status_code=204)
def unload_schedule(year: Year, session: DbSession, _: Admin, request: Request) -> Response:
    """Drop a loaded schedule: the year goes back to the library's (or to not known)."""
    row = store.loaded_schedule(session, year)
    if row is not None:
        check_if_match(request, row.id, row.version)
        store.unload_schedule(session=session, row=row)
    return Response(status_code=204)
