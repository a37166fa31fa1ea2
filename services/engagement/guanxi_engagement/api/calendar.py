"""/v1/calendar: festivals, official holidays and adjusted working days, company dates."""
from __future__ import annotations

from calendar import monthrange
from typing import Annotated

from fastapi import APIRouter, Query, Response
from sqlmodel import select

from guanxi_shared.app import DbSession
from guanxi_shared.auth import CurrentPrincipal, Writer
from guanxi_shared.errors import Invalid

from ..domain.calendar import date_in, festivals, official_days
from ..domain.occasions import occurrence_in
from ..schemas.rules import CalendarEntry, CalendarRead, CompanyDateCreate
from ..store.tables import CompanyDate, Occasion
from .deps import created, visible_customer

router = APIRouter(prefix="/v1/calendar", tags=["calendar"])


@router.get("", response_model=CalendarRead)
def get_calendar(session: DbSession, principal: CurrentPrincipal,
                 year: Annotated[int, Query(ge=1901, le=2099)],
                 customer_id: Annotated[str | None, Query(
                     max_length=32, description="Add this customer's anniversary and "
                                                "occasions (weddings, moves, achievements)")] = None,
                 ) -> CalendarRead:
    days = [CalendarEntry(on=d.on, occasion=d.occasion, name=d.name, kind=d.kind)
            for d in [*festivals(year), *official_days(year)]]
    days += [CalendarEntry(on=date_in(year, c.month, c.day), occasion=c.id, name=c.name,
                           kind="company") for c in session.scalars(select(CompanyDate))]
    if customer_id:
        customer = visible_customer(session, principal, customer_id)
        if customer.founded_on and customer.founded_on.year < year:
            founded = customer.founded_on
            days.append(CalendarEntry(
                on=date_in(year, founded.month, founded.day), occasion="anniversary",
                kind="anniversary",
                name=f"{customer.name} {year - customer.founded_on.year} 周年"))
        for occasion in session.scalars(select(Occasion).where(Occasion.customer_id
                                                               == customer.id)):
            on = occurrence_in(year, occurs_on=occasion.occurs_on,
                               recurs_yearly=occasion.recurs_yearly)
            if on is not None:
                days.append(CalendarEntry(on=on, occasion=occasion.kind, kind="life_event",
                                          name=occasion.note or occasion.kind))
    return CalendarRead(year=year, days=sorted(days, key=lambda d: (d.on, d.occasion)))


@router.post("/company-dates", status_code=201)
def add_company_date(body: CompanyDateCreate, session: DbSession, _: Writer,
                     response: Response) -> dict:
    if body.day > monthrange(2024, body.month)[1]:
        raise Invalid(f"{body.month}/{body.day} is not a date")
    entity = created(session, CompanyDate.model_validate(body.model_dump()), response)
    return entity.model_dump(mode="json")
